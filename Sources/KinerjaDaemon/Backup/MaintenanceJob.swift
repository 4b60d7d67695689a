import Foundation

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
