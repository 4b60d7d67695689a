import Foundation

/// `maintenance`: writes the slot's backup (`WriteBackup`), rotates old ones, checkpoints the WAL and
/// refreshes SQLite's statistics.
struct MaintenanceJob: ScheduledJob {
    let runtime: DaemonRuntime
    var name: String { "maintenance" }

    func run(slot: Date) async throws -> String {
        let config = runtime.config
        let backup = try await WriteBackup(runtime: runtime)(at: slot, unique: false, by: "scheduler (\(name))")
        try Task.checkCancellation()
        let directory = config.backup.directory, keep = config.backup.keep
        let (removed, wal) = try await runtime.withDatabase { database in
            (try BackupFiles.rotate(directory: directory, keep: keep), try database.maintain())
        }
        return "backup \(backup.written ? "written" : "already present"): \((backup.file as NSString).lastPathComponent); "
            + "\(removed.count) old backup(s) removed; WAL checkpointed (\(wal.checkpointed) of \(wal.walPages) pages)"
    }
}
