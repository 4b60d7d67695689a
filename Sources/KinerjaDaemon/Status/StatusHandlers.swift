import Foundation
import KinerjaDomain
import KinerjaStore
import Logging
import Varlink

/// The daemon's own methods in io.kinerjad.Admin: Ping, GetStatus, Reload, SetLogLevel.
extension AdminService {
    static let statusHandlers: [String: Handler] = [
        "Ping": { _, _, reply in
            try await reply.reply(["version": .string(KinerjaVersion.string)])
        },
        "GetStatus": { service, _, reply in
            try await reply.reply(try await service.status())
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
    ]

    /// The `GetStatus` reply. Every part is read; a database that cannot be read fails the call
    /// (with the storage diagnosis) rather than answering zeros.
    func status() async throws -> [String: JSONValue] {
        let runtime = self.runtime
        let now = runtime.now()
        let zone = runtime.config.cycles.zone
        let today = CalendarDate(now, in: zone).startInstant(in: zone)
        let (counts, schemaVersion) = try await runtime.withDatabase { db in
            (try db.statusCounts(now: now, since: today), try db.schemaVersion())
        }
        let jobs = try await jobList()
        let uptime = Int64(now.timeIntervalSince(runtime.startedAt).rounded(.down))
        return [
            "version": .string(KinerjaVersion.string),
            "started_at": encoding.time(runtime.startedAt),
            "uptime_seconds": .int(uptime),
            "pid": .int(Int64(getpid())),
            "database_path": .string(runtime.database.path),
            "schema_version": .int(Int64(schemaVersion)),
            "log_level": .string(runtime.logLevel.current.rawValue),
            "counts": .object([
                "active_employees": .int(Int64(counts.activeEmployees)),
                "units": .int(Int64(counts.units)),
                "open_cycles": .int(Int64(counts.openCycles)),
                "overdue_assignments": .int(Int64(counts.overdueAssignments)),
                "pending_messages": .int(Int64(counts.pendingMessages)),
                "dead_messages": .int(Int64(counts.deadMessages)),
                "open_flags": .int(Int64(counts.openFlags)),
                "web_reviews_today": .int(Int64(counts.webReviewsToday)),
                "web_survey_responses_today": .int(Int64(counts.webSurveyResponsesToday)),
            ]),
            "jobs": .array(jobs),
        ]
    }
}
