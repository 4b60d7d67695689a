import Foundation
import GRDB
import KinerjaDomain
import Testing
@testable import KinerjaStore

@Suite("Reminder outbox: enqueue inside the caller's transaction, claim, backoff, dead, retry")
struct OutboxStoreTests {
    static let t0 = ISO8601DateFormatter().date(from: "2026-03-02T02:00:00Z")!
    static let from = MailAddress(name: "BKPSDM Kota Bandung", email: "kinerjad@bandung.go.id")
    static let nip = "198503152010011001"

    /// An in-memory database with one open cycle (id 1, assignments 1…4) and one closed (id 2, assignment 5).
    static func database() throws -> AppDatabase {
        let db = try AppDatabase.inMemory()
        try db.writer.write { db in
            for (id, period, status) in [(1, "2026-Q1", "open"), (2, "2025-Q4", "closed")] {
                try db.execute(sql: """
                    INSERT INTO cycle (id, period, kind, period_start, period_end, status, opened_at, opened_by, due_at,
                                       rekan_per_subject, rekan_cap, rekan_seed)
                    VALUES (?, ?, 'quarterly', '2026-01-01', '2026-03-31', ?, ?, 'test', ?, 3, 4, 0)
                    """, arguments: [id, period, status, t0, t0])
            }
            for id in 1...5 {
                try AssignmentRows.insert(db, id: Int64(id), cycle: id == 5 ? 2 : 1, subject: "19850315201001100\(id)", role: "rekan",
                                          reviewer: nip, subjectUnit: "DLH", reviewerUnit: "DLH", due: t0)
            }
        }
        return db
    }

    static func draft(_ key: String, marks: [ReminderStageKey] = [], to: String = "siti@bandung.go.id") -> OutboxDraft {
        OutboxDraft(idempotencyKey: key, kind: "reminder", recipientNIP: nip, from: from,
                    to: [MailAddress(name: "Siti Nurhaliza", email: to)],
                    cc: [MailAddress(name: "Drs. Asep Ṡupriatna, M.Si.", email: "asep@bandung.go.id")],
                    subject: "Pengingat: penilaian rekan — Dinas Lingkungan Hidup", body: "Yth. Ibu Siti,\n\nMohon segera…\n",
                    marks: marks)
    }

    static func mark(_ assignment: Int64, _ stage: ReminderStage) -> ReminderStageKey {
        ReminderStageKey(assignmentID: assignment, stage: stage)
    }

    static let policy = OutboxRetryPolicy(baseDelay: .seconds(60), cap: .seconds(200), maxAttempts: 4)

    @Test("a draft is stored pending and due now; addresses with non-ASCII names survive; the Message-ID is fixed")
    func enqueueStores() throws {
        let db = try Self.database()
        let result = try db.writer.write { try Outbox.enqueue(Self.draft("reminder/\(Self.nip)/2026-03-02"), at: Self.t0, in: $0) }
        guard case .inserted(let id, 0) = result else { Issue.record("unexpected \(result)"); return }
        let message = try #require(try db.outboxMessage(id: id))
        #expect(message.status == .pending)
        #expect(message.attempts == 0)
        #expect(message.nextAttemptAt == Self.t0)
        #expect(message.createdAt == Self.t0)
        #expect(message.cc == [MailAddress(name: "Drs. Asep Ṡupriatna, M.Si.", email: "asep@bandung.go.id")])
        #expect(message.subject == "Pengingat: penilaian rekan — Dinas Lingkungan Hidup")
        #expect(message.messageID.hasPrefix("kinerjad."))
        #expect(message.messageID.hasSuffix("@bandung.go.id"))
        #expect(message.recipientNIP == Self.nip)
        // The claim does not change the Message-ID.
        let claim = try #require(try db.claimNextOutboxMessage(now: Self.t0, channel: "sendmail"))
        #expect(claim.message.messageID == message.messageID)
    }

    @Test("the same key twice writes nothing the second time, also from a re-run of a whole batch")
    func duplicateKey() throws {
        let db = try Self.database()
        let drafts = [Self.draft("a", marks: [Self.mark(1, .due)]), Self.draft("b", marks: [Self.mark(2, .due)])]
        let first = try db.writer.write { try Outbox.enqueue(drafts, at: Self.t0, in: $0) }
        #expect(first.inserted == 2 && first.marks == 2)
        let again = try db.writer.write { try Outbox.enqueue(drafts, at: Self.t0.addingTimeInterval(60), in: $0) }
        #expect(again.inserted == 0 && again.duplicates == 2 && again.marks == 0)
        guard case .inserted(let id, _) = first.results[0], case .duplicate(let existing) = again.results[0] else {
            Issue.record("unexpected \(first.results) / \(again.results)"); return
        }
        #expect(existing == id)
        #expect(try db.outboxMessages(status: nil, limit: 100).total == 2)
        #expect(try db.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM outbox_stage") } == 2)
    }

