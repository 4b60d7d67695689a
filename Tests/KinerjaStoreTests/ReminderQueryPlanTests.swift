import Foundation
import GRDB
import KinerjaDomain
import Testing
@testable import KinerjaStore

/// The reminder sweep and its preview read the city one batch of 500 reviewers at a time. Each batch
/// must cost the rows of its reviewers: with a plan that scans every open assignment per batch, a
/// preview at 100,000 employees (600,000 open assignments, 200 batches) took hours.
@Suite("reminder batches: each read through the reviewer lookup, never a scan of the open cycle")
struct ReminderQueryPlanTests {
    static func plan(_ sql: String, _ arguments: StatementArguments) throws -> [String] {
        let db = try AppDatabase.inMemory()
        return try db.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String? ?? "" }
        }
    }

    @Test("the next reviewers of a cycle come in NIP order from person's key, each probed in assignment_reviewer, without a sort")
    func nextReviewersPlan() throws {
        let plan = try Self.plan(ReminderQueries.nextReviewersSQL, ["", 1, 500])
        #expect(plan.contains { $0.contains("SEARCH p USING COVERING INDEX sqlite_autoindex_person_1 (nip>?)") }, "\(plan)")
        #expect(plan.contains { $0.contains("SEARCH x USING PRIMARY KEY (cycle_id=? AND reviewer_id=?)") }, "\(plan)")
        #expect(plan.contains { $0.contains("SEARCH a USING INTEGER PRIMARY KEY (rowid=?)") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") || $0.hasPrefix("SCAN") }, "\(plan)")
    }

    @Test("owed reviews: the range's assignment ids from assignment_reviewer alone, never an assignment row or a scan")
    func owedAssignmentsPlan() throws {
        let plan = try Self.plan(ReminderQueries.owedAssignmentsSQL, ["196501012003011012", "199912312023121999"])
        #expect(plan.contains { $0.contains("SEARCH rp USING COVERING INDEX sqlite_autoindex_person_1 (nip>? AND nip<?)") }, "\(plan)")
        #expect(plan.contains { $0.contains("SEARCH x USING PRIMARY KEY (cycle_id=? AND reviewer_id=?)") }, "\(plan)")
        #expect(!plan.contains { $0.contains(" a ") || $0.hasSuffix(" a") }, "the ids need no assignment row: \(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN rp") || $0.hasPrefix("SCAN x") || $0.contains("TEMP B-TREE") }, "\(plan)")
    }

    @Test("owed reviews: the assignments, subjects and names (employee_name) by key in the order of the ids given (ascending), never a scan or a sort")
    func owedRowsPlan() throws {
        let plan = try Self.plan(ReminderQueries.owedRowsSQL, ["[1,2,3]"])
        // The ids drive the reads: their order (ascending, the order the open stored the rows in) is
        // the order every table is read in.
        #expect(plan.first?.hasPrefix("SCAN j") == true, "\(plan)")
        #expect(plan.contains { $0.contains("SEARCH a USING INTEGER PRIMARY KEY (rowid=?)") }, "\(plan)")
        #expect(plan.contains { $0.contains("SEARCH sp USING INTEGER PRIMARY KEY (rowid=?)") }, "\(plan)")
        #expect(plan.contains { $0.contains("SEARCH s USING COVERING INDEX employee_name (nip=?)") }, "the name from the index alone: \(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN a") || $0.hasPrefix("SCAN s") || $0.contains("TEMP B-TREE") }, "\(plan)")
    }

    @Test("batches read ahead: the batches nextReviewerBatch gives, each with every owed review of its reviewers")
    func readAheadBatches() throws {
        let db = try EscalationCopyTests.database()
        try db.writer.write { db in
            // A submitted review, and an inactive reviewer: neither is owed.
            try db.execute(sql: "UPDATE assignment SET submitted_at = due_at - 60 WHERE id = (SELECT MIN(id) FROM assignment)")
            try db.execute(sql: """
                UPDATE employee SET aktif = 0
                WHERE nip = (SELECT nip FROM employee WHERE nip > (SELECT MIN(nip) FROM employee) ORDER BY nip LIMIT 1)
                """)
        }
        try db.writer.read { db in
            let expected = Set(try Int64.fetchAll(db, sql: """
                SELECT a.id FROM assignment_named a JOIN cycle c ON c.id = a.cycle_id
                JOIN employee r ON r.nip = a.reviewer_nip AND r.aktif JOIN employee s ON s.nip = a.subject_nip
                WHERE c.status = 'open' AND a.submitted_at IS NULL
                """))
            var chained: [ReviewerBatch] = []
            var after: String?
            while let batch = try ReminderQueries.nextReviewerBatch(after: after, limit: 7, in: db) {
                chained.append(batch)
                after = batch.last
            }
            #expect(chained.count > 6, "\(chained.count) batches")
            var read: [(batch: ReviewerBatch, owed: [OwedReview])] = []
            after = nil
            while true {
                let ahead = try ReminderQueries.readAhead(after: after, batchSize: 7, batches: 3, in: db)
                guard let last = ahead.pending.last else { break }
                read += ahead.pending.map { ($0.batch, ahead.owed($0)) }
                after = last.batch.last
            }
            #expect(read.map(\.batch) == chained)
            var seen = Set<Int64>()
            for part in read {
                for row in part.owed {
                    #expect(part.batch.first <= row.reviewer.description && row.reviewer.description <= part.batch.last, "\(row)")
                    #expect(seen.insert(row.assignmentID).inserted, "\(row.assignmentID) twice")
                }
            }
            #expect(seen == expected)
            let names = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT nip, nama FROM employee").map {
                ($0[0] as String, $0[1] as String)
            })
            #expect(read.allSatisfy { $0.owed.allSatisfy { names[$0.subject.description] == $0.subjectName } })
        }
    }

    @Test("a batch's stage marks: its owed assignments' ids in the order given, each probed by outbox_stage's key, no message row")
    func owedMarksPlan() throws {
        let plan = try Self.plan(ReminderQueries.owedMarksSQL, ["[1,2,3]"])
        #expect(plan.first?.hasPrefix("SCAN j") == true, "\(plan)")
        #expect(plan.contains { $0.contains("SEARCH s USING PRIMARY KEY (assignment_id=?)") }, "\(plan)")
        #expect(!plan.contains { $0.contains("outbox ") || $0.hasPrefix("SCAN s") || $0.contains("TEMP B-TREE") }, "\(plan)")
    }

    @Test("a batch's marks and their times equal those of the open cycles read whole, from the batch's messages or each mark's message")
    func batchMarksAgreeWithTheWholeRead() throws {
        let db = try EscalationCopyTests.database()
        let planner = ReminderPlanner(policy: ReminderPolicy(workingHours: WorkingHours(timeZone: EscalationCopyTests.jakarta), holidays: []))
        for day in ["2026-06-15T10:00", "2026-06-16T10:00", "2026-06-18T10:00"] {
            let now = try #require(Timestamp.parse(day, defaultTimeZone: EscalationCopyTests.jakarta))
            _ = try db.sweepReminders(planner, from: EscalationCopyTests.from, now: now)
        }
        try db.writer.read { db in
            let whole = try Outbox.stageMarkHistory(ofOpenCyclesIn: db)
            let ahead = try ReminderQueries.readAhead(after: nil, batchSize: 10, batches: 2, in: db)
            let batch = try #require(ahead.pending.first)
            let ids = ahead.owed(batch).map(\.assignmentID).sorted()
            let reviewers = Array(Set(ahead.owed(batch).map(\.reviewer))).sorted()
            let messages = try ReminderQueries.messages(to: reviewers, history: try ReminderQueries.openHistoryStart(in: db),
                                                        since: .distantPast, in: db)
            let marked = Set(whole.marks.filter { ids.contains($0.assignmentID) })
            #expect(!marked.isEmpty && !messages.written.isEmpty)
            let expectedTimes = whole.lastMarkedAt.filter { ids.contains($0.key) }
            for known in [messages.written, [:]] {
                let read = try ReminderQueries.stageMarks(ofOwed: ids, messages: known, in: db)
                #expect(read.marks == marked)
                #expect(read.lastMarkedAt == expectedTimes)
            }
        }
    }

    @Test("a batch's messages (when written, the day's last per reviewer): a seek per reviewer from the open history on, no message row")
    func batchMessagesPlan() throws {
        let plan = try Self.plan(ReminderQueries.batchMessagesSQL, [#"["196501012003011012","199912312023121999"]"#, "2026-01-01 00:00:00.000"])
        #expect(plan.contains("SEARCH o USING COVERING INDEX outbox_recipient (recipient_nip=? AND created_at>?)"), "\(plan)")
        #expect(plan.count == 2 && plan.contains { $0.hasPrefix("SCAN j") }, "\(plan)")
    }

    @Test("the sweep's marks are written in outbox_stage's key order: its temporary list read once and sorted, never a mark looked up")
    func sweepMarksWritePlan() throws {
        let db = try AppDatabase.inMemory()
        let plan = try db.writer.write { db -> [String] in
            _ = try SweepMarks(in: db)
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SweepMarks.writeSQL).map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.first == "SCAN temp.sweep_mark", "\(plan)")
        #expect(plan.contains { $0.contains("USE TEMP B-TREE FOR ORDER BY") }, "sorted by (assignment, stage) before the insert: \(plan)")
        #expect(!plan.contains { $0.contains("outbox_stage") || $0.contains("SEARCH") }, "\(plan)")
    }

    @Test("imported reviews resolve by key: each NIP through person's key, each assignment through the unique key")
    func reviewsByKeyPlan() throws {
        let plan = try Self.plan(AppDatabase.assignmentsByKeySQL(2), ["196501012003011012", 2, "196501012003011013",
                                                                    "196501012003011014", 0, "196501012003011015", 1])
        #expect(plan.contains { $0.contains("USING COVERING INDEX sqlite_autoindex_person_1 (nip=?)") }, "\(plan)")
        #expect(plan.contains { $0.contains("SEARCH a USING INDEX sqlite_autoindex_assignment_1 (cycle_id=? AND subject_id=? AND role=? AND reviewer_id=?)") },
                "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN a") || $0.hasPrefix("SCAN p") || $0.contains("AUTOMATIC") }, "\(plan)")
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
                try AssignmentRows.insert(db, cycle: Int64(cycle), subject: reviewer, role: "self", reviewer: reviewer,
                                          subjectUnit: "U", reviewerUnit: "U", due: "2025-04-15 01:00:00.000", submitted: at)
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
