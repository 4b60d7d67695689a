import Foundation
import GRDB
import KinerjaDomain
import Testing
@testable import KinerjaStore

/// `mail.keep_messages`: a finished message written before the cutoff is deleted with its text, marks
/// and notices once nothing it carries can still be owed; a message still to send, or carrying a stage
/// of an open cycle or a notice of an open follow-up task, stays; and the pass stops after a batch of
/// messages in a row newer than the cutoff.
@Suite("Outbox history")
struct OutboxHistoryTests {
    static let t0 = OutboxStoreTests.t0
    static let day: TimeInterval = 86_400
    static let cutoff = t0.addingTimeInterval(-400 * day)

    static func count(_ db: AppDatabase, _ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try db.writer.read { try Int.fetchOne($0, sql: sql, arguments: arguments)! }
    }

    /// `OutboxStoreTests.database()` (cycle 1 open with assignments 1…4, cycle 2 closed with assignment
    /// 5) and these messages, in id order; all but the seventh and eighth written 500 days before t0:
    /// 1. sent, reminding assignment 5 (closed cycle) at two stages: removed;
    /// 2. sent, reminding assignment 1 (open cycle): kept;
    /// 3. sent, reminding assignment 5 and assignment 2: kept (one of its stages is still open);
    /// 4. dead, no marks (a digest that never went out): removed;
    /// 5. pending, no marks: kept (it may still be mailed);
    /// 6. failed, reminding assignment 5: kept;
    /// 7. sent, written 10 days before t0: not old enough;
    /// 8. sent, written 500 days before t0 but after 7 (a clock set wrong for a while): removed.
    static func database() throws -> (AppDatabase, [Int64]) {
        let db = try OutboxStoreTests.database()
        let old = t0.addingTimeInterval(-500 * day), recent = t0.addingTimeInterval(-10 * day)
        let messages: [(marks: [ReminderStageKey], at: Date)] = [
            ([OutboxStoreTests.mark(5, .due), OutboxStoreTests.mark(5, .after(days: 1))], old),
            ([OutboxStoreTests.mark(1, .due)], old),
            ([OutboxStoreTests.mark(5, .after(days: 3)), OutboxStoreTests.mark(2, .due)], old),
            ([], old), ([], old),
            ([OutboxStoreTests.mark(5, .after(days: 7))], old),
            ([], recent), ([], old),
        ]
        var ids: [Int64] = []
        for (i, m) in messages.enumerated() {
            let result = try db.writer.write { try Outbox.enqueue(OutboxStoreTests.draft("m\(i + 1)", marks: m.marks), at: m.at, in: $0) }
            guard case .inserted(let id, _) = result else { throw OutboxError(.invalidDraft, "not inserted: \(result)") }
            ids.append(id)
        }
        for i in [0, 1, 2, 6, 7] { try db.markOutboxSent(id: ids[i], at: messages[i].at.addingTimeInterval(60)) }
        try db.markOutboxDead(id: ids[3], error: "exit status 67")
        _ = try db.markOutboxFailed(id: ids[5], error: "exit status 75", at: old, policy: OutboxStoreTests.policy)
        return (db, ids)
    }

