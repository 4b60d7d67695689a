import GRDB

extension Migrations {
    /// The durable outbox of reminder mail: one row per message, written in the same
    /// transaction as the decision to send it, and the (assignment, stage) marks each message covers.
    ///
    /// - `outbox.idempotency_key` is unique: writing the same key twice writes nothing the second time
    ///   (the sweep uses `reminder/<NIP>/<local date>` and `admin-digest/<local date>`).
    /// - `outbox_stage` has one row per (assignment, stage) ever reminded, pointing at the message that
    ///   carried it; its primary key is the per-(assignment, stage) idempotency key of docs/domain-rules.md.
    ///   A mark is not deleted by deleting its message (`outbox_id` restricts), so a reminded stage stays
    ///   reminded; the maintenance job deletes old messages with their marks only once every cycle they
    ///   concern is closed (`AppDatabase.removeFinishedMessages`, `mail.keep_messages`).
    /// - status: `pending` (not yet tried), `failed` (an attempt failed; retried at `next_attempt_at`),
    ///   `sent` (handed to the mail system or logged by the journal channel), `dead` (every attempt
    ///   failed). `in_flight` is 1 from the claim of an attempt until its outcome is recorded: a row
    ///   found in flight by the next claim was being sent when the daemon died.
    /// Addresses are JSON (`{"email":…,"name":…}` and lists of them); instants are GRDB dates (UTC).
    static func registerOutbox(_ m: inout DatabaseMigrator) {
        m.registerMigration("v3-outbox") { db in
            try db.create(table: "outbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("idempotency_key", .text).notNull().unique()
                t.column("kind", .text).notNull()
                // The employee addressed (NIP), for the one-message-a-day rule; NULL for the admin digest.
                t.column("recipient_nip", .text)
                t.column("mail_from", .text).notNull()
                t.column("mail_to", .text).notNull()
                t.column("mail_cc", .text).notNull()
                t.column("subject", .text).notNull()
                t.column("body", .text).notNull()
                // The Message-ID header (without angle brackets), fixed at enqueue: a repeated delivery
                // carries the same one, so receivers can recognise it.
                t.column("message_id", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("status", .text).notNull().defaults(to: "pending")
                    .check { ["pending", "failed", "sent", "dead"].contains($0) }
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("next_attempt_at", .datetime)
                t.column("last_attempt_at", .datetime)
                t.column("in_flight", .boolean).notNull().defaults(to: false)
                t.column("last_error", .text)
                t.column("sent_at", .datetime)
                // The channel of the last attempt (sendmail or journal); NULL before the first.
                t.column("channel", .text)
            }
            try db.execute(sql: """
                CREATE INDEX outbox_due ON outbox(next_attempt_at, id) WHERE status IN ('pending', 'failed')
                """)
            try db.create(index: "outbox_status", on: "outbox", columns: ["status", "id"])
            try db.create(index: "outbox_recipient", on: "outbox", columns: ["recipient_nip", "created_at"])
            try db.create(index: "outbox_kind", on: "outbox", columns: ["kind", "created_at"])
            try db.create(table: "outbox_stage", options: .withoutRowID) { t in
                t.column("assignment_id", .integer).notNull().references("assignment", onDelete: .cascade)
                t.column("stage", .text).notNull()
                t.column("outbox_id", .integer).notNull().references("outbox", onDelete: .restrict)
                t.primaryKey(["assignment_id", "stage"])
            }
            try db.create(index: "outbox_stage_message", on: "outbox_stage", columns: ["outbox_id"])
        }
    }
}
