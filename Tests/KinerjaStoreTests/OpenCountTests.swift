import Foundation
import GRDB
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// `assignment_open_count` (kept by triggers) must always equal the open assignments counted one by
/// one, whichever writer changed them, and GetStatus's overdue count must read it by its key.
@Suite("open assignment counts kept by triggers")
struct OpenCountTests {
    let store = CycleStoreTests()

    /// (cycle, due, open) from the assignments themselves and from the kept counts (rows at 0 left out).
    func counts(_ db: AppDatabase) throws -> (counted: [[Int64]], kept: [[Int64]]) {
        try db.writer.read { d in
            let counted = try Row.fetchAll(d, sql: """
                SELECT cycle_id, due_at, COUNT(*) FROM assignment WHERE submitted_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2
                """).map { [$0[0], $0[1], $0[2]] as [Int64] }
            let kept = try Row.fetchAll(d, sql: "SELECT cycle_id, due_at, n FROM assignment_open_count WHERE n <> 0 ORDER BY 1, 2")
                .map { [$0[0], $0[1], $0[2]] as [Int64] }
            return (counted, kept)
        }
    }

    @Test("an open, review submissions, a departure's cancellations, a moved due date and a deleted cycle keep the counts equal")
    func keptThroughEveryWriter() throws {
        let db = try store.database()
        let open = try db.openCycle(period: try Period(parsing: "2025-Q1"), openedAt: CycleStoreTests.opened,
                                    policy: CycleStoreTests.policy, by: "test")
        var c = try counts(db)
        #expect(c.kept.count == 1 && c.kept == c.counted, "\(c)")
        let total = open.byRole.values.reduce(0, +)
        #expect(c.kept.first?[2] == Int64(total))
        let due = open.cycle.dueAt
        #expect(try db.statusCounts(now: due.addingTimeInterval(-1)).overdueAssignments == 0)
        #expect(try db.statusCounts(now: due.addingTimeInterval(1)).overdueAssignments == total)

        // Two reviews submitted: two fewer open.
        let at = CycleStoreTests.opened.addingTimeInterval(86_400)
        _ = try db.submitReviews([try store.review(1, 2, 2, .selfAssessment, [4, 4, 4, 4, 4, 4, 4], at: at),
                                  try store.review(2, 1, 2, .atasan, [4, 4, 4, 4, 4, 4, 4], hasil: .sesuai, at: at)],
                                 cycle: nil, now: at, dryRun: false, source: "t")
        c = try counts(db)
        #expect(c.kept == c.counted && c.kept.first?[2] == Int64(total - 2), "\(c)")

        // An employee leaves while the cycle is open: the import cancels or moves their assignments.
        let (map, recs) = try store.records(CycleStoreTests.employeeCSV.split(separator: "\n")
            .filter { !$0.contains(CycleStoreTests.nip(5).description) }.joined(separator: "\n"), EmployeeImport.schema)
        let acc = try EmployeeSpool(columns: map)
        acc.add(recs)
        _ = try db.importEmployees(acc, dryRun: false, now: at, source: "test", options: EmployeeImportOptions(allowDeactivate: 1))
        c = try counts(db)
        #expect(c.kept == c.counted, "\(c)")
        #expect(c.kept.first?[2] ?? 0 < Int64(total - 2), "the departure cancelled nothing: \(c)")

        // One open assignment given a later due date, then its review un-submitted by hand and re-submitted.
        try db.writer.write { d in
            try d.execute(sql: """
                UPDATE assignment SET due_at = due_at + 86400
                WHERE id = (SELECT MIN(id) FROM assignment WHERE submitted_at IS NULL)
                """)
            try d.execute(sql: "UPDATE assignment SET submitted_at = NULL WHERE id = (SELECT MIN(id) FROM assignment WHERE submitted_at IS NOT NULL)")
        }
        c = try counts(db)
        #expect(c.kept == c.counted && c.kept.count == 2, "\(c)")
        #expect(try db.statusCounts(now: due.addingTimeInterval(1)).overdueAssignments == Int(c.counted[0][2]))

        // The cycle's assignments go with it.
        try db.writer.write { d in try d.execute(sql: "DELETE FROM cycle WHERE id = ?", arguments: [open.cycle.id]) }
        c = try counts(db)
        #expect(c.counted.isEmpty && c.kept.isEmpty, "\(c)")
    }

    @Test("the migration fills the counts from the assignments already stored")
    func migrationFills() throws {
        let queue = try AssignmentRows.fourRowDatabase(upTo: "v12-compact-rows")
        try Migrations.migrator.migrate(queue)
        let kept = try queue.read { d in
            try Row.fetchAll(d, sql: "SELECT cycle_id, due_at, n FROM assignment_open_count ORDER BY 1, 2").map { [$0[0], $0[1], $0[2]] as [Int64] }
        }
        #expect(kept == [[1, 1000, 2], [1, 2000, 1]])
    }

    @Test("GetStatus's overdue count reads the kept counts by their key, not an index entry per open assignment")
    func overduePlan() throws {
        let db = try AppDatabase.inMemory()
        let plan = try db.writer.read { d in
            try Row.fetchAll(d, sql: "EXPLAIN QUERY PLAN " + AppDatabase.overdueSQL, arguments: [0]).map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.contains { $0.contains("SEARCH assignment_open_count USING PRIMARY KEY (cycle_id=? AND due_at<?)") }, "\(plan)")
        #expect(!plan.contains { $0.contains("assignment ") || $0.hasSuffix("assignment") }, "\(plan)")
    }
}
