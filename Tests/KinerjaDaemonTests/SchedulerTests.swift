import Foundation
import KinerjaSchedule
import KinerjaStore
import KinerjaSystemd
import Logging
import Synchronization
import KinerjaTestSupport
import Testing
@testable import KinerjaDaemon

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let value: Mutex<Date>
    init(_ start: Date) { value = Mutex(start) }
    var now: Date { value.withLock { $0 } }
    func set(_ date: Date) { value.withLock { $0 = date } }
}

/// A job that counts its runs and can be told to fail.
final class CountingJob: ScheduledJob, Sendable {
    let name: String
    private let state = Mutex<(runs: [Date], failNext: Bool)>(([], false))
    init(name: String) { self.name = name }
    var slots: [Date] { state.withLock { $0.runs } }
    func failNext() { state.withLock { $0.failNext = true } }
    func run(slot: Date) async throws -> String {
        let fail = state.withLock { s -> Bool in
            s.runs.append(slot)
            defer { s.failNext = false }
            return s.failNext
        }
        if fail { throw TestFailure(description: "planned failure") }
        return "ran for \(slot)"
    }
    struct TestFailure: Error, CustomStringConvertible { let description: String }
}

/// A job that records, per run, whether it ran because its data changed and as of when.
final class DatingJob: ScheduledJob, Sendable {
    let name: String
    private let state = Mutex<[Date?]>([])
    init(name: String) { self.name = name }
    var asOf: [Date?] { state.withLock { $0 } }
    func run(slot: Date) async throws -> String {
        state.withLock { $0.append(nil) }
        return "ran now"
    }
    func run(slot: Date, asOf: Date) async throws -> String {
        state.withLock { $0.append(asOf) }
        return "ran as of \(asOf)"
    }
}

@Suite("Scheduler with an injected clock and a real (in-memory) database")
struct SchedulerTests {
    func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    func makeRuntime(_ db: AppDatabase, clock: TestClock) -> DaemonRuntime {
        DaemonRuntime(config: DaemonConfig(), configPath: "/nonexistent.yaml", environment: [:], database: db,
                      logLevel: LogLevelControl(.critical), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                      startedAt: clock.now, notifier: Notifier(), now: { clock.now })
    }

    @Test("a year: exactly the expected runs; ten days down: one catch-up; clock back an hour: no double run")
    func yearOfRuns() async throws {
        let db = try AppDatabase.inMemory()
        let clock = TestClock(date("2027-01-01T00:00:00Z"))
        let job = CountingJob(name: "maintenance")
        var scheduler = try Scheduler(runtime: makeRuntime(db, clock: clock), jobs: [job],
                                      schedule: ["maintenance": "*-*-* 02:30:00 UTC"], timeout: .seconds(60), localZone: .utc)
        let end = date("2028-01-01T00:00:00Z")
        var wakes = 0
        var steppedBack = false
        while clock.now < end {
            // Down from March 1 12:00 until March 11 12:00 (slots March 2 … March 11 pass unrun): the
            // daemon starts again with a new scheduler on the same database.
            if clock.now > date("2027-03-01T12:00:00Z") && clock.now < date("2027-03-11T12:00:00Z") {
                clock.set(date("2027-03-11T12:00:00Z"))
                scheduler = try Scheduler(runtime: makeRuntime(db, clock: clock), jobs: [job],
                                          schedule: ["maintenance": "*-*-* 02:30:00 UTC"], timeout: .seconds(60), localZone: .utc)
            }
            let next = await scheduler.runDue(now: clock.now)
            await scheduler.waitUntilIdle()
            wakes += 1
            // NTP steps the clock back an hour right after the June 10 run, once.
            if !steppedBack && clock.now >= date("2027-06-10T02:30:00Z") {
                steppedBack = true
                clock.set(date("2027-06-10T01:35:00Z"))
                continue
            }
            clock.set(max(next ?? end, clock.now.addingTimeInterval(1)))
        }
        let slots = job.slots
        // 365 daily slots; March 2 … 10 (9) are covered by the one catch-up run recorded for March 11.
        #expect(slots.count == 365 - 9, "runs: \(slots.count)")
        #expect(steppedBack)
        #expect(wakes > 356)
        #expect(Set(slots).count == slots.count, "a slot ran twice")
        let history = try db.jobHistory(name: "maintenance", limit: 1000)
        #expect(history.filter { $0.trigger == "catch-up" }.count == 1)
        #expect(history.allSatisfy { $0.outcome == "ok" })
    }

