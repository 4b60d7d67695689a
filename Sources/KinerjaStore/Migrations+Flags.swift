import GRDB

extension Migrations {
    /// Low-motivation flags: one row per flag with its stable identity, the latest evidence
    /// and its life cycle, and `flag_event` with every change (who, when, note, status and severity).
    static func registerFlags(_ m: inout DatabaseMigrator) {
        m.registerMigration("v3-flags") { db in
            try db.create(table: "flag") { t in
                t.autoIncrementedPrimaryKey("id")
                // `rule/subject/window start` (FlagIdentity.key): the analysis never inserts it twice.
                t.column("identity", .text).notNull().unique()
                t.column("rule", .text).notNull().check {
                    ["declining_trend", "recognition_gap", "disengaged", "feedback_drop", "stalled_development",
                     "perfunctory_reviewer"].contains($0)
                }
                // The employee concerned: the subject, or the reviewer for perfunctory_reviewer.
                t.column("subject_nip", .text).notNull().indexed()
                // The unit of that employee in the latest period read (results' unit, or the reviewer's).
                t.column("unit_code", .text)
                t.column("window_start", .text).notNull()
                t.column("window_end", .text).notNull()
                // First and last day of the window (YYYY-MM-DD), to match cycles by overlap.
                t.column("window_start_date", .text).notNull()
                t.column("window_end_date", .text).notNull()
                t.column("severity", .text).notNull().check { ["info", "warning", "critical"].contains($0) }
                t.column("status", .text).notNull().check { ["open", "acknowledged", "resolved", "dismissed"].contains($0) }
                // The analysis no longer finds the pattern; the flag stays until a person closes it.
                t.column("condition_cleared", .boolean).notNull().defaults(to: false)
                t.column("cleared_at", .datetime)
                t.column("ratio", .double).notNull()
                // Other rules holding for the same employee, comma-separated.
                t.column("concurrent_rules", .text).notNull().defaults(to: "")
                // FlagEvidence as JSON (snake_case keys), the latest found.
                t.column("evidence", .text).notNull()
                t.column("follow_up", .text).notNull()
                // What was done, when resolved.
                t.column("resolution", .text)
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(index: "flag_status", on: "flag", columns: ["status", "unit_code", "rule"])
            try db.create(table: "flag_event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("flag_id", .integer).notNull().indexed().references("flag", onDelete: .cascade)
                t.column("at", .datetime).notNull()
                // The person (peer credentials), or NULL and `motivation-analysis` for the analysis.
                t.column("actor_uid", .integer)
                t.column("actor", .text).notNull()
                t.column("action", .text).notNull().check {
                    ["created", "escalated", "deescalated", "condition_cleared", "condition_returned", "acknowledged",
                     "resolved", "dismissed"].contains($0)
                }
                t.column("note", .text)
                t.column("from_status", .text)
                t.column("to_status", .text)
                t.column("from_severity", .text)
                t.column("to_severity", .text)
            }
        }
    }
}
