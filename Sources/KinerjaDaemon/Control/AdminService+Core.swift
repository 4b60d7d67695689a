import Foundation
import KinerjaDomain
import KinerjaStore
import Logging
import Varlink

extension AdminService {
    static let coreHandlers: [String: Handler] = [
        "Ping": { _, _, reply in
            try await reply.reply(["version": .string(KinerjaVersion.string)])
        },
        "GetStatus": { service, _, reply in
            try await reply.reply(try service.status())
        },
        "Reload": { service, call, reply in
            service.runtime.logger.info("Reload requested over the control socket", metadata: ["peer": "\(call.peerDescription)"])
            switch service.runtime.reload() {
            case .reloaded(let restart):
                try await reply.reply(["restart_needed": .array(restart.map { .string($0) })])
            case .refused(let error):
                throw AdminError.configInvalid(error.problems.map(\.description))
            }
        },
        "SetLogLevel": { service, call, reply in
            let text = call.parameters["level"]?.stringValue ?? ""
            guard let level = DaemonConfig.levelChoices.first(where: { $0.0 == text.lowercased() })?.1 else {
                throw AdminError.invalidInput(["level: \"\(text)\" is not one of \(DaemonConfig.levelChoices.map(\.0).joined(separator: ", "))"])
            }
            let previous = service.runtime.logLevel.current
            service.runtime.logLevel.current = level
            service.runtime.logger.notice("Log level changed from \(previous) to \(level)", metadata: [
                "message_id": "\(MessageIDs.logLevelChanged)", "peer": "\(call.peerDescription)",
            ])
            try await reply.reply(["previous": .string(previous.rawValue), "level": .string(level.rawValue)])
        },
        "Backup": { service, call, reply in
            let result = try await service.backup(requestedBy: call.peerDescription)
            try await reply.reply(["file": .string(result.file), "size": .int(result.size)])
        },
    ]

    func status() throws -> [String: JSONValue] {
        let runtime = self.runtime
        let counts: StatusCounts
        do {
            counts = try runtime.database.statusCounts(now: runtime.now())
        } catch {
            throw AdminError.operationFailed("cannot read the database: \(runtime.describe(error))")
        }
        let uptime = Int64(Date().timeIntervalSince(runtime.startedAt))
        return [
            "version": .string(KinerjaVersion.string),
            "started_at": .string(Self.isoString(runtime.startedAt)),
            "uptime_seconds": .int(uptime),
            "pid": .int(Int64(getpid())),
            "database_path": .string(runtime.database.path),
            "schema_version": .int(Int64((try? runtime.database.schemaVersion()) ?? 0)),
            "log_level": .string(runtime.logLevel.current.rawValue),
            "counts": .object([
                "active_employees": .int(Int64(counts.activeEmployees)),
                "units": .int(Int64(counts.units)),
                "open_cycles": .int(Int64(counts.openCycles)),
                "overdue_assignments": .int(Int64(counts.overdueAssignments)),
                "pending_messages": .int(Int64(counts.pendingMessages)),
                "dead_messages": .int(Int64(counts.deadMessages)),
                "open_flags": .int(Int64(counts.openFlags)),
            ]),
            "jobs": .array((try? jobList()) ?? []),
        ]
    }

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
