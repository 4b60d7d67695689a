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

    /// Runs owed because their data changed (the motivation analysis after a cycle close), written in
    /// the same transaction as the change, so a crash before the run does not lose it: the scheduler
    /// starts every requested job, and a run that ends (ok or failed, not interrupted) removes the
    /// request it claimed at its start.
    static func registerJobRequests(_ m: inout DatabaseMigrator) {
        m.registerMigration("v6-job-requests") { db in
            try db.create(table: "job_request") { t in
                t.primaryKey("name", .text)
                t.column("reason", .text).notNull()
                t.column("requested_at", .datetime).notNull()
                // The run that took the request over (job_run.id); NULL while no run has started since.
                t.column("claimed_by_run", .integer)
            }
        }
    }
}
