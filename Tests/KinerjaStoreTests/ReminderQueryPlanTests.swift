import Foundation
import GRDB
import Testing
@testable import KinerjaStore

/// The reminder sweep and its preview read the city one batch of 500 reviewers at a time. Each batch
/// must cost the rows of its reviewers: with a plan that scans every open assignment per batch, a
/// preview at 100,000 employees (600,000 open assignments, 200 batches) took hours.
@Suite("reminder batches: each read through the reviewer index, never a scan of the open cycle")
struct ReminderQueryPlanTests {
    static func plan(_ sql: String, _ arguments: StatementArguments) throws -> [String] {
        let db = try AppDatabase.inMemory()
        return try db.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String? ?? "" }
        }
    }

    @Test("the next reviewers of a cycle come in order from assignment_reviewer, without a sort")
    func nextReviewersPlan() throws {
        let plan = try Self.plan(ReminderQueries.nextReviewersSQL, [1, "", 500])
        #expect(plan.contains { $0.contains("USING INDEX assignment_reviewer (cycle_id=? AND reviewer_nip>?)") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
    }

    @Test("a batch's owed reviews are found by a range of assignment_reviewer per open cycle, never a scan")
    func owedReviewsPlan() throws {
        let plan = try Self.plan(ReminderQueries.owedReviewsSQL, ["196501012003011012", "199912312023121999"])
        #expect(plan.contains { $0.contains("SEARCH a USING INDEX assignment_reviewer (cycle_id=? AND reviewer_nip>? AND reviewer_nip<?)") },
                "\(plan)")
        #expect(!plan.contains { $0.contains("SCAN a") }, "\(plan)")
    }

    @Test("batches over several open cycles: the smallest NIPs of all of them, closed cycles and submitted reviews left out")
    func batchesAcrossCycles() throws {
        let db = try AppDatabase.inMemory()
        let a = "196501012003011001", b = "196501012003011002", c = "196501012003011003", d = "196501012003011004"
        let closedOnly = "196501012003011000", submitted = "196501012003011005"
        try db.writer.write { db in
            for (id, period, status) in [(1, "2025-Q1", "closed"), (2, "2025-Q2", "open"), (3, "2025-07", "open")] {
                try db.execute(sql: """
                    INSERT INTO cycle(id, period, kind, period_start, period_end, status, opened_at, opened_by, due_at,
                                      rekan_per_subject, rekan_cap, rekan_seed)
                    VALUES (?, ?, 'quarterly', '2025-01-01', '2025-03-31', ?, '2025-04-01 01:00:00.000', 'test',
                            '2025-04-15 01:00:00.000', 3, 4, 0)
                    """, arguments: [id, period, status])
            }
            let rows: [(Int, String, String?)] = [(1, closedOnly, nil), (2, a, nil), (3, b, nil), (2, c, nil), (3, d, nil),
                                                 (2, submitted, "2025-04-02 01:00:00.000"), (3, a, nil)]
            for (cycle, reviewer, at) in rows {
                try db.execute(sql: """
                    INSERT INTO assignment(cycle_id, subject_nip, role, reviewer_nip, subject_unit, reviewer_unit, due_at, submitted_at)
                    VALUES (?, ?, 'self', ?, 'U', 'U', '2025-04-15 01:00:00.000', ?)
                    """, arguments: [cycle, reviewer, reviewer, at])
            }
        }
        let batches = try db.writer.read { db -> [ReviewerBatch] in
            var batches: [ReviewerBatch] = []
            var after: String?
            while let batch = try ReminderQueries.nextReviewerBatch(after: after, limit: 2, in: db) {
                batches.append(batch)
                after = batch.last
            }
            return batches
        }
        #expect(batches == [ReviewerBatch(first: a, last: b), ReviewerBatch(first: c, last: d)])
    }
}
