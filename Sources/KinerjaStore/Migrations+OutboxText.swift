import GRDB

extension Migrations {
    /// `outbox_text (outbox_id, body)`: a message's body in a table of its own, removed
    /// `mail.keep_sent_text` after the message was sent; `outbox.text_removed_at` says when, and
    /// `outbox_text_kept` lists the sent messages whose text is still there, by `sent_at`.
    ///
    /// The body is most of a message (a reminder's is 1 to 2 KB: the names of the colleagues the
    /// reviewer still owes a review, and the personal link's slot) and a quarter at 250,000 employees
    /// writes hundreds of thousands of messages. Emptying the column in place freed nothing: SQLite
    /// does not merge pages that an UPDATE leaves mostly empty, and new messages go to new pages at the
    /// end of the table (50,000 messages emptied that way still took 25,062 pages, 84 MB of them
    /// unused, and as many new messages grew the file by as much again). Rows deleted from
    /// `outbox_text` free their pages, which the next messages reuse. The `outbox` row stays
    /// (recipients, subject, times, Message-ID, and the stage marks that keep the sweep from reminding
    /// a stage twice) until `mail.keep_messages` (`v23-outbox-history`). The partial index holds only the messages the maintenance job still has to look
    /// at, so it stays as small as the retention window whatever the history.
    ///
    /// It rewrites `outbox` (the body column dropped), so the daemon copies the file first
    /// (`Migrations.rewriting`).
    static func registerOutboxText(_ m: inout DatabaseMigrator) {
        m.registerMigration("v22-outbox-text-retention") { db in
            try db.execute(sql: """
                CREATE TABLE outbox_text(
                  outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,
                  body TEXT NOT NULL);
                INSERT INTO outbox_text(outbox_id, body) SELECT id, body FROM outbox ORDER BY id;
                ALTER TABLE outbox DROP COLUMN body;
                ALTER TABLE outbox ADD COLUMN text_removed_at DATETIME;
                CREATE INDEX outbox_text_kept ON outbox(sent_at) WHERE status = 'sent' AND text_removed_at IS NULL;
                """)
        }
    }
}