    @Test("one digest marks many stages in the same transaction; a stale plan never repeats a reminded stage")
    func marks() throws {
        let db = try Self.database()
        let digest = Self.draft("reminder/x/2026-03-02", marks: [Self.mark(1, .before(days: 3)), Self.mark(2, .due), Self.mark(3, .after(days: 1)),
                                                                 Self.mark(2, .due)])
        let result = try db.writer.write { try Outbox.enqueue(digest, at: Self.t0, in: $0) }
        guard case .inserted(let id, 3) = result else { Issue.record("unexpected \(result)"); return }
        #expect(try db.outboxStageMarks(id: id) == [Self.mark(1, .before(days: 3)), Self.mark(2, .due), Self.mark(3, .after(days: 1))])
        #expect(try db.outboxMessage(id: id)?.stageCount == 3)

        // Another key with only reminded stages: nothing written.
        let stale = try db.writer.write { try Outbox.enqueue(Self.draft("reminder/x/2026-03-03", marks: [Self.mark(2, .due)]), at: Self.t0, in: $0) }
        #expect(stale == .alreadyReminded)
        #expect(try db.outboxMessages(status: nil, limit: 10).total == 1)
        // Partly new: written with the new mark only.
        let partly = try db.writer.write {
            try Outbox.enqueue(Self.draft("reminder/x/2026-03-04", marks: [Self.mark(2, .due), Self.mark(2, .after(days: 1))]), at: Self.t0, in: $0)
        }
        guard case .inserted(_, 1) = partly else { Issue.record("unexpected \(partly)"); return }

        // The sweep's view: marks of open cycles only.
        let closedMark = try db.writer.write { try Outbox.enqueue(Self.draft("closed", marks: [Self.mark(5, .due)]), at: Self.t0, in: $0) }
        guard case .inserted = closedMark else { Issue.record("unexpected \(closedMark)"); return }
        let open = try db.writer.read { try Outbox.stageMarks(ofOpenCyclesIn: $0) }
        #expect(open == [Self.mark(1, .before(days: 3)), Self.mark(2, .due), Self.mark(3, .after(days: 1)), Self.mark(2, .after(days: 1))])
    }

