import Foundation
import GRDB

extension AppDatabase {
    /// Messages whose text is removed in one write transaction: short enough that a reader or the
    /// sweep never waits long behind it.
    public static let textRemovalBatch = 2_000

    /// Removes the body (its `outbox_text` row, whose pages the next messages reuse) of every message
    /// sent before `cutoff` that still has one, `batch` messages a transaction, oldest first; records
    /// `now` as when. The `outbox` row stays (until `removeFinishedMessages`): it is the record that
    /// the message went out, and its stage marks keep the sweep from reminding those stages again. Only
    /// sent messages lose their text: a pending, failed or dead one may still be mailed. `stopped` is
    /// asked between transactions (a shutdown). Returns how many messages lost it.
    @discardableResult
    public func removeSentText(sentBefore cutoff: Date, now: Date, batch: Int = textRemovalBatch,
                               stopped: () -> Bool = { false }) throws -> Int {
        precondition(batch > 0, "a batch removes at least one message's text")
        var removed = 0
        while !stopped() {
            let n = try writer.write { db in
                let ids = try Int64.fetchAll(db, sql: Self.sentWithTextSQL, arguments: [cutoff, batch])
                let marked = try db.cachedStatement(sql: "UPDATE outbox SET text_removed_at = ? WHERE id = ?")
                let deleted = try db.cachedStatement(sql: "DELETE FROM outbox_text WHERE outbox_id = ?")
                for id in ids {
                    try marked.execute(arguments: [now, id])
                    try deleted.execute(arguments: [id])
                }
                return ids.count
            }
            removed += n
            if n < batch { break }
        }
        return removed
    }

    /// The next batch of sent messages still holding their text, found through `outbox_text_kept`
    /// (which holds only those): the job's cost follows the messages it changes, not the history.
    static let sentWithTextSQL = """
        SELECT id FROM outbox INDEXED BY outbox_text_kept
        WHERE status = 'sent' AND text_removed_at IS NULL AND sent_at < ?
        ORDER BY sent_at LIMIT ?
        """
}
