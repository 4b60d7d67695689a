import Foundation
import GRDB
import KinerjaDomain

/// Writing into the outbox, and the reads the reminder sweep decides from. Every function takes the
/// caller's `Database`, so the sweep runs them INSIDE its own write transaction: the stage marks,
/// the messages and whatever else it records commit together or not at all.
///
/// ```swift
/// try database.writer.write { db in
///     let sent = try Outbox.stageMarks(ofOpenCyclesIn: db)
///     let last = try Outbox.lastMessageTimes(since: startOfToday, in: db)
///     let plan = planner.plan(owed: …, alreadySent: sent, lastMessagePerRecipient: last, now: now)
///     _ = try Outbox.enqueue(drafts(plan), at: now, in: db)
/// }
/// ```
public enum Outbox {
    /// Writes one message and its stage marks, unless its idempotency key is stored already
    /// (`.duplicate`) or every one of its marks is (`.alreadyReminded`: a stale plan never repeats a
    /// reminder). Marks already recorded by an earlier message are skipped, the others written.
    /// The message is pending and due at `now`; its Message-ID is fixed here.
    /// - Throws: `OutboxError(.invalidDraft)` for an empty key, no `to` address, an address without
    ///   '@'; a `DatabaseError` (e.g. a foreign-key failure for a mark of an unknown assignment).
    public static func enqueue(_ draft: OutboxDraft, at now: Date, in db: Database) throws -> EnqueueResult {
        if let existing = try validateNew(draft, in: db) { return .duplicate(existingID: existing) }
        let marks = Array(Set(draft.marks)).sorted()
        if !marks.isEmpty {
            let exists = try db.cachedStatement(sql: "SELECT 1 FROM outbox_stage WHERE assignment_id = ? AND stage = ?")
            var known = 0
            for mark in marks where try Int.fetchOne(exists, arguments: [mark.assignmentID, mark.stage.id]) != nil {
                known += 1
            }
            if known == marks.count { return .alreadyReminded }
        }
        let id = try insertMessage(draft, at: now, in: db)
        var added = 0
        let insertMark = try db.cachedStatement(sql: """
            INSERT INTO outbox_stage (assignment_id, stage, outbox_id) VALUES (?, ?, ?)
            ON CONFLICT (assignment_id, stage) DO NOTHING
            """)
        for mark in marks {
            try insertMark.execute(arguments: [mark.assignmentID, mark.stage.id, id])
            added += db.changesCount
        }
        return .inserted(id: id, newMarks: added)
    }

    /// Writes one message of the reminder sweep, as `enqueue(_:at:in:)`, but hands its stage marks to
    /// `marks`, which writes them when the sweep ends, in key order (`SweepMarks`); the result counts
    /// them as new. It looks none of them up: the sweep plans from the marks it reads in its own write
    /// transaction, so every mark it writes is new, and each assignment has one reviewer, so one
    /// message of the sweep carries it (the final insert still keeps a mark stored before).
    public static func enqueue(_ draft: OutboxDraft, at now: Date, marks: inout SweepMarks, in db: Database) throws -> EnqueueResult {
        if let existing = try validateNew(draft, in: db) { return .duplicate(existingID: existing) }
        let id = try insertMessage(draft, at: now, in: db)
        let own = Array(Set(draft.marks))
        try marks.add(own, message: id, in: db)
        return .inserted(id: id, newMarks: own.count)
    }

    /// Checks `draft`; the id of the message stored with its idempotency key, if any.
    static func validateNew(_ draft: OutboxDraft, in db: Database) throws -> Int64? {
        try validate(draft)
        return try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM outbox WHERE idempotency_key = ?"), arguments: [draft.idempotencyKey])
    }