    @Test("enqueue is part of the caller's transaction: a rollback leaves neither message nor marks")
    func rollback() throws {
        let db = try Self.database()
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try db.writer.write { db in
                _ = try Outbox.enqueue(Self.draft("k", marks: [Self.mark(1, .due)]), at: Self.t0, in: db)
                throw Abort()
            }
        }
        #expect(try db.outboxMessages(status: nil, limit: 10).total == 0)
        #expect(try db.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM outbox_stage") } == 0)
        // A mark of an assignment that does not exist fails the statement (foreign key).
        #expect(throws: DatabaseError.self) {
            try db.writer.write { _ = try Outbox.enqueue(Self.draft("k", marks: [Self.mark(999, .due)]), at: Self.t0, in: $0) }
        }
    }

    @Test("invalid drafts are refused with the key and the reason", arguments: [
        (OutboxDraft(idempotencyKey: "", kind: "reminder", recipientNIP: nil, from: OutboxStoreTests.from, to: [MailAddress(name: "", email: "a@b")], subject: "s", body: "b"), "key is empty"),
        (OutboxDraft(idempotencyKey: "k", kind: "reminder", recipientNIP: nil, from: OutboxStoreTests.from, to: [], subject: "s", body: "b"), "no To address"),
        (OutboxDraft(idempotencyKey: "k", kind: "reminder", recipientNIP: nil, from: OutboxStoreTests.from, to: [MailAddress(name: "", email: "nobody")], subject: "s", body: "b"), "'nobody'"),
    ])
    func invalidDrafts(draft: OutboxDraft, reason: String) throws {
        let db = try Self.database()
        do {
            _ = try db.writer.write { try Outbox.enqueue(draft, at: Self.t0, in: $0) }
            Issue.record("accepted \(draft)")
        } catch let error as OutboxError {
            #expect(error.code == .invalidDraft)
            #expect(error.message.contains(reason), "\(error.message)")
        }
    }

    @Test("claim order, backoff 60 s, 120 s, capped at 200 s, then dead; never claimed before due")
    func backoffThenDead() throws {
        let db = try Self.database()
        _ = try db.writer.write { try Outbox.enqueue([Self.draft("first"), Self.draft("second")], at: Self.t0, in: $0) }
        #expect(try db.claimNextOutboxMessage(now: Self.t0.addingTimeInterval(-1), channel: "sendmail") == nil)
        var now = Self.t0
        var claim = try #require(try db.claimNextOutboxMessage(now: now, channel: "sendmail"))
        #expect(claim.message.idempotencyKey == "first")
        #expect(claim.message.attempts == 1 && claim.message.inFlight && !claim.previousAttemptInterrupted)
        let id = claim.message.id
        var expectedWaits: [TimeInterval] = [60, 120, 200]
        while let wait = expectedWaits.first {
            expectedWaits.removeFirst()
            #expect(try db.markOutboxFailed(id: id, error: "exit 75", at: now, policy: Self.policy) == .retry(at: now.addingTimeInterval(wait)))
            let stored = try #require(try db.outboxMessage(id: id))
            #expect(stored.status == .failed && !stored.inFlight && stored.lastError == "exit 75")
            // The other message is due meanwhile; this one is not, until its wait passed.
            let other = try #require(try db.claimNextOutboxMessage(now: now.addingTimeInterval(wait - 1), channel: "sendmail"))
            #expect(other.message.idempotencyKey == "second")
            try db.markOutboxSent(id: other.message.id, at: now)
            #expect(try db.claimNextOutboxMessage(now: now.addingTimeInterval(wait - 1), channel: "sendmail") == nil)
            now = now.addingTimeInterval(wait)
            claim = try #require(try db.claimNextOutboxMessage(now: now, channel: "sendmail"))
            #expect(claim.message.id == id)
            // Put the sent one back to pending for the next round.
            _ = try db.writer.write { try $0.execute(sql: "UPDATE outbox SET status = 'pending', next_attempt_at = ? WHERE id = ?", arguments: [now, other.message.id]) }
        }
        #expect(claim.message.attempts == 4)
        #expect(try db.markOutboxFailed(id: id, error: "exit 75 again", at: now, policy: Self.policy) == .dead)
        let dead = try #require(try db.outboxMessage(id: id))
        #expect(dead.status == .dead && dead.nextAttemptAt == nil && dead.lastError == "exit 75 again")
        #expect(try db.claimNextOutboxMessage(now: now.addingTimeInterval(86_400), channel: "sendmail")?.message.id != id)
    }

    @Test("an attempt claimed and never recorded is reported as interrupted by the next claim")
    func interrupted() throws {
        let db = try Self.database()
        _ = try db.writer.write { try Outbox.enqueue(Self.draft("k"), at: Self.t0, in: $0) }
        let first = try #require(try db.claimNextOutboxMessage(now: Self.t0, channel: "sendmail"))
        #expect(!first.previousAttemptInterrupted)
        // The daemon dies here. After the restart the message is still due, with the attempt counted.
        let second = try #require(try db.claimNextOutboxMessage(now: Self.t0.addingTimeInterval(5), channel: "sendmail"))
        #expect(second.previousAttemptInterrupted)
        #expect(second.message.attempts == 2)
        try db.markOutboxSent(id: second.message.id, at: Self.t0.addingTimeInterval(6))
        let sent = try #require(try db.outboxMessage(id: second.message.id))
        #expect(sent.status == .sent && !sent.inFlight && sent.sentAt == Self.t0.addingTimeInterval(6) && sent.channel == "sendmail")
        #expect(try db.claimNextOutboxMessage(now: Self.t0.addingTimeInterval(3600), channel: "sendmail") == nil)
    }

    @Test("retry: dead and failed become due now with attempts reset; pending is left; sent is refused")
    func retry() throws {
        let db = try Self.database()
        _ = try db.writer.write { try Outbox.enqueue([Self.draft("dead"), Self.draft("sent"), Self.draft("pending")], at: Self.t0, in: $0) }
        let one = OutboxRetryPolicy(baseDelay: .seconds(60), cap: .seconds(60), maxAttempts: 1)
        let dead = try #require(try db.claimNextOutboxMessage(now: Self.t0, channel: "sendmail"))
        #expect(try db.markOutboxFailed(id: dead.message.id, error: "boom", at: Self.t0, policy: one) == .dead)
        let sent = try #require(try db.claimNextOutboxMessage(now: Self.t0, channel: "journal"))
        try db.markOutboxSent(id: sent.message.id, at: Self.t0)

        let later = Self.t0.addingTimeInterval(3600)
        guard case .retried(let revived) = try db.retryOutboxMessage(id: dead.message.id, now: later) else { Issue.record("not retried"); return }
        #expect(revived.status == .pending && revived.attempts == 0 && revived.nextAttemptAt == later && revived.lastError == "boom")
        guard case .alreadySent = try db.retryOutboxMessage(id: sent.message.id, now: later) else { Issue.record("sent retried"); return }
        guard case .alreadyPending = try db.retryOutboxMessage(id: sent.message.id + 1, now: later) else { Issue.record("pending changed"); return }
        #expect(try db.retryOutboxMessage(id: 999, now: later) == .notFound)
        #expect(try db.outboxMessage(id: sent.message.id)?.status == .sent)
    }

    @Test("retry leaves a failed message whose next attempt is in flight as it is, for the delivery run to resolve")
    func retryKeepsInFlight() throws {
        let db = try Self.database()
        _ = try db.writer.write { try Outbox.enqueue([Self.draft("busy")], at: Self.t0, in: $0) }
        let three = OutboxRetryPolicy(baseDelay: .seconds(60), cap: .seconds(60), maxAttempts: 3)
        let first = try #require(try db.claimNextOutboxMessage(now: Self.t0, channel: "sendmail"))
        #expect(try db.markOutboxFailed(id: first.message.id, error: "busy", at: Self.t0, policy: three) == .retry(at: Self.t0.addingTimeInterval(60)))
        let again = try #require(try db.claimNextOutboxMessage(now: Self.t0.addingTimeInterval(60), channel: "sendmail"))
        #expect(again.message.status == .failed && again.message.inFlight && again.message.attempts == 2)
        guard case .alreadyPending(let kept) = try db.retryOutboxMessage(id: again.message.id, now: Self.t0.addingTimeInterval(61)) else {
            Issue.record("an in-flight message was reset")
            return
        }
        #expect(kept.inFlight && kept.attempts == 2 && kept.status == .failed)
        #expect(try db.inFlightOutboxMessages().map(\.id) == [again.message.id])
    }

    @Test("lists by status with totals, counts for GetStatus, and the sweep's one-a-day lookups")
    func listsAndCounts() throws {
        let db = try Self.database()
        var digest = Self.draft("admin-digest/2026-03-02")
        digest.kind = "admin_digest"
        digest.recipientNIP = nil
        var other = Self.draft("reminder/other/2026-03-02")
        other.recipientNIP = "199001012015032002"
        _ = try db.writer.write { db in
            _ = try Outbox.enqueue([Self.draft("yesterday")], at: Self.t0.addingTimeInterval(-86_400), in: db)
            return try Outbox.enqueue([Self.draft("a"), Self.draft("b"), digest, other], at: Self.t0, in: db)
        }
        let one = OutboxRetryPolicy(baseDelay: .seconds(60), cap: .seconds(60), maxAttempts: 1)
        let claimed = try #require(try db.claimNextOutboxMessage(now: Self.t0, channel: "sendmail"))
        _ = try db.markOutboxFailed(id: claimed.message.id, error: "x", at: Self.t0, policy: one)

        #expect(try db.outboxMessages(status: .dead, limit: 10).messages.map(\.idempotencyKey) == ["yesterday"])
        let pending = try db.outboxMessages(status: .pending, limit: 2)
        #expect(pending.total == 4)
        #expect(pending.messages.map(\.idempotencyKey) == ["reminder/other/2026-03-02", "admin-digest/2026-03-02"])
        let counts = try db.statusCounts(now: Self.t0)
        #expect(counts.pendingMessages == 4 && counts.deadMessages == 1)

        let last = try db.writer.read { try Outbox.lastMessageTimes(since: Self.t0.addingTimeInterval(-3600), in: $0) }
        #expect(last == [NIP(Self.nip)!: Self.t0, NIP("199001012015032002")!: Self.t0])
        #expect(try db.writer.read { try Outbox.lastMessageTime(kind: "admin_digest", in: $0) } == Self.t0)
        #expect(try db.writer.read { try Outbox.lastMessageTime(kind: "escalation", in: $0) } == nil)
    }

    @Test("backoff delays: doubling from the base, capped, for any attempt number")
    func retryPolicy() {
        let policy = OutboxRetryPolicy(baseDelay: .seconds(300), cap: .seconds(6 * 3600), maxAttempts: 10)
        #expect((1...10).map { policy.delay(afterAttempt: $0) } == [300, 600, 1200, 2400, 4800, 9600, 19200, 21600, 21600, 21600].map { .seconds($0) })
        #expect(policy.delay(afterAttempt: 10_000) == .seconds(21600))
        #expect(policy.nextAttempt(afterFailedAttempts: 9, at: Self.t0) == Self.t0.addingTimeInterval(21600))
        #expect(policy.nextAttempt(afterFailedAttempts: 10, at: Self.t0) == nil)
    }

    /// Found by `make load`: with 25,000 reminders waiting, every claim sorted all of them (O(n²) delivery,
    /// about 2 messages a second under load). The claim must walk the due index, never sort.
    @Test("claiming the next due message walks the outbox_due index, without sorting the waiting messages")
    func claimUsesDueIndex() throws {
        let db = try Self.database()
        let plan = try db.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + AppDatabase.nextDueOutboxSQL, arguments: [Self.t0])
                .map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.contains { $0.contains("USING INDEX outbox_due") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
    }
}
