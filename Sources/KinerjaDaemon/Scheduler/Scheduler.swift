import Foundation
import KinerjaSchedule
import KinerjaStore
import Logging
import Synchronization
import KinerjaPausePoints

/// Runs the configured jobs at their calendar slots (persistent catch-up, no overlap of a job with
/// itself, outcomes stored), as `LoopWork` of the daemon's work loop. Jobs run in tasks of their own,
/// so a long job never blocks the control socket or the loop; the loop stops the watchdog pings only
/// when a job has run past `jobs.timeout`, which is what a hung job looks like.
public final class Scheduler: LoopWork, Sendable {
    struct Entry: Sendable {
        let job: any ScheduledJob
        let calendar: String
        let schedule: JobSchedule
    }

    struct Running {
        let task: Task<Execution, Never>
        let started: ContinuousClock.Instant
    }

    let runtime: DaemonRuntime
    let entries: [String: Entry]
    /// Jobs that exist but have no slot (unscheduled); they can still be run by hand.
    let manualOnly: [String: any ScheduledJob]
    let timeout: Duration
    private let running = Mutex<[String: Running]>([:])
    private let clock = ContinuousClock()

    /// Errors for `runNow`.
    public enum RunError: Error, Equatable {
        case unknownJob(String)
        case alreadyRunning(String)
        /// The run could not be recorded in the database (e.g. the disk is full), so the job did
        /// not run; the text says why.
        case notRecorded(name: String, reason: String)
    }

    /// What one run came to: its record as it ended (also when the end could not be stored), or the
    /// reason it did not start.
    enum Execution: Sendable {
        case ran(JobRunRecord)
        case notStarted(String)
    }

    /// Registers the jobs (their calendars were validated with the configuration) and marks runs a
    /// crash left "running" as interrupted.
    public init(runtime: DaemonRuntime, jobs: [any ScheduledJob], schedule: [String: String], timeout: Duration,
                localZone: ZoneInfo = ZoneInfoDatabase.system.systemDefault(environment: ProcessInfo.processInfo.environment)) throws {
        self.runtime = runtime
        self.timeout = timeout
        var entries: [String: Entry] = [:]
        var manual: [String: any ScheduledJob] = [:]
        for job in jobs {
            if let calendar = schedule[job.name] {
                let spec = try CalendarSpec.parse(calendar, localZone: localZone)
                entries[job.name] = Entry(job: job, calendar: calendar, schedule: JobSchedule(spec: spec, localZone: localZone))
            } else {
                manual[job.name] = job
            }
        }
        self.entries = entries
        self.manualOnly = manual
        let interrupted = try runtime.database.markInterruptedJobRuns()
        if interrupted > 0 {
            runtime.logger.warning("Marked \(interrupted) job run(s) left running by a previous process as interrupted; their slots run again")
        }
        _ = try runtime.database.registerJobs(entries.values.map { ($0.job.name, $0.calendar) }.sorted { $0.0 < $1.0 }, now: runtime.now())
        runtime.installRerun { [weak self] name, reason, asOf in self?.rerun(name, because: reason, asOf: asOf) }
    }

    public func runDue(now: Date) async -> Date? {
        let records: [String: JobRecord]
        do {
            records = Dictionary(uniqueKeysWithValues: try runtime.database.jobRecords().map { ($0.name, $0) })
        } catch {
            runtime.logger.error("Cannot read the job table: \(error)")
            return now.addingTimeInterval(60)
        }
        var wake: Date?
        for name in entries.keys.sorted() {
            let entry = entries[name]!
            guard let record = records[name] else { continue }
            let decision = entry.schedule.decide(lastSlot: record.lastSlot, registeredAt: record.registeredAt, now: now)
            if let slot = decision.runSlot {
                let trigger = decision.missedSlots > 0 || now.timeIntervalSince(slot) > 60 ? "catch-up" : "schedule"
                if start(entry.job, slot: slot, trigger: trigger) != nil, decision.missedSlots > 0 {
                    runtime.logger.info("Catching up job \(name): \(decision.missedSlots + 1) slot(s) passed, running once")
                }
            }
            if let next = decision.next { wake = min(wake ?? next, next) }
        }
        startRequestedJobs(now: now)
        return wake
    }

    /// Starts the jobs owed a run because their data changed (`job_request`, written with the change:
    /// a cycle close requests the motivation analysis), unless running, as of the latest request (the
    /// close's time). A request outlives a crash, so the first turn after a restart runs what the dead
    /// process owed.
    func startRequestedJobs(now: Date) {
        let requests: [(name: String, reason: String, requestedAt: Date)]
        do {
            requests = try runtime.database.jobRequests()
        } catch {
            runtime.logger.error("Cannot read the requested job runs: \(error)")
            return
        }
        for request in requests {
            guard let job = entries[request.name]?.job ?? manualOnly[request.name] else { continue }
            if start(job, slot: now, trigger: "manual", asOf: request.requestedAt) != nil {
                runtime.logger.info("Running job \(request.name): \(request.reason)", metadata: ["job": "\(request.name)"])
            }
        }
    }

    /// Starts `job` unless it is already running; returns the task, or nil when it was running. With
    /// `asOf`, the job runs because its data changed then (`ScheduledJob.run(slot:asOf:)`).
    @discardableResult
    func start(_ job: any ScheduledJob, slot: Date, trigger: String, asOf: Date? = nil) -> Task<Execution, Never>? {
        let runtime = self.runtime
        let clock = self.clock
        return running.withLock { running -> Task<Execution, Never>? in
            guard running[job.name] == nil else { return nil }
            let task = Task { [weak self] in
                let execution = await Self.execute(job, slot: slot, trigger: trigger, asOf: asOf, runtime: runtime, clock: clock)
                self?.running.withLock { _ = $0.removeValue(forKey: job.name) }
                return execution
            }
            running[job.name] = Running(task: task, started: clock.now)
            return task
        }
    }

