import Foundation
import GRDB
import KinerjaPausePoints

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
    /// after a whole batch in a row written at or after `cutoff`: its cost follows the messages it
    /// removes, not the history. A message dated out of order (a clock set wrong for a while) is
    /// passed over, not a wall: the older ones after it are still removed.
    ///
    /// `stopped` is asked between transactions (a shutdown); what is done stays done and the next pass
    /// goes on from the oldest message left.
    @discardableResult
    public func removeFinishedMessages(createdBefore cutoff: Date, batch: Int = historyRemovalBatch,
                                       stopped: () -> Bool = { false }) throws -> OutboxHistoryRemoval {
        precondition(batch > 0, "a batch looks at one message at least")
        var result = OutboxHistoryRemoval()
        var walk = HistoryWalk()
        while !stopped() {
            let (seen, next) = try writer.write { db in
                var walk = walk
                let seen = try Self.removeFinishedBatch(db, walk: &walk, cutoff: cutoff, batch: batch, into: &result)
                return (seen, walk)
            }
            walk = next
            if seen < batch || walk.newerInARow >= batch { break }
        }
        return result
    }

    /// Where the pass is: the last id it read, and how many messages in a row up to it were written at
    /// or after the cutoff.
    struct HistoryWalk {
        var after: Int64 = 0
        var newerInARow = 0
    }

    /// One transaction of `removeFinishedMessages`: returns how many messages it read.
    private static func removeFinishedBatch(_ db: Database, walk: inout HistoryWalk, cutoff: Date, batch: Int,
                                            into result: inout OutboxHistoryRemoval) throws -> Int {
        let rows = try Row.fetchAll(db.cachedStatement(sql: oldestMessagesSQL), arguments: [walk.after, batch])
        let openMark = try db.cachedStatement(sql: openStageMarkSQL)
        let openNotice = try db.cachedStatement(sql: openNoticeSQL)
        let deletes = try deleteMessageSQL.map { try db.cachedStatement(sql: $0) }
        var deletedHere = false
        for row in rows {
            let id: Int64 = row[0], status: String = row[1], createdAt: Date = row[2]
            walk.after = id
            if createdAt >= cutoff {
                walk.newerInARow += 1
                continue
            }
            walk.newerInARow = 0
            guard status == "sent" || status == "dead",
                  try Bool.fetchOne(openMark, arguments: [id]) == nil,
                  try Bool.fetchOne(openNotice, arguments: [id]) == nil else {
                result.kept += 1
                continue
            }
            for statement in deletes { try statement.execute(arguments: [id]) }
            result.removed += 1
            deletedHere = true
        }
        // The crash harness kills here: the batch's deletions are written but not committed.
        #if DEBUG
        if deletedHere { PausePoint.reach("outbox-history.batch-deleted") }
        #endif
        return rows.count
    }

    /// The next messages by id (the table's own order; no index needed).
    static let oldestMessagesSQL = "SELECT id, status, created_at FROM outbox WHERE id > ? ORDER BY id LIMIT ?"

    /// A stage mark of the message on an assignment of a cycle not closed: the message's few marks by
    /// `outbox_stage_message`, each one's assignment and cycle by key (CROSS JOIN keeps that order
    /// whatever the statistics say of the small `cycle` table).
    static let openStageMarkSQL = """
        SELECT 1 FROM outbox_stage s CROSS JOIN assignment a ON a.id = s.assignment_id CROSS JOIN cycle c ON c.id = a.cycle_id
        WHERE s.outbox_id = ? AND c.status <> 'closed' LIMIT 1
        """

    /// A follow-up notice of the message for a task not closed (by `followup_notice_message`, then the
    /// task by key).
    static let openNoticeSQL = """
        SELECT 1 FROM followup_notice n CROSS JOIN followup f ON f.id = n.followup_id
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
