import Foundation
import GRDB

extension AppDatabase {
    /// Messages whose text is removed in one write transaction: short enough that a reader or the
    /// sweep never waits long behind it.
    public static let textRemovalBatch = 2_000

    /// Removes the body of every message sent before `cutoff` that still has one, `batch` messages a
    /// transaction, oldest first; records `now` as when. The rest of each row stays: it is the record
    /// that the message went out, and its stage marks keep the sweep from reminding those stages again.
    /// Only sent messages lose their text: a pending, failed or dead one may still be mailed.
    /// Returns how many messages lost their text.
    @discardableResult
    public func removeSentText(sentBefore cutoff: Date, now: Date, batch: Int = textRemovalBatch) throws -> Int {
        precondition(batch > 0, "a batch removes at least one message's text")
        var removed = 0
        while true {
            let n = try writer.write { db in
                try db.execute(sql: Self.removeSentTextSQL, arguments: [now, cutoff, batch])
                return db.changesCount
            }
            removed += n
            if n < batch { return removed }
        }
    }

    /// The next batch of sent messages still holding their text, found through `outbox_text_kept`
    /// (which holds only those): the job's cost follows the messages it changes, not the history.
    static let removeSentTextSQL = """
        UPDATE outbox SET body = '', text_removed_at = ?
        WHERE id IN (SELECT id FROM outbox INDEXED BY outbox_text_kept
                     WHERE status = 'sent' AND text_removed_at IS NULL AND sent_at < ?
                     ORDER BY sent_at LIMIT ?)
        """
}
