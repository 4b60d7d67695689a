import Foundation
import GRDB
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// `assignment_reviewer` (cycle, reviewer, assignment) is a table filled by the open after its rows, in
/// key order, and kept by triggers for every other writer. It must always hold exactly one row per
/// assignment, whichever writer changed them, and the open must leave no row in `assignment_bulk`
/// (which would hold the insert trigger back for that cycle).
@Suite("reviewer lookup: filed by the open, kept by triggers")
struct ReviewerLookupTests {
    let store = CycleStoreTests()

    /// (cycle, reviewer, assignment) from the assignments themselves and from the lookup.
    func lookup(_ db: AppDatabase) throws -> (expected: [[Int64]], filed: [[Int64]], bulk: Int) {
        try db.writer.read { d in
            let expected = try Row.fetchAll(d, sql: "SELECT cycle_id, reviewer_id, id FROM assignment ORDER BY 1, 2, 3")
                .map { [$0[0], $0[1], $0[2]] as [Int64] }
            let filed = try Row.fetchAll(d, sql: "SELECT cycle_id, reviewer_id, assignment_id FROM assignment_reviewer ORDER BY 1, 2, 3")
                .map { [$0[0], $0[1], $0[2]] as [Int64] }
            return (expected, filed, try Int.fetchOne(d, sql: "SELECT COUNT(*) FROM assignment_bulk") ?? -1)
        }
    }

    @Test("an open, a second cycle, a new atasan's reassignments, a departure's cancellations and a deleted cycle keep one row per assignment")
    func keptThroughEveryWriter() throws {
        let db = try store.database()
        let first = try db.openCycle(period: try Period(parsing: "2025-Q1"), openedAt: CycleStoreTests.opened,
                                     policy: CycleStoreTests.policy, by: "test")
        var l = try lookup(db)
        #expect(!l.expected.isEmpty && l.filed == l.expected && l.bulk == 0, "\(l)")
        #expect(l.filed.count == first.byRole.values.reduce(0, +))

        // A second open files only its own rows next to the first cycle's.
        let secondOpened = CycleStoreTests.opened.addingTimeInterval(91 * 86_400)
        _ = try db.openCycle(period: try Period(parsing: "2025-Q2"), openedAt: secondOpened, policy: CycleStoreTests.policy, by: "test")
        l = try lookup(db)
        #expect(l.filed == l.expected && l.bulk == 0 && Set(l.filed.map { $0[0] }).count == 2, "\(l)")

        // Staf Tiga and Staf Empat get Staf Dua as atasan (their atasan reviews move to a new reviewer),
        // Staf Lima leaves (their assignments are cancelled).
        let csv = CycleStoreTests.employeeCSV.split(separator: "\n")
            .filter { !$0.contains(CycleStoreTests.nip(5).description) }
            .map { line in
                [3, 4].contains { line.hasPrefix(CycleStoreTests.nip($0).description) }
                    ? line.replacingOccurrences(of: ",DLHK,\(CycleStoreTests.nip(1))", with: ",DLHK,\(CycleStoreTests.nip(2))")
                    : String(line)
            }.joined(separator: "\n")
        let (map, recs) = try store.records(csv, EmployeeImport.schema)
        let acc = try EmployeeSpool(columns: map)
        acc.add(recs)
        let at = secondOpened.addingTimeInterval(86_400)
        _ = try db.importEmployees(acc, dryRun: false, now: at, source: "test", options: EmployeeImportOptions(allowDeactivate: 1))
        let (reassigned, cancelled) = try db.writer.read { d in
            (try Int.fetchOne(d, sql: "SELECT COUNT(*) FROM assignment_change WHERE new_reviewer_id IS NOT NULL") ?? 0,
             try Int.fetchOne(d, sql: "SELECT COUNT(*) FROM assignment_change WHERE new_reviewer_id IS NULL") ?? 0)
        }
        #expect(reassigned > 0 && cancelled > 0, "reassigned \(reassigned), cancelled \(cancelled)")
        l = try lookup(db)
        #expect(l.filed == l.expected, "\(l)")

        // The web front's count of a reviewer's assignments reads the lookup.
        let dua = CycleStoreTests.nip(2).description
        let (viaLookup, direct) = try db.writer.read { d in
            (try Int.fetchOne(d, sql: AppDatabase.reviewerAssignmentsSQL, arguments: [first.cycle.id, dua]) ?? -1,
             try Int.fetchOne(d, sql: "SELECT COUNT(*) FROM assignment_named WHERE cycle_id = ? AND reviewer_nip = ?",
                              arguments: [first.cycle.id, dua]) ?? -2)
        }
        #expect(viaLookup == direct && direct > 0, "\(viaLookup) \(direct)")

        // A cycle's rows go with it.
        try db.writer.write { d in try d.execute(sql: "DELETE FROM cycle WHERE id = ?", arguments: [first.cycle.id]) }
        l = try lookup(db)
        #expect(l.filed == l.expected && !l.filed.contains { $0[0] == first.cycle.id }, "\(l)")
    }

    @Test("the migration files the assignments already stored, and the index it replaces is gone")
    func migrationFills() throws {
        let queue = try AssignmentRows.fourRowDatabase(upTo: "v13-open-counts")
        try Migrations.migrator.migrate(queue)
        let (filed, indexes) = try queue.read { d in
            (try Row.fetchAll(d, sql: "SELECT cycle_id, reviewer_id, assignment_id FROM assignment_reviewer")
                .map { [$0[0], $0[1], $0[2]] as [Int64] },
             try String.fetchAll(d, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'assignment'"))
        }
        #expect(filed == [[1, 1, 1], [1, 1, 4], [1, 2, 2], [1, 2, 3]])
        #expect(!indexes.contains("assignment_reviewer"), "\(indexes)")
    }

    @Test("an import's affected assignments: subjects by the unique key, reviewers through the lookup, never a scan of the cycle")
    func affectedAssignmentsPlan() throws {
        let db = try AppDatabase.inMemory()
        let plan = try db.writer.read { d in
            try Row.fetchAll(d, sql: "EXPLAIN QUERY PLAN " + AppDatabase.affectedAssignmentsSQL, arguments: [1, "[\"198001012005011001\"]"])
                .map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.contains { $0.contains("USING COVERING INDEX sqlite_autoindex_assignment_1 (cycle_id=? AND subject_id=?)") }, "\(plan)")
        #expect(plan.contains { $0.contains("SEARCH x USING PRIMARY KEY (cycle_id=? AND reviewer_id=?)") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN a") || $0.hasPrefix("SCAN x") || $0.hasPrefix("SCAN assignment") || $0.contains("AUTOMATIC") },
                "\(plan)")
    }
}