    @Test("a failing run is recorded, shown, and retried at the next slot, not before")
    func failureRetriedAtNextSlot() async throws {
        let db = try AppDatabase.inMemory()
        let clock = TestClock(date("2027-01-01T00:00:00Z"))
        let job = CountingJob(name: "maintenance")
        let scheduler = try Scheduler(runtime: makeRuntime(db, clock: clock), jobs: [job],
                                      schedule: ["maintenance": "hourly"], timeout: .seconds(60), localZone: .utc)
        job.failNext()
        clock.set(date("2027-01-01T01:00:00Z"))
        _ = await scheduler.runDue(now: clock.now)
        await scheduler.waitUntilIdle()
        var record = try #require(try db.jobRecords().first)
        #expect(record.lastOutcome == "failed")
        #expect(record.lastMessage == "planned failure")
        clock.set(date("2027-01-01T01:30:00Z"))
        _ = await scheduler.runDue(now: clock.now)
        await scheduler.waitUntilIdle()
        #expect(job.slots.count == 1)
        clock.set(date("2027-01-01T02:00:00Z"))
        _ = await scheduler.runDue(now: clock.now)
        await scheduler.waitUntilIdle()
        record = try #require(try db.jobRecords().first)
        #expect(record.lastOutcome == "ok")
        #expect(job.slots.count == 2)
    }

    @Test("a manual run does not consume the slot; a job never runs twice at once; unknown jobs are errors")
    func manualRuns() async throws {
        let db = try AppDatabase.inMemory()
        let clock = TestClock(date("2027-01-01T00:00:00Z"))
        let job = CountingJob(name: "maintenance")
        let scheduler = try Scheduler(runtime: makeRuntime(db, clock: clock), jobs: [job],
                                      schedule: ["maintenance": "hourly"], timeout: .seconds(60), localZone: .utc)
        let run = try await scheduler.runNow("maintenance")
        #expect(run?.trigger == "manual")
        #expect(run?.outcome == "ok")
        clock.set(date("2027-01-01T01:00:00Z"))
        _ = await scheduler.runDue(now: clock.now)
        await scheduler.waitUntilIdle()
        #expect(job.slots.count == 2)
        await #expect(throws: Scheduler.RunError.unknownJob("nope")) { _ = try await scheduler.runNow("nope") }
    }

    @Test("runs left 'running' by a crash are marked interrupted at start and their slot runs again")
    func interruptedRuns() async throws {
        let db = try AppDatabase.inMemory()
        let clock = TestClock(date("2027-01-01T00:00:00Z"))
        let job = CountingJob(name: "maintenance")
        _ = try Scheduler(runtime: makeRuntime(db, clock: clock), jobs: [job], schedule: ["maintenance": "hourly"],
                          timeout: .seconds(60), localZone: .utc)
        _ = try db.startJobRun(name: "maintenance", slot: date("2027-01-01T01:00:00Z"), trigger: "schedule", at: date("2027-01-01T01:00:00Z"))
        clock.set(date("2027-01-01T01:00:05Z"))
        let restarted = try Scheduler(runtime: makeRuntime(db, clock: clock), jobs: [job], schedule: ["maintenance": "hourly"],
                                      timeout: .seconds(60), localZone: .utc)
        #expect(try db.jobHistory(name: "maintenance", limit: 10).first?.outcome == "interrupted")
        _ = await restarted.runDue(now: clock.now)
        await restarted.waitUntilIdle()
        #expect(job.slots == [date("2027-01-01T01:00:00Z")])
    }

