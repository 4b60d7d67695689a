import Foundation
import KinerjaStore

/// Writing a database backup: the one implementation behind the `Backup` method and the
/// `maintenance` job. Writes `kinerja-YYYYMMDD-HHMMSS.sqlite` into `backup.directory` off the
/// concurrency pool and logs `MessageIDs.backupWritten` with the same fields whoever asked.
struct WriteBackup {
    let runtime: DaemonRuntime

    /// Backs up as of `date`. With `unique` (an admin's request) a second backup in the same second
    /// gets a numeric suffix; without it (a job slot run again) an existing file means it was made.
    func callAsFunction(at date: Date, unique: Bool, by actor: String) async throws -> (file: String, size: Int64, written: Bool) {
        let directory = runtime.config.backup.directory
        let result = try await runtime.withDatabase { database in
            do {
                return try BackupFiles.write(database, directory: directory, date: date, unique: unique)
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError(.backupFailed, "cannot write a backup into \(directory): \(error.localizedDescription)")
            }
        }
        if result.written {
            runtime.logger.notice("Database backup written", metadata: [
                "message_id": "\(MessageIDs.backupWritten)", "file": "\(result.file)", "size": "\(result.size)", "peer": "\(actor)",
            ])
        }
        return result
    }
}
