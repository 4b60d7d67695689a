import GRDB

extension Migrations {
    /// Scheduled jobs: the last completed slot per job (persistent catch-up) and the run history.
    static func registerJobs(_ m: inout DatabaseMigrator) {
        m.registerMigration("v2-jobs") { db in
            try db.create(table: "job") { t in
                t.primaryKey("name", .text)
                t.column("calendar", .text).notNull()
                t.column("registered_at", .datetime).notNull()
                t.column("last_slot", .datetime)
                t.column("last_outcome", .text)
                t.column("last_message", .text)
                t.column("last_started_at", .datetime)
                t.column("last_finished_at", .datetime)
                t.column("last_duration_ms", .integer)
            }
            try db.create(table: "job_run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().indexed()
                t.column("slot", .datetime)
                t.column("trigger", .text).notNull().check { ["schedule", "catch-up", "manual"].contains($0) }
                t.column("started_at", .datetime).notNull()
                t.column("finished_at", .datetime)
                t.column("outcome", .text).notNull().check { ["running", "ok", "failed", "interrupted"].contains($0) }
                t.column("message", .text)
                t.column("duration_ms", .integer)
            }
        }
    }
}