    static func execute(_ job: any ScheduledJob, slot: Date, trigger: String, asOf: Date? = nil, runtime: DaemonRuntime,
                        clock: ContinuousClock) async -> Execution {
        let logger = runtime.logger
        let runID: Int64
        let startedAt = runtime.now()
        do {
            runID = try runtime.database.startJobRun(name: job.name, slot: slot, trigger: trigger, at: startedAt)
        } catch {
            let reason = runtime.describe(error)
            logger.error("Job \(job.name) not started: its run cannot be recorded: \(reason); it is retried at its next slot",
                         metadata: ["job": "\(job.name)", "message_id": "\(MessageIDs.jobFailed)"])
            return .notStarted(reason)
        }
        #if DEBUG
        PausePoint.reach("scheduler.job-started.\(job.name)")
        #endif
        let started = clock.now
        var outcome = "ok"
        var message: String
        do {
            if let asOf {
                message = try await job.run(slot: slot, asOf: asOf)
            } else {
                message = try await job.run(slot: slot)
            }
        } catch {
            outcome = Task.isCancelled ? "interrupted" : "failed"
            message = runtime.describe(error)
        }
        #if DEBUG
        PausePoint.reach("scheduler.before-outcome.\(job.name)")
        #endif
        let elapsed = clock.now - started
        let ms = elapsed.wholeMilliseconds
        // A manual or interrupted run does not consume the scheduled slot.
        let recordSlot = trigger != "manual" && outcome != "interrupted" ? slot : nil
        let finishedAt = runtime.now()
        do {
            try runtime.database.finishJobRun(id: runID, name: job.name, outcome: outcome, message: message,
                                              slot: recordSlot, at: finishedAt, durationMs: ms)
        } catch {
            logger.error("Cannot record the end of job \(job.name) (\(outcome): \(message)): \(runtime.describe(error))",
                         metadata: ["job": "\(job.name)"])
        }
        let metadata: Logger.Metadata = ["job": "\(job.name)", "trigger": "\(trigger)", "duration_ms": "\(ms)", "outcome": "\(outcome)"]
        switch outcome {
        case "ok":
            logger.info("Job \(job.name) finished: \(message)", metadata: metadata.merging(["message_id": "\(MessageIDs.jobFinished)"]) { a, _ in a })
        case "interrupted":
            logger.notice("Job \(job.name) interrupted by shutdown; it runs again at start", metadata: metadata)
        default:
            logger.error("Job \(job.name) failed: \(message); it is retried at its next slot",
                         metadata: metadata.merging(["message_id": "\(MessageIDs.jobFailed)"]) { a, _ in a })
        }
        return .ran(JobRunRecord(id: runID, name: job.name, slot: slot, trigger: trigger, startedAt: startedAt, finishedAt: finishedAt,
                                 outcome: outcome, message: message, durationMs: ms))
    }

    /// Runs a job now (`kinerjactl jobs run`) and waits for it; the scheduled slot is not consumed.
    /// With `asOf`, it runs because its data changed then (see `rerun`).
    /// Returns this run's record: as stored, or as it ended when its end could not be stored.
    public func runNow(_ name: String, asOf: Date? = nil) async throws(RunError) -> JobRunRecord? {
        guard let job = entries[name]?.job ?? manualOnly[name] else { throw .unknownJob(name) }
        guard let task = start(job, slot: runtime.now(), trigger: "manual", asOf: asOf) else { throw .alreadyRunning(name) }
        switch await task.value {
        case .notStarted(let reason):
            throw .notRecorded(name: name, reason: reason)
        case .ran(let record):
            if let stored = try? runtime.database.jobHistory(name: name, limit: 1).first, stored.id == record.id,
               stored.finishedAt != nil {
                return stored
            }
            return record
        }
    }

    /// Every job this scheduler knows, with its calendar (nil when it only runs by hand).
    public var jobs: [(name: String, calendar: String?)] {
        (entries.map { ($0.key, Optional($0.value.calendar)) } + manualOnly.keys.map { ($0, nil) }).sorted { $0.0 < $1.0 }
    }

    /// The next slot of a scheduled job, from its stored state.
    public func nextRun(of name: String, record: JobRecord?, now: Date) -> Date? {
        guard let entry = entries[name] else { return nil }
        let decision = entry.schedule.decide(lastSlot: record?.lastSlot, registeredAt: record?.registeredAt ?? now, now: now)
        return decision.runSlot ?? decision.next
    }

    public var runningJobs: [String] { running.withLock { $0.keys.sorted() } }

    /// False while a job has run past the timeout: the work loop then withholds the watchdog ping.
    public func isHealthy() -> Bool {
        let now = clock.now
        return running.withLock { running in
            !running.values.contains { now - $0.started > timeout }
        }
    }

    /// Waits until no job is running (without cancelling any).
    public func waitUntilIdle() async {
        while true {
            let tasks = running.withLock { $0.values.map(\.task) }
            if tasks.isEmpty { return }
            for task in tasks { await task.value }
        }
    }

    /// Cancels running jobs (they roll back or finish their transaction) and waits for them.
    public func drain() async {
        let tasks = running.withLock { $0.values.map(\.task) }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }
}
