import Foundation
import GRDB
import KinerjaDomain
import Testing
@testable import KinerjaStore

/// `mail.keep_sent_text`: the body of a message sent before the cutoff is removed, a batch at a time;
/// the record of the message and its stage marks stay, and nothing that may still be mailed loses text.
@Suite("Outbox text retention")
struct OutboxTextRetentionTests {
    static let t0 = OutboxStoreTests.t0
    static let day: TimeInterval = 86_400

    /// Nine messages: five sent 40 days before t0, one sent 10 days before, one failed, one dead, one
    /// pending. Returns the database and the ids in that order.
    static func database() throws -> (AppDatabase, [Int64]) {
        let db = try OutboxStoreTests.database()
        var ids: [Int64] = []
        for i in 1...9 {
            let marks = i <= 4 ? [OutboxStoreTests.mark(Int64(i), .due)] : []
            let result = try db.writer.write { try Outbox.enqueue(OutboxStoreTests.draft("m\(i)", marks: marks), at: Self.t0, in: $0) }
            guard case .inserted(let id, _) = result else { throw OutboxError(.invalidDraft, "not inserted: \(result)") }
            ids.append(id)
        }
        for (n, id) in ids.prefix(5).enumerated() { try db.markOutboxSent(id: id, at: t0.addingTimeInterval(-40 * day + Double(n) * 60)) }
        try db.markOutboxSent(id: ids[5], at: t0.addingTimeInterval(-10 * day))
        _ = try db.markOutboxFailed(id: ids[6], error: "exit status 75", at: t0.addingTimeInterval(-40 * day), policy: OutboxStoreTests.policy)
        try db.markOutboxDead(id: ids[7], error: "exit status 67")
        return (db, ids)
    }

    @Test("only messages sent before the cutoff lose their body, a batch at a time; the rest of the record and the marks stay")
    func removesOldSentText() throws {
        let (db, ids) = try Self.database()
        let before = try #require(try db.outboxMessage(id: ids[0]))
        let removed = try db.removeSentText(sentBefore: Self.t0.addingTimeInterval(-30 * Self.day), now: Self.t0, batch: 2)
        #expect(removed == 5)
        for id in ids.prefix(5) {
            let message = try #require(try db.outboxMessage(id: id))
            #expect(message.body.isEmpty && message.textRemovedAt == Self.t0, "message \(id)")
            #expect(message.subject == before.subject && message.to == before.to && message.cc == before.cc)
            #expect(message.status == .sent && message.messageID.hasSuffix("@bandung.go.id"))
        }
        #expect(try db.outboxStageMarks(id: ids[0]) == [OutboxStoreTests.mark(1, .due)])
        for id in ids.suffix(4) {
            let message = try #require(try db.outboxMessage(id: id))
            #expect(message.body == OutboxStoreTests.draft("x").body && message.textRemovedAt == nil, "message \(id) (\(message.status))")
        }
        // Nothing left to remove: a second run changes nothing, not even the times.
        #expect(try db.removeSentText(sentBefore: Self.t0.addingTimeInterval(-30 * Self.day), now: Self.t0.addingTimeInterval(Self.day)) == 0)
        #expect(try db.outboxMessage(id: ids[0])?.textRemovedAt == Self.t0)
        // The marks still stop the sweep from reminding the same stage: a new draft with only those is refused.
        let again = try db.writer.write {
            try Outbox.enqueue(OutboxStoreTests.draft("m1-again", marks: [OutboxStoreTests.mark(1, .due)]), at: Self.t0, in: $0)
        }
        #expect(again == .alreadyReminded)
    }

    @Test("the removal finds its messages through outbox_text_kept, which holds only sent messages with their text")
    func usesTheKeptIndex() throws {
        let (db, _) = try Self.database()
        let plan = try db.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + AppDatabase.sentWithTextSQL, arguments: [Self.t0, 10]).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("USING INDEX outbox_text_kept (sent_at<?)") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        let entries = { try db.writer.read { try Int.fetchOne($0, sql: """
            SELECT COUNT(*) FROM outbox INDEXED BY outbox_text_kept WHERE status = 'sent' AND text_removed_at IS NULL AND sent_at < ?
            """, arguments: [Self.t0]) } }
        #expect(try entries() == 6)
        try db.removeSentText(sentBefore: Self.t0.addingTimeInterval(-30 * Self.day), now: Self.t0)
        #expect(try entries() == 1)
    }

    @Test("the space of removed texts is reused: as many new messages again hardly grow the file")
    func spaceReused() throws {
        let db = try OutboxStoreTests.database()
        let body = String(repeating: "Yth. Bapak/Ibu, penilaian yang menunggu: Nama Pegawai (NIP 198503152010011001).\n", count: 20)
        func write(_ range: Range<Int>, sentAt: Date) throws {
            try db.writer.write { db in
                for i in range {
                    var draft = OutboxStoreTests.draft("m\(i)")
                    draft.body = body
                    _ = try Outbox.enqueue(draft, at: sentAt, in: db)
                }
                try db.execute(sql: "UPDATE outbox SET status = 'sent', sent_at = ?, next_attempt_at = NULL WHERE status = 'pending'",
                               arguments: [sentAt])
            }
        }
        let pages = { try db.writer.read { try Int.fetchOne($0, sql: "PRAGMA page_count")! } }
        try write(0..<400, sentAt: Self.t0.addingTimeInterval(-40 * Self.day))
        let full = try pages()
        #expect(try db.removeSentText(sentBefore: Self.t0.addingTimeInterval(-30 * Self.day), now: Self.t0) == 400)
        try write(400..<800, sentAt: Self.t0)
        // Emptying the body in place left the pages as they were, and the new messages took as many again.
        let after = try pages()
        #expect(after < full + full / 5, "\(full) pages with 400 texts, \(after) after removing them and writing 400 more")
    }
}