    @Test("a requested run (a cycle close owes the analysis) survives a crash: the restarted scheduler runs it once, then it is gone")
    func requestedRunSurvivesCrash() async throws {
        let db = try AppDatabase.inMemory()
        let clock = TestClock(date("2027-01-01T00:00:00Z"))
        let job = CountingJob(name: "motivation-analysis")
        // Unscheduled (manual only), as "off" makes it: requests still run it.
        let first = try Scheduler(runtime: makeRuntime(db, clock: clock), jobs: [job], schedule: [:], timeout: .seconds(60), localZone: .utc)
        try await db.writer.write { db in
            try AppDatabase.requestJob(db, name: "motivation-analysis", reason: "cycle 2026-Q4 closed", at: clock.now)
        }
        #expect(try db.jobRequests().map(\.name) == ["motivation-analysis"])
        // The process dies right after its run started: the run is left "running", the request claimed.
        _ = try db.startJobRun(name: "motivation-analysis", slot: clock.now, trigger: "manual", at: clock.now)
        _ = first
        let restarted = try Scheduler(runtime: makeRuntime(db, clock: clock), jobs: [job], schedule: [:], timeout: .seconds(60), localZone: .utc)
        #expect(try db.jobRequests().count == 1, "an interrupted run leaves the request owed")
        _ = await restarted.runDue(now: clock.now)
        await restarted.waitUntilIdle()
        #expect(job.slots.count == 1)
        #expect(try db.jobRequests().isEmpty)
        // Nothing owed any more: the next turns run nothing.
        _ = await restarted.runDue(now: clock.now)
        await restarted.waitUntilIdle()
        #expect(job.slots.count == 1)

        // A request made while a run is under way asks for another run after it.
        try await db.writer.write { db in try AppDatabase.requestJob(db, name: "motivation-analysis", reason: "first", at: clock.now) }
        let run = try db.startJobRun(name: "motivation-analysis", slot: clock.now, trigger: "manual", at: clock.now)
        try await db.writer.write { db in try AppDatabase.requestJob(db, name: "motivation-analysis", reason: "second", at: clock.now) }
        try db.finishJobRun(id: run, name: "motivation-analysis", outcome: "ok", message: nil, slot: nil, at: clock.now, durationMs: 1)
        #expect(try db.jobRequests().map(\.reason) == ["second"])
    }

    @Test("a run owed to a change is dated at the change: a request (a close in the past) and a rerun pass their time; a manual run none")
    func changeDrivenRunsAreDated() async throws {
        let db = try AppDatabase.inMemory()
        let clock = TestClock(date("2027-01-01T00:00:00Z"))
        let job = DatingJob(name: "motivation-analysis")
        let runtime = makeRuntime(db, clock: clock)
        let scheduler = try Scheduler(runtime: runtime, jobs: [job], schedule: [:], timeout: .seconds(60), localZone: .utc)
        // A replayed close of 2026-Q3 requested the analysis as of its own time.
        let closed = date("2026-10-25T03:00:00Z")
        try await db.writer.write { db in try AppDatabase.requestJob(db, name: "motivation-analysis", reason: "cycle 2026-Q3 closed", at: closed) }
        #expect(try db.jobRequests().map(\.requestedAt) == [closed])
        _ = await scheduler.runDue(now: clock.now)
        await scheduler.waitUntilIdle()
        #expect(job.asOf == [closed])
        // By hand: dated now (no time passed).
        _ = try await scheduler.runNow("motivation-analysis")
        #expect(job.asOf == [closed, nil])
        // The hook a close calls: the rerun carries the close's time.
        let next = date("2026-12-20T03:00:00Z")
        runtime.rerunJob("motivation-analysis", because: "cycle 2026-Q4 closed", asOf: next)
        try await waitUntil("the rerun ran", timeout: .seconds(10), interval: .milliseconds(20)) { job.asOf.count == 3 }
        #expect(job.asOf == [closed, nil, next])
    }
}
