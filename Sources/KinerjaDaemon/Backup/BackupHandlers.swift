import Foundation
import Varlink

/// `Backup` in io.kinerjad.Admin: a consistent copy of the database into the backup directory
/// (`WriteBackup`).
extension AdminService {
    static let backupHandlers: [String: Handler] = [
        "Backup": { service, call, reply in
            let result = try await WriteBackup(runtime: service.runtime)(at: service.runtime.now(), unique: true,
                                                                          by: call.peerDescription)
            try await reply.reply(["file": .string(result.file), "size": .int(result.size)])
        },
    ]
}
