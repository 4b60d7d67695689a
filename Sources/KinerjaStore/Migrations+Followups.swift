import GRDB

extension Migrations {
    /// Follow-up tasks: one row per flag that reached `followup.min_severity` (its `flag_id` is
    /// unique, so re-analysis and restarts never add a second), with the atasan who must hold the
    /// dialog, the due date, the life cycle and the recorded outcome; `followup_event` keeps every
    /// change; `followup_notice` the (task, stage) messages already written to the outbox, like
    /// `outbox_stage` for reviews; `followup_link` the atasan's personal links, only as SHA-256;
    /// `training_course` the imported training catalogue and `followup_training` the courses recommended
    /// for a task, with why.
    static func registerFollowups(_ m: inout DatabaseMigrator) {
        m.registerMigration("v10-followups") { db in
            try db.create(table: "followup") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("flag_id", .integer).notNull().unique().references("flag", onDelete: .cascade)
                t.column("subject_nip", .text).notNull().indexed()
                t.column("unit_code", .text)
                // Who holds the dialog: the active Plt/Plh, else the active atasan, else whoever wrote the
                // subject's latest atasan review (an appraiser outside the file); NULL when nobody is known.
                t.column("appraiser_nip", .text)
                t.column("appraiser_source", .text)
                t.column("recommendation", .text).notNull()
                t.column("status", .text).notNull().check { ["open", "held", "closed", "overdue", "escalated"].contains($0) }
                t.column("created_at", .datetime).notNull()
                // Local days (YYYY-MM-DD, cycles.time_zone).
                t.column("created_on", .text).notNull()
                t.column("due_date", .text).notNull()
                t.column("held_on", .text)
                t.column("agreed_action", .text).check {
                    $0 == nil || ["training", "mentoring", "workload_change", "none_needed", "other"].contains($0)
                }
                t.column("note", .text)
                t.column("next_check", .text)
                t.column("recorded_by", .text)
                t.column("recorded_via", .text)
                t.column("recorded_at", .datetime)
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(index: "followup_status", on: "followup", columns: ["status", "due_date"])
            try db.create(index: "followup_appraiser", on: "followup", columns: ["appraiser_nip", "status"])
            try db.create(table: "followup_event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("followup_id", .integer).notNull().indexed().references("followup", onDelete: .cascade)
                t.column("at", .datetime).notNull()
                t.column("actor", .text).notNull()
                t.column("action", .text).notNull().check {
                    ["created", "told", "overdue", "escalated", "held", "closed"].contains($0)
                }
                t.column("note", .text)
            }
            try db.create(table: "followup_notice", options: .withoutRowID) { t in
                t.column("followup_id", .integer).notNull().references("followup", onDelete: .cascade)
                t.column("stage", .text).notNull().check { ["new", "overdue", "escalated"].contains($0) }
                t.column("outbox_id", .integer).notNull().references("outbox", onDelete: .restrict)
                t.primaryKey(["followup_id", "stage"])
            }
            try db.create(table: "followup_link") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("followup_id", .integer).notNull().indexed().references("followup", onDelete: .cascade)
                t.column("token_sha256", .blob).notNull().unique()
                t.column("created_at", .datetime).notNull()
                t.column("revoked_at", .datetime)
            }
            try db.create(table: "training_course") { t in
                t.primaryKey("code", .text)
                t.column("title", .text).notNull()
                t.column("provider", .text).notNull()
                t.column("mode", .text).notNull().check { ["klasikal", "e-learning", "coaching"].contains($0) }
                t.column("hours", .double).notNull()
                // BerAKHLAK value column names and other competencies, ';'-separated.
                t.column("bervalues", .text).notNull()
                t.column("competencies", .text).notNull()
                t.column("imported_at", .datetime).notNull()
            }
            try db.create(table: "followup_training", options: .withoutRowID) { t in
                t.column("followup_id", .integer).notNull().references("followup", onDelete: .cascade)
                t.column("code", .text).notNull()
                t.column("reason", .text).notNull()
                t.column("rank", .integer).notNull()
                t.primaryKey(["followup_id", "code"])
            }
        }
    }
}