    @Test("only finished messages older than the cutoff whose stages are all of closed cycles go, with their text and marks, a batch at a time")
    func removesFinishedClosedMessages() throws {
        let (db, ids) = try Self.database()
        let result = try db.removeFinishedMessages(createdBefore: Self.cutoff, batch: 2)
        #expect(result == OutboxHistoryRemoval(removed: 3, kept: 4))
        for (n, id) in ids.enumerated() {
            let gone = n == 0 || n == 3 || n == 7
            #expect((try db.outboxMessage(id: id) == nil) == gone, "message \(n + 1)")
            #expect(try Self.count(db, "SELECT COUNT(*) FROM outbox_text WHERE outbox_id = ?", [id]) == (gone ? 0 : 1), "text of message \(n + 1)")
        }
        #expect(try Self.count(db, "SELECT COUNT(*) FROM outbox_stage WHERE outbox_id = ?", [ids[0]]) == 0)
        // The kept messages keep every mark, including the closed cycle's mark that rides with an open one.
        #expect(try Self.count(db, "SELECT COUNT(*) FROM outbox_stage") == 4)
        #expect(try db.writer.read { try Row.fetchAll($0, sql: "PRAGMA foreign_key_check") }.isEmpty)
        #expect(try db.writer.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
        // A second pass finds nothing more to do and keeps the same messages.
        #expect(try db.removeFinishedMessages(createdBefore: Self.cutoff) == OutboxHistoryRemoval(removed: 0, kept: 4))
    }

