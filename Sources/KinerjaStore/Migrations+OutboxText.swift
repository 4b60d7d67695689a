import GRDB

extension Migrations {
    /// `outbox.text_removed_at`: when the text of a sent message was removed (`mail.keep_sent_text`),
    /// and `outbox_text_kept`, the sent messages still holding theirs, by `sent_at`.
    ///
    /// A message's body is most of its row (a reminder's is 1 to 2 KB: the names of the colleagues
    /// the reviewer still owes a review, and the personal link's slot), and a quarter at 250,000
    /// employees writes hundreds of thousands of messages. The maintenance job removes the body of
    /// each message sent longer ago than `mail.keep_sent_text`; the row stays (recipient, kind,
    /// subject, times, Message-ID and its stage marks: the record that a reminder went out, which the
    /// sweep needs so that no stage is reminded twice). The partial index holds only the messages the
    /// job still has to look at, so it stays as small as the retention window whatever the history.
    static func registerOutboxText(_ m: inout DatabaseMigrator) {
        m.registerMigration("v22-outbox-text-retention") { db in
            try db.execute(sql: """
                ALTER TABLE outbox ADD COLUMN text_removed_at DATETIME;
                CREATE INDEX outbox_text_kept ON outbox(sent_at) WHERE status = 'sent' AND text_removed_at IS NULL;
                """)
        }
    }
}
