import Foundation
import GRDB

/// What one pass of `removeFinishedMessages` did.
public struct OutboxHistoryRemoval: Sendable, Equatable {
    /// Messages deleted, with their text, stage marks and follow-up notices.
    public var removed = 0
    /// Messages old enough that stay: still to be sent (pending or failed), or carrying a stage of a
    /// cycle still open or a notice of a follow-up task not yet closed.
    public var kept = 0

    public init(removed: Int = 0, kept: Int = 0) {
        self.removed = removed
        self.kept = kept
    }
}

extension AppDatabase {
    /// Messages looked at in one write transaction of `removeFinishedMessages`.
    public static let historyRemovalBatch = 2_000

    /// Deletes every message written before `cutoff` that is finished with and that nothing still
    /// owed depends on, `batch` messages looked at a transaction, oldest first:
    /// - sent or dead: a pending or failed message may still be mailed, so it stays;
    /// - each of its stage marks is of an assignment of a closed cycle: the sweep reminds only open
    ///   cycles, so a closed cycle's marks keep nothing from being sent twice;
    /// - each of its follow-up notices is of a task that is closed: an open, held, overdue or
    ///   escalated task is told its next stage by looking for the notices it already had.
    /// The message goes with its text, marks and notices in one transaction. Every idempotency key the
    /// daemon writes names the local day it was written on (`reminder/NIP/date`,
    /// `admin-digest/date`, `followup/NIP/date`), so a deleted key is never written again.
    ///
    /// The messages are read in id order, which is the order they were written in, and the pass stops
    /// at the first one written at or after `cutoff`: its cost follows the messages it removes, not
    /// the history. (A clock set back between two writes can stop it early; the next pass goes on.)
    @discardableResult
    public func removeFinishedMessages(createdBefore cutoff: Date, batch: Int = historyRemovalBatch) throws -> OutboxHistoryRemoval {
        precondition(batch > 0, "a batch looks at one message at least")
        var result = OutboxHistoryRemoval()
        var after: Int64 = 0
        while true {
            let (seen, reachedCutoff, last) = try writer.write { db in
                try Self.removeFinishedBatch(db, after: after, cutoff: cutoff, batch: batch, into: &result)
            }
            after = last
            if reachedCutoff || seen < batch { return result }
        }
    }

    /// One transaction of `removeFinishedMessages`: returns how many messages it read, whether it met
    /// one written at or after the cutoff, and the last id it decided on.
    private static func removeFinishedBatch(_ db: Database, after: Int64, cutoff: Date, batch: Int,
                                            into result: inout OutboxHistoryRemoval) throws -> (Int, Bool, Int64) {
        let rows = try Row.fetchAll(db.cachedStatement(sql: oldestMessagesSQL), arguments: [after, batch])
        let openMark = try db.cachedStatement(sql: openStageMarkSQL)
        let openNotice = try db.cachedStatement(sql: openNoticeSQL)
        let deletes = try deleteMessageSQL.map { try db.cachedStatement(sql: $0) }
        var last = after
        for row in rows {
            let id: Int64 = row[0], status: String = row[1], createdAt: Date = row[2]
            if createdAt >= cutoff { return (rows.count, true, last) }
            last = id
            guard status == "sent" || status == "dead",
                  try Bool.fetchOne(openMark, arguments: [id]) == nil,
                  try Bool.fetchOne(openNotice, arguments: [id]) == nil else {
                result.kept += 1
                continue
            }
            for statement in deletes { try statement.execute(arguments: [id]) }
            result.removed += 1
        }
        return (rows.count, false, last)
    }

    /// The next messages by id (the table's own order; no index needed).
    static let oldestMessagesSQL = "SELECT id, status, created_at FROM outbox WHERE id > ? ORDER BY id LIMIT ?"

    /// A stage mark of the message on an assignment of a cycle not closed (by `outbox_stage_message`).
    static let openStageMarkSQL = """
        SELECT 1 FROM outbox_stage s JOIN assignment a ON a.id = s.assignment_id JOIN cycle c ON c.id = a.cycle_id
        WHERE s.outbox_id = ? AND c.status <> 'closed' LIMIT 1
        """

    /// A follow-up notice of the message for a task not closed (by `followup_notice_message`).
    static let openNoticeSQL = """
        SELECT 1 FROM followup_notice n JOIN followup f ON f.id = n.followup_id
        WHERE n.outbox_id = ? AND f.status <> 'closed' LIMIT 1
        """

    /// A message and what refers to it, children first (their foreign keys restrict the delete).
    static let deleteMessageSQL = [
        "DELETE FROM outbox_stage WHERE outbox_id = ?",
        "DELETE FROM followup_notice WHERE outbox_id = ?",
        "DELETE FROM outbox_text WHERE outbox_id = ?",
        "DELETE FROM outbox WHERE id = ?",
    ]
}
