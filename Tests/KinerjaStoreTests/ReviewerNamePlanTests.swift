import Foundation
import GRDB
import Testing
@testable import KinerjaStore

/// A reviewer's own page (the web front) and every assignment list name the reviewer. That name must
/// cost two primary-key lookups per listed row, never a pass over the whole employee file.
@Suite("reviewer names: looked up by key")
struct ReviewerNamePlanTests {
    @Test("the reviewer's name comes from employee and appraiser by primary key: no materialised union, no automatic index")
    func reviewerName() throws {
        let db = try AppDatabase.inMemory()
        let sql = """
            SELECT a.id, \(AppDatabase.reviewerNameSQL) AS reviewer_name
            FROM assignment_named a \(AppDatabase.reviewerJoinSQL)
            WHERE a.reviewer_nip = ?
            """
        let plan = try db.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: ["198001012005011001"])
                .map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.contains { $0.hasPrefix("SEARCH re USING INDEX sqlite_autoindex_employee_1 (nip=?)") }, "\(plan)")
        #expect(plan.contains { $0.hasPrefix("SEARCH ra USING INDEX sqlite_autoindex_appraiser_1 (nip=?)") }, "\(plan)")
        #expect(!plan.contains { $0.contains("MATERIALIZE") || $0.contains("AUTOMATIC") || $0.hasPrefix("SCAN employee") }, "\(plan)")
    }
}
