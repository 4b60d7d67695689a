import GRDB

extension Migrations {
    /// `followup_notice_message`: the follow-up notices by the message that carried them.
    ///
    /// The maintenance job deletes whole messages once `mail.keep_messages` has passed and nothing
    /// they carry can still be owed (`AppDatabase.removeFinishedMessages`). Deleting an `outbox` row
    /// makes SQLite look for the rows that refer to it: `outbox_text` by its key, `outbox_stage` by
    /// `outbox_stage_message`, and without this index every deleted message would read the whole of
    /// `followup_notice`. The job's own check (a notice of a task still open) reads it the same way.
    static func registerOutboxHistory(_ m: inout DatabaseMigrator) {
        m.registerMigration("v23-outbox-history") { db in
            try db.create(index: "followup_notice_message", on: "followup_notice", columns: ["outbox_id"])
        }
    }
}
