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
            counts = try runtime.database.statusCounts()
        } catch {
            throw AdminError.operationFailed("cannot read the database: \(error)")
        }
        let uptime = Int64(Date().timeIntervalSince(runtime.startedAt))
        return [
            "version": .string(KinerjaVersion.string),
            "started_at": .string(ISO8601DateFormatter().string(from: runtime.startedAt)),
            "uptime_seconds": .int(uptime),
            "pid": .int(Int64(getpid())),
            "database_path": .string(runtime.database.path),
            "schema_version": .int(Int64((try? runtime.database.schemaVersion()) ?? 0)),
            "log_level": .string(runtime.logLevel.current.rawValue),
            "counts": .object([
                "active_employees": .int(Int64(counts.activeEmployees)),
                "units": .int(Int64(counts.units)),
            ]),
        ]
    }

    /// Writes `kinerja-YYYYMMDD-HHMMSS.sqlite` into the backup directory (a numeric suffix when two
    /// backups fall in the same second). Runs off the event loop.
    func backup(requestedBy peer: String) async throws -> (file: String, size: Int64) {
        let runtime = self.runtime
        let directory = runtime.config.backup.directory
        return try await Task.detached {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw AdminError.operationFailed("cannot create the backup directory \(directory): \(error.localizedDescription)")
            }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMdd-HHmmss"
            let stamp = formatter.string(from: Date())
            var file = "\(directory)/kinerja-\(stamp).sqlite"
            var n = 1
            while FileManager.default.fileExists(atPath: file) {
                n += 1
                file = "\(directory)/kinerja-\(stamp)-\(n).sqlite"
            }
            do {
                let size = try runtime.database.backup(to: file)
                runtime.logger.notice("Database backup written", metadata: [
                    "message_id": "\(MessageIDs.backupWritten)", "file": "\(file)", "size": "\(size)", "peer": "\(peer)",
                ])
                return (file, size)
            } catch let error as StoreError {
                throw AdminError.operationFailed(error.message)
            }
        }.value
    }
}
