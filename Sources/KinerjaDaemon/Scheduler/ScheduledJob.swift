import Foundation

/// Work the scheduler runs at the slots of a calendar expression. A run must be idempotent (running
/// it twice for a slot changes nothing the second time) and should check `Task.isCancelled` between
/// batches so that SIGTERM ends it cleanly (its transaction rolls back or completes).
public protocol ScheduledJob: Sendable {
    /// The job's name as in the configuration and `kinerjactl jobs`.
    var name: String { get }
    /// Runs the job for `slot` (the scheduled instant, or now for a manual run) and returns a one-line
    /// summary of what it did. Throwing marks the run failed with the error's description.
    func run(slot: Date) async throws -> String
}

/// Writes a backup, rotates old ones, checkpoints the WAL and refreshes SQLite's statistics.
struct MaintenanceJob: ScheduledJob {
    let runtime: DaemonRuntime
    var name: String { "maintenance" }

    func run(slot: Date) async throws -> String {
        let config = runtime.config
        let backup = try BackupFiles.write(runtime.database, directory: config.backup.directory, date: slot, unique: false)
        try Task.checkCancellation()
        let removed = try BackupFiles.rotate(directory: config.backup.directory, keep: config.backup.keep)
        let wal = try runtime.database.maintain()
        if backup.written {
            runtime.logger.notice("Database backup written", metadata: [
                "message_id": "\(MessageIDs.backupWritten)", "file": "\(backup.file)", "size": "\(backup.size)", "peer": "maintenance job",
            ])
        }
        return "backup \(backup.written ? "written" : "already present"): \((backup.file as NSString).lastPathComponent); "
            + "\(removed.count) old backup(s) removed; WAL checkpointed (\(wal.checkpointed) of \(wal.walPages) pages)"
    }
}
