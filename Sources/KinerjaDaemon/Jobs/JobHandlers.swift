import Foundation
import KinerjaStore
import Varlink

extension AdminService {
    static let jobHandlers: [String: Handler] = [
        "ListJobs": { service, _, reply in
            try await reply.reply(["jobs": .array(try service.jobList())])
        },
        "RunJob": { service, call, reply in
            let name = call.parameters["name"]?.stringValue ?? ""
            service.runtime.logger.info("Job \(name) run by hand", metadata: ["peer": "\(call.peerDescription)", "job": "\(name)"])
            let run: JobRunRecord?
            do {
                run = try await service.scheduler.runNow(name)
            } catch let error as Scheduler.RunError {
                switch error {
                case .unknownJob(let name): throw AdminError.notFound("job", name)
                case .alreadyRunning(let name): throw VarlinkError(name: "io.kinerjad.Admin.JobBusy", parameters: ["name": .string(name)])
                case .notRecorded(let name, let reason): throw AdminError.operationFailed("job \(name) did not run: its run cannot be recorded: \(reason)")
                }
            }
            guard let run else { throw AdminError.operationFailed("job \(name) ran but its record cannot be read") }
            try await reply.reply(["run": Self.json(run)])
        },
        "JobHistory": { service, call, reply in
            let name = call.parameters["name"]?.stringValue ?? ""
            guard service.scheduler.jobs.contains(where: { $0.name == name }) else { throw AdminError.notFound("job", name) }
            let limit = Int(call.parameters["limit"]?.intValue ?? 20)
            guard (1...10_000).contains(limit) else { throw AdminError.invalidInput(["limit: \(limit) is not between 1 and 10000"]) }
            let runs = try service.runtime.database.jobHistory(name: name, limit: limit)
            try await reply.reply(["runs": .array(runs.map(Self.json))])
        },
    ]

    /// Every job with its stored state and next slot.
    func jobList() throws -> [JSONValue] {
        let records = Dictionary(uniqueKeysWithValues: try runtime.database.jobRecords().map { ($0.name, $0) })
        let running = Set(scheduler.runningJobs)
        let now = runtime.now()
        return scheduler.jobs.map { job in
            let record = records[job.name]
            return .object([
                "name": .string(job.name),
                "calendar": job.calendar.map(JSONValue.string) ?? .null,
                "last_run": Self.iso(record?.lastStartedAt),
                "last_outcome": record?.lastOutcome.map(JSONValue.string) ?? .null,
                "last_message": record?.lastMessage.map(JSONValue.string) ?? .null,
                "last_duration_ms": record?.lastDurationMs.map(JSONValue.int) ?? .null,
                "next_run": Self.iso(scheduler.nextRun(of: job.name, record: record, now: now)),
                "running": .bool(running.contains(job.name)),
            ])
        }
    }

    static func json(_ run: JobRunRecord) -> JSONValue {
        .object([
            "id": .int(run.id ?? 0),
            "name": .string(run.name),
            "trigger": .string(run.trigger),
            "slot": iso(run.slot),
            "started_at": .string(isoString(run.startedAt)),
            "finished_at": iso(run.finishedAt),
            "outcome": .string(run.outcome),
            "message": run.message.map(JSONValue.string) ?? .null,
            "duration_ms": run.durationMs.map(JSONValue.int) ?? .null,
        ])
    }
}
