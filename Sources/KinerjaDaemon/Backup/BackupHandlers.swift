import Foundation
import KinerjaStore
import Varlink

/// `Backup` in io.kinerjad.Admin: a consistent copy of the database into the backup directory.
extension AdminService {
    static let backupHandlers: [String: Handler] = [
        "Backup": { service, call, reply in
            let result = try await service.backup(requestedBy: call.peerDescription)
            try await reply.reply(["file": .string(result.file), "size": .int(result.size)])
        },
    ]

    /// Writes `kinerja-YYYYMMDD-HHMMSS.sqlite` into the backup directory (a numeric suffix when two
    /// backups fall in the same second). Runs off the event loop.
    func backup(requestedBy peer: String) async throws -> (file: String, size: Int64) {
        let runtime = self.runtime
        let directory = runtime.config.backup.directory
        return try await Task.detached {
            do {
                let result = try BackupFiles.write(runtime.database, directory: directory, date: runtime.now(), unique: true)
                runtime.logger.notice("Database backup written", metadata: [
                    "message_id": "\(MessageIDs.backupWritten)", "file": "\(result.file)", "size": "\(result.size)", "peer": "\(peer)",
                ])
                return (result.file, result.size)
            } catch let error as StoreError {
                throw AdminError.operationFailed(error.message)
            } catch {
                throw AdminError.operationFailed("cannot write a backup into \(directory): \(error.localizedDescription)")
            }
        }.value
    }
}
