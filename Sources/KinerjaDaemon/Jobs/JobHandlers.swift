import Foundation
import KinerjaStore
import Varlink

extension AdminService {
    static let jobHandlers: [String: Handler] = [
        "ListJobs": { service, _, reply in
            try await reply.reply(["jobs": .array(try await service.jobList())])
        },
        "RunJob": { service, call, reply in
            let name = call.parameters["name"]?.stringValue ?? ""
            service.runtime.logger.info("Job \(name) run by hand", metadata: ["peer": "\(call.peerDescription)", "job": "\(name)"])
            try await reply.reply(["run": try await service.runJob(name)])
        },
        "JobHistory": { service, call, reply in
            let name = call.parameters["name"]?.stringValue ?? ""
            guard service.scheduler.jobs.contains(where: { $0.name == name }) else { throw AdminError.notFound("job", name) }
            let limit = Int(call.parameters["limit"]?.intValue ?? 20)
            guard (1...10_000).contains(limit) else { throw AdminError.invalidInput(["limit: \(limit) is not between 1 and 10000"]) }
            try await service.streamList(call, reply, key: "runs", limit: limit, withTotal: false,
                                         page: { db, after, rows in try db.jobHistoryPage(name: name, after: after, limit: rows) },
                                         encode: service.json)
        },
    ]

    /// Every job with its stored state and next slot.
    func jobList() async throws -> [JSONValue] {
        let stored = try await runtime.withDatabase { db in try db.jobRecords() }
        let records = Dictionary(uniqueKeysWithValues: stored.map { ($0.name, $0) })
        let running = Set(scheduler.runningJobs)
        let now = runtime.now()
        return scheduler.jobs.map { job in
            let record = records[job.name]
            return .object([
                "name": .string(job.name),
                "calendar": job.calendar.map(JSONValue.string) ?? .null,
                "last_run": encoding.time(record?.lastStartedAt),
                "last_outcome": record?.lastOutcome.map(JSONValue.string) ?? .null,
                "last_message": record?.lastMessage.map(JSONValue.string) ?? .null,
                "last_duration_ms": record?.lastDurationMs.map(JSONValue.int) ?? .null,
                "next_run": encoding.time(scheduler.nextRun(of: job.name, record: record, now: now)),
                "running": .bool(running.contains(job.name)),
            ])
        }
    }

    /// Runs job `name` now through the scheduler (as `kinerjactl jobs run` and `SendReminders` do) and
    /// returns its run record as the reply's `JobRun`.
    func runJob(_ name: String) async throws -> JSONValue {
        let run: JobRunRecord?
        do {
            run = try await scheduler.runNow(name)
        } catch {
            switch error {
            case .unknownJob(let name): throw AdminError.notFound("job", name)
            case .alreadyRunning(let name): throw VarlinkError(name: "io.kinerjad.Admin.JobBusy", parameters: ["name": .string(name)])
            case .notRecorded(let name, let reason): throw AdminError.operationFailed("job \(name) did not run: its run cannot be recorded: \(reason)")
            }
        }
        guard let run else { throw AdminError.operationFailed("job \(name) ran but its record cannot be read") }
        return json(run)
    }

    func json(_ run: JobRunRecord) -> JSONValue {
        .object([
            "id": .int(run.id ?? 0),
            "name": .string(run.name),
            "trigger": .string(run.trigger),
            "slot": encoding.time(run.slot),
            "started_at": encoding.time(run.startedAt),
            "finished_at": encoding.time(run.finishedAt),
            "outcome": .string(run.outcome),
            "message": run.message.map(JSONValue.string) ?? .null,
            "duration_ms": run.durationMs.map(JSONValue.int) ?? .null,
        ])
    }
}