    /// Writes the message row, pending and due at `now`; returns its id.
    static func insertMessage(_ draft: OutboxDraft, at now: Date, in db: Database) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO outbox (idempotency_key, kind, recipient_nip, mail_from, mail_to, mail_cc, subject,
                                message_id, created_at, status, attempts, next_attempt_at, in_flight)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, 0)
            """).execute(arguments: [
                draft.idempotencyKey, draft.kind, draft.recipientNIP, AddressCoding.encode(draft.from),
                AddressCoding.encode(draft.to), AddressCoding.encode(draft.cc), draft.subject,
                messageID(for: draft.from), now, now,
            ])
        let id = db.lastInsertedRowID
        // The body in a table of its own, removed once mail.keep_sent_text has passed (Migrations+OutboxText.swift).
        try db.cachedStatement(sql: "INSERT INTO outbox_text (outbox_id, body) VALUES (?, ?)").execute(arguments: [id, draft.body])
        return id
    }

    /// Writes several drafts in order (each as `enqueue(_:at:in:)`), reusing prepared statements.
    public static func enqueue(_ drafts: [OutboxDraft], at now: Date, in db: Database) throws -> EnqueueSummary {
        var summary = EnqueueSummary()
        summary.results.reserveCapacity(drafts.count)
        for draft in drafts {
            let result = try enqueue(draft, at: now, in: db)
            summary.add(result)
            summary.results.append(result)
        }
        return summary
    }

    /// The (assignment, stage) marks of the assignments of open cycles.
    public static func stageMarks(ofOpenCyclesIn db: Database) throws -> Set<ReminderStageKey> {
        try stageMarkHistory(ofOpenCyclesIn: db).marks
    }

    /// The marks of the assignments of open cycles, and per assignment when the message carrying its
    /// latest mark was written (the pace of the next overdue reminder). One query.
    /// - Throws: `OutboxError(.corruptRow)` for a stored stage that is not a stage identifier.
    public static func stageMarkHistory(ofOpenCyclesIn db: Database) throws -> (marks: Set<ReminderStageKey>, lastMarkedAt: [Int64: Date]) {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT s.assignment_id, s.stage, o.created_at FROM outbox_stage s
            JOIN assignment a ON a.id = s.assignment_id
            JOIN cycle c ON c.id = a.cycle_id
            JOIN outbox o ON o.id = s.outbox_id
            WHERE c.status = 'open'
            """)
        return try stageMarks(from: rows)
    }

    /// Stage marks from rows of (assignment_id, stage, …), and per assignment when its latest mark
    /// was written: `writtenAt` of each row (by default its third column, the message's created_at;
    /// `nil`: not known).
    static func stageMarks(from rows: RowCursor, writtenAt: (Row) throws -> Date? = { $0[2] })
        throws -> (marks: Set<ReminderStageKey>, lastMarkedAt: [Int64: Date]) {
        var marks = Set<ReminderStageKey>()
        var lastMarkedAt: [Int64: Date] = [:]
        while let row = try rows.next() {
            let text: String = row[1]
            guard let stage = ReminderStage(id: text) else {
                throw OutboxError(.corruptRow, "outbox_stage: assignment \(row[0] as Int64) has an unknown stage '\(text)'")
            }
            let id: Int64 = row[0]
            marks.insert(ReminderStageKey(assignmentID: id, stage: stage))
            guard let at = try writtenAt(row) else { continue }
            if lastMarkedAt[id].map({ $0 < at }) ?? true { lastMarkedAt[id] = at }
        }
        return (marks, lastMarkedAt)
    }

    /// The marks one message carries, sorted.
    public static func stageMarks(ofMessage id: Int64, in db: Database) throws -> [ReminderStageKey] {
        let rows = try Row.fetchAll(db, sql: "SELECT assignment_id, stage FROM outbox_stage WHERE outbox_id = ?", arguments: [id])
        return try rows.map { row in
            let text: String = row[1]
            guard let stage = ReminderStage(id: text) else {
                throw OutboxError(.corruptRow, "outbox_stage: message \(id) has an unknown stage '\(text)'")
            }
            return ReminderStageKey(assignmentID: row[0], stage: stage)
        }.sorted()
    }

    /// When the last message addressed to each employee was written, for messages written at or
    /// after `since` (the planner's one-a-day rule needs only today's). Whatever their status: a
    /// message written today counts even if it is still pending or died.
    public static func lastMessageTimes(since: Date, in db: Database) throws -> [NIP: Date] {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT recipient_nip, MAX(created_at) FROM outbox
            WHERE recipient_nip IS NOT NULL AND created_at >= ?
            GROUP BY recipient_nip
            """, arguments: [since])
        return try lastMessageTimes(from: rows)
    }

    static func lastMessageTimes(from rows: RowCursor) throws -> [NIP: Date] {
        var result: [NIP: Date] = [:]
        while let row = try rows.next() {
            if let nip = NIP(row[0] as String) { result[nip] = row[1] }
        }
        return result
    }

    /// When the last message of `kind` was written (e.g. `admin_digest`), or `nil`.
    public static func lastMessageTime(kind: String, in db: Database) throws -> Date? {
        try Date.fetchOne(db, sql: "SELECT MAX(created_at) FROM outbox WHERE kind = ?", arguments: [kind])
    }

    static func validate(_ draft: OutboxDraft) throws {
        func fail(_ reason: String) -> OutboxError {
            OutboxError(.invalidDraft, "outbox message '\(draft.idempotencyKey)': \(reason)")
        }
        if draft.idempotencyKey.isEmpty { throw fail("the idempotency key is empty") }
        if draft.kind.isEmpty { throw fail("the kind is empty") }
        if draft.to.isEmpty { throw fail("no To address") }
        let addresses = [("from", draft.from)] + draft.to.map { ("to", $0) } + draft.cc.map { ("cc", $0) }
        for (field, address) in addresses {
            let parts = address.email.split(separator: "@", omittingEmptySubsequences: false)
            if parts.count != 2 || parts[0].isEmpty || parts[1].isEmpty {
                throw fail("\(field) address '\(address.email)' is not of the form local@domain")
            }
        }
    }

    /// `kinerjad.<32 hex digits>@<the From address's domain>`: unique, and stable once stored.
    static func messageID(for from: MailAddress) -> String {
        let domain = from.email.split(separator: "@").last.map(String.init) ?? "localhost"
        let hex = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return "kinerjad.\(hex)@\(domain)"
    }
}

/// The stage marks of one reminder sweep, gathered as its messages are written and written to
/// `outbox_stage` at its end, in the table's key order (assignment, stage).
///
/// The sweep goes reviewer by reviewer; a reviewer's assignments lie anywhere in the cycle (an open
/// writes them subject by subject), so writing each message's marks with it put every mark at a
/// random place in `outbox_stage` and checked its assignment (the foreign key) at a random place in
/// `assignment`: two random page reads per mark, which at 250,000 employees miss SQLite's page cache
/// where at 25,000 they mostly hit. Gathered in a temporary table (appended, in the connection's
/// temporary storage, so memory stays bounded) and inserted sorted, they are written front to back.
/// Inside the sweep's transaction: a crash leaves none of them, as before, and no message without them.
public struct SweepMarks {
    /// Starts an empty list (the temporary table, created if needed, emptied).
    public init(in db: Database) throws {
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS sweep_mark (assignment_id INTEGER NOT NULL, stage TEXT NOT NULL, outbox_id INTEGER NOT NULL)
            """)
        try db.execute(sql: "DELETE FROM temp.sweep_mark")
    }

    mutating func add(_ marks: [ReminderStageKey], message id: Int64, in db: Database) throws {
        guard !marks.isEmpty else { return }
        let insert = try db.cachedStatement(sql: "INSERT INTO temp.sweep_mark (assignment_id, stage, outbox_id) VALUES (?, ?, ?)")
        for mark in marks { try insert.execute(arguments: [mark.assignmentID, mark.stage.id, id]) }
    }

    /// Writes the marks gathered, in key order, skipping any stored already; drops the temporary
    /// table. Returns the marks written.
    public func write(in db: Database) throws -> Int {
        try db.execute(sql: Self.writeSQL)
        let written = db.changesCount
        try db.execute(sql: "DROP TABLE temp.sweep_mark")
        return written
    }

    /// `WHERE true`: SQLite's grammar needs a WHERE before an upsert's ON CONFLICT after a SELECT.
    static let writeSQL = """
        INSERT INTO outbox_stage (assignment_id, stage, outbox_id)
        SELECT assignment_id, stage, outbox_id FROM temp.sweep_mark WHERE true ORDER BY assignment_id, stage
        ON CONFLICT (assignment_id, stage) DO NOTHING
        """
}
