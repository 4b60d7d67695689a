import Foundation
import GRDB
import Testing
@testable import KinerjaStore

/// The figures of a cycle (its report per unit, its completion per role and unit) read all of the
/// cycle's assignments. Read through an index, each row is a look-up of its own, in the index's order
/// (ten times slower than the table's order at 25,000 employees); read as the cycle's range of ids,
/// the table is read in its order.
@Suite("cycle figures: a cycle's assignments read as a range of ids")
struct CycleFiguresPlanTests {
    @Test("the cycle's rows come from a rowid range of the table, with the cycle test on each row, not from an index")
    func rangePlan() throws {
        let db = try AppDatabase.inMemory()
        let plan = try db.writer.read { db in
            let rows = try AppDatabase.cycleRows(db, cycle: 1)
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT subject_unit_id, COUNT(*) FROM assignment WHERE \(rows.condition) GROUP BY 1",
                                    arguments: StatementArguments(rows.arguments)).map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.contains { $0.hasPrefix("SEARCH assignment USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)") }, "\(plan)")
        #expect(!plan.contains { $0.contains("INDEX assignment_") || $0.contains("sqlite_autoindex_assignment") }, "\(plan)")
    }
}