    @Test("a whole batch of messages in a row newer than the cutoff ends the pass; a stop asked between transactions ends it, and the next pass goes on")
    func stops() throws {
        let db = try OutboxStoreTests.database()
        let old = Self.t0.addingTimeInterval(-500 * Self.day)
        let dates = [old, Self.t0, Self.t0, Self.t0, old, old]
        for (i, at) in dates.enumerated() {
            _ = try db.writer.write { try Outbox.enqueue(OutboxStoreTests.draft("m\(i)"), at: at, in: $0) }
        }
        try db.writer.write { try $0.execute(sql: "UPDATE outbox SET status = 'sent', sent_at = created_at, next_attempt_at = NULL") }
        // Batches of two: [old, new], then [new, new]: two in a row at the batch's end, so the last two old ones wait.
        #expect(try db.removeFinishedMessages(createdBefore: Self.cutoff, batch: 2) == OutboxHistoryRemoval(removed: 1, kept: 0))
        #expect(try Self.count(db, "SELECT COUNT(*) FROM outbox") == 5)
        // Batches of four see past the three new ones; a stop asked after the first transaction leaves the last one.
        var asked = 0
        #expect(try db.removeFinishedMessages(createdBefore: Self.cutoff, batch: 4, stopped: { asked += 1; return asked > 1 })
                == OutboxHistoryRemoval(removed: 1, kept: 0))
        #expect(try Self.count(db, "SELECT COUNT(*) FROM outbox") == 4)
        #expect(try db.removeFinishedMessages(createdBefore: Self.cutoff, batch: 4) == OutboxHistoryRemoval(removed: 1, kept: 0))
        #expect(try Self.count(db, "SELECT COUNT(*) FROM outbox") == 3)
    }

    @Test("once its cycle closes, a message kept for an open stage goes on the next pass")
    func goesWhenTheCycleCloses() throws {
        let (db, ids) = try Self.database()
        try db.removeFinishedMessages(createdBefore: Self.cutoff)
        try db.writer.write { try $0.execute(sql: "UPDATE cycle SET status = 'closed', closed_at = ?, closed_by = 'test' WHERE id = 1", arguments: [Self.t0]) }
        #expect(try db.removeFinishedMessages(createdBefore: Self.cutoff) == OutboxHistoryRemoval(removed: 2, kept: 2))
        #expect(try db.outboxMessage(id: ids[1]) == nil && db.outboxMessage(id: ids[2]) == nil)
        #expect(try Self.count(db, "SELECT COUNT(*) FROM outbox_stage") == 1)  // the failed message's
    }

    @Test("a follow-up notice keeps its message until the task is closed")
    func followupNotices() throws {
        let db = try AppDatabase.inMemory()
        try FollowupStoreTests.seed(db)
        let t0 = FollowupStoreTests.t0
        _ = try db.createFollowups(FollowupPolicy(), today: FollowupStoreTests.today, now: t0)
        let from = MailAddress(name: "BKPSDM", email: "kinerjad@example.go.id")
        let told = try db.tellFollowups(startOfToday: t0 - 3600, digestKey: "followup-digest/x", now: t0) { input in
            input.untold.filter { $0.appraiserEmail != nil }.map { row in
                FollowupTellMessage(
                    draft: OutboxDraft(idempotencyKey: "followup/\(row.followup.id)", kind: "followup", recipientNIP: nil, from: from,
                                       to: [MailAddress(name: "", email: row.appraiserEmail!)], cc: [], subject: "s", body: "b", marks: []),
                    notices: [(row.followup.id, row.stage)])
            }
        }
        #expect(told.inserted == 2)
        let notices = try db.writer.read { try Row.fetchAll($0, sql: "SELECT outbox_id, followup_id FROM followup_notice ORDER BY outbox_id") }
        #expect(notices.count == 2)
        try db.writer.write { db in
            try db.execute(sql: "UPDATE outbox SET status = 'sent', sent_at = created_at, next_attempt_at = NULL")
            try db.execute(sql: "UPDATE followup SET status = 'closed' WHERE id = ?", arguments: [notices[0]["followup_id"] as Int64])
        }
        let result = try db.removeFinishedMessages(createdBefore: t0.addingTimeInterval(1))
        #expect(result == OutboxHistoryRemoval(removed: 1, kept: 1))
        #expect(try db.outboxMessage(id: notices[0]["outbox_id"]) == nil)
        #expect(try db.outboxMessage(id: notices[1]["outbox_id"]) != nil)
        #expect(try Self.count(db, "SELECT COUNT(*) FROM followup_notice") == 1)
        // The closed task keeps its history of being told.
        #expect(try Self.count(db, "SELECT COUNT(*) FROM followup_event WHERE action = 'told'") == 2)
    }

    @Test("the pass reads messages by id from where it stopped, and checks a message's marks and notices through their outbox_id indexes")
    func plans() throws {
        let (db, _) = try Self.database()
        let plans = try db.writer.read { db in
            try [AppDatabase.oldestMessagesSQL, AppDatabase.openStageMarkSQL, AppDatabase.openNoticeSQL].map { sql in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: sql == AppDatabase.oldestMessagesSQL ? [0, 10] : [1])
                    .map { $0["detail"] as String }
            }
        }
        #expect(plans[0] == ["SEARCH outbox USING INTEGER PRIMARY KEY (rowid>?)"], "\(plans[0])")
        #expect(plans[1].contains { $0.contains("USING COVERING INDEX outbox_stage_message (outbox_id=?)") }, "\(plans[1])")
        #expect(plans[2].contains { $0.contains("USING COVERING INDEX followup_notice_message (outbox_id=?)") }, "\(plans[2])")
        for plan in plans { #expect(!plan.contains { $0.hasPrefix("SCAN") || $0.contains("TEMP B-TREE") }, "\(plan)") }
    }

    @Test("the pages of deleted messages are reused: as many new messages again hardly grow the file")
    func spaceReused() throws {
        let db = try OutboxStoreTests.database()
        func write(_ range: Range<Int>, at: Date) throws {
            try db.writer.write { db in
                for i in range {
                    _ = try Outbox.enqueue(OutboxStoreTests.draft("m\(i)", marks: [OutboxStoreTests.mark(5, .after(days: i + 1))]), at: at, in: db)
                }
                try db.execute(sql: "UPDATE outbox SET status = 'sent', sent_at = created_at, next_attempt_at = NULL WHERE status = 'pending'")
            }
        }
        let pages = { try db.writer.read { try Int.fetchOne($0, sql: "PRAGMA page_count")! } }
        try write(0..<400, at: Self.t0.addingTimeInterval(-500 * Self.day))
        let full = try pages()
        #expect(try db.removeFinishedMessages(createdBefore: Self.cutoff).removed == 400)
        try write(400..<800, at: Self.t0)
        let after = try pages()
        #expect(after < full + full / 5, "\(full) pages with 400 messages, \(after) after deleting them and writing 400 more")
    }
}
