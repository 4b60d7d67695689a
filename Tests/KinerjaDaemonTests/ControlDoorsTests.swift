import Foundation
import KinerjaDemo
import KinerjaDomain
import KinerjaStore
import KinerjaSystemd
import Logging
import NIOCore
import Synchronization
import Testing
import Varlink
@testable import KinerjaDaemon

/// The control layer in-process, as hummingbird tests its router: the daemon's runtime, scheduler and
/// handler table on a temporary database, calls driven through `VarlinkDispatcher` (decoding, access
/// levels, parameter checks, the handler, the error mapping) with no socket and no daemon process.
/// The same use cases are then started through their other door, the scheduled job, and both doors
/// must agree: same refusal, same log fields, same follow-up work.
struct ControlFixture {
    let directory: URL
    let runtime: DaemonRuntime
    let scheduler: Scheduler
    let dispatcher: VarlinkDispatcher
    let log = RecordingLogHandler()
    let clock: ManualClock
    /// The peer of every call: root, as `kinerjactl` run by an administrator.
    static let peer = PeerCredentials(pid: 1, uid: 0, gid: 0)

    init(at start: String = "2025-04-01T01:00:00Z", configure: (inout DaemonConfig) -> Void = { _ in }) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinerjad-doors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var config = DaemonConfig()
        config.database.path = directory.appendingPathComponent("kinerja.sqlite").path
        config.backup.directory = directory.appendingPathComponent("backup").path
        config.cycles.dueAfter = .seconds(3600)
        config.cycles.closeGrace = .seconds(60)
        configure(&config)
        let clock = ManualClock(ISO8601DateFormatter().date(from: start)!)
        self.clock = clock
        let database = try AppDatabase.open(path: config.database.path)
        let log = self.log
        runtime = DaemonRuntime(config: config, configPath: "/nonexistent.yaml", environment: [:], database: database,
                                logLevel: LogLevelControl(.trace), logger: Logger(label: "test", factory: { _ in log }),
                                startedAt: clock.now, notifier: Notifier(), now: { clock.now })
        scheduler = try Scheduler(runtime: runtime, jobs: DaemonJobs.all(runtime), schedule: [:], timeout: .seconds(120),
                                  localZone: .utc)
        dispatcher = try VarlinkDispatcher(
            info: VarlinkServiceInfo(vendor: config.control.vendor, product: "kinerjad", version: KinerjaVersion.string, url: config.control.url),
            services: [AdminService(runtime: runtime, scheduler: scheduler, handlers: AdminHandlers.all)],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// Units and employees of a small generated organisation, loaded through the import methods.
    func loadOrganisation() async throws {
        let generator = try DemoGenerator(DemoSpec(employees: 30, periods: 1, seed: 3, firstPeriod: try Period(parsing: "2025-Q1")))
        for (kind, text) in [("units", DemoCSV.units(generator.units)), ("employees", DemoCSV.employees(generator.employees))] {
            let document = try CSVParser.parse(text)
            let begun = try await call("BeginImport", ["kind": .string(kind), "header": record(document.header), "dry_run": false])
            let id = try #require(begun["import_id"])
            _ = try await call("StageImport", ["import_id": id, "records": .array(document.records.map(record))])
            _ = try await call("CommitImport", ["import_id": id])
        }
    }

    func record(_ r: CSVRecord) -> JSONValue {
        .object(["line": .int(Int64(r.line)), "fields": .array(r.fields.map { .string($0) })])
    }

    /// Calls `io.kinerjad.Admin.<method>` and returns its last reply (an error reply included).
    func reply(_ method: String, _ parameters: [String: JSONValue] = [:],
               access: VarlinkAccessLevel = .full) async -> VarlinkReplyMessage {
        let message = JSONValue.object(["method": .string("io.kinerjad.Admin.\(method)"), "parameters": .object(parameters)])
        let replies = Mutex<[VarlinkReplyMessage]>([])
        _ = await dispatcher.handle(message: ByteBuffer(string: message.serializedString()), peer: Self.peer, accessLevel: access,
                                    send: { reply in replies.withLock { $0.append(reply) } })
        return replies.withLock { $0.last } ?? VarlinkReplyMessage(parameters: [:], error: "no reply")
    }

    /// The reply's parameters; an error reply fails the test.
    func call(_ method: String, _ parameters: [String: JSONValue] = [:]) async throws -> [String: JSONValue] {
        let answer = await reply(method, parameters)
        try #require(answer.error == nil, "\(method): \(answer)")
        return answer.parameters
    }

    /// Runs a job as the scheduler does and returns its run record.
    func runJob(_ name: String) async throws -> JobRunRecord {
        try #require(try await scheduler.runNow(name))
    }

    /// Waits (up to 20 s) until job `name` has `count` finished runs.
    func waitForRuns(of name: String, count: Int) async throws -> [JobRunRecord] {
        for _ in 0..<200 {
            let runs = try runtime.database.jobHistory(name: name, limit: 100).filter { $0.finishedAt != nil }
            if runs.count >= count { return runs }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try runtime.database.jobHistory(name: name, limit: 100)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite("control methods and jobs in-process: one use case behind both doors", .serialized)
struct ControlDoorsTests {
    /// Log fields that say who asked or how long it took, which differ between doors by nature.
    static let perCall: Set<String> = ["peer", "duration_ms", "reason", "forced"]

    @Test("a period kind outside cycles.kinds is refused with the same words by OpenCycle and cycle-open:<kind>")
    func kindRefusedByBothDoors() async throws {
        let f = try ControlFixture()
        defer { f.remove() }
        try await f.loadOrganisation()
        let answer = await f.reply("OpenCycle", ["period": "2025-03"])
        #expect(answer.error == "io.kinerjad.Admin.InvalidInput")
        let problem = try #require(answer.parameters["problems"]?.arrayValue?.first?.stringValue)
        #expect(problem == "period: 2025-03 is a monthly period, but cycles.kinds is quarterly, annual")
        let run = try await f.runJob("cycle-open:monthly")
        #expect(run.outcome == "failed")
        #expect(run.message == problem)
        #expect(try f.runtime.database.cycles().isEmpty, "neither door opened anything")
    }

    @Test("OpenCycle and cycle-open:quarterly open the same way and log the same fields")
    func openThroughBothDoors() async throws {
        let f = try ControlFixture()
        defer { f.remove() }
        try await f.loadOrganisation()
        let opened = try await f.call("OpenCycle", ["period": "2025-Q1"])
        #expect(opened["created"]?.boolValue == true)
        f.clock.advance(91 * 86_400)  // 2025-07-01: cycle-open:quarterly opens the quarter just ended, 2025-Q2
        let run = try await f.runJob("cycle-open:quarterly")
        #expect(run.outcome == "ok" && run.message?.hasPrefix("opened 2025-Q2") == true, "\(run)")

        let entries = f.log.with(messageID: MessageIDs.cycleOpened)
        try #require(entries.count == 2)
        #expect(Set(entries[0].metadata.keys) == Set(entries[1].metadata.keys))
        #expect(entries.map { $0.metadata["cycle"] } == ["2025-Q1", "2025-Q2"])
        #expect(entries.map { $0.metadata["peer"] } == ["uid 0 (root)", "scheduler (cycle-open:quarterly)"])
        #expect(entries.allSatisfy { $0.metadata["due"]?.hasSuffix("+07:00") == true })
    }

    @Test("CloseCycle and cycle-close both log the same fields and both rerun the motivation analysis")
    func closeThroughBothDoors() async throws {
        let f = try ControlFixture()
        defer { f.remove() }
        try await f.loadOrganisation()
        _ = try await f.call("OpenCycle", ["period": "2025-Q1"])
        _ = try await f.call("OpenCycle", ["period": "2025-Q2", "early": true])  // the quarter that has just begun
        let closed = try await f.call("CloseCycle", ["cycle": "2025-Q1", "force": true, "reason": "test: close by hand"])
        #expect(closed["closed"]?.boolValue == true)
        _ = try await f.waitForRuns(of: MotivationAnalysisJob.jobName, count: 1)

        f.clock.advance(2 * 3600)  // past due (1 h) + grace (1 min)
        let run = try await f.runJob("cycle-close")
        #expect(run.message == "closed 2025-Q2", "\(run)")
        let analyses = try await f.waitForRuns(of: MotivationAnalysisJob.jobName, count: 2)
        #expect(analyses.count == 2, "the job's close reran the analysis as the method's did: \(analyses)")

        let entries = f.log.with(messageID: MessageIDs.cycleClosed)
        try #require(entries.count == 2)
        #expect(Set(entries[0].metadata.keys) == Set(entries[1].metadata.keys))
        #expect(entries.map { $0.metadata["peer"] } == ["uid 0 (root)", "scheduler (cycle-close)"])
        #expect(entries[1].metadata["reason"]?.contains("cycles.close_grace passed") == true)
    }

    @Test("Backup and the maintenance job write through the same use case and log the same fields")
    func backupThroughBothDoors() async throws {
        let f = try ControlFixture()
        defer { f.remove() }
        let reply = try await f.call("Backup")
        let file = try #require(reply["file"]?.stringValue)
        #expect(FileManager.default.fileExists(atPath: file))
        f.clock.advance(60)
        let run = try await f.runJob("maintenance")
        #expect(run.outcome == "ok" && run.message?.hasPrefix("backup written") == true, "\(run)")
        let entries = f.log.with(messageID: MessageIDs.backupWritten)
        try #require(entries.count == 2)
        #expect(Set(entries[0].metadata.keys) == Set(entries[1].metadata.keys))
        #expect(entries.map { $0.metadata["peer"] } == ["uid 0 (root)", "scheduler (maintenance)"])
    }

    @Test("every time in a reply is RFC 3339 with the configured zone's offset")
    func timesInTheConfiguredZone() async throws {
        let f = try ControlFixture()
        defer { f.remove() }
        _ = try await f.runJob("maintenance")
        let status = try await f.call("GetStatus")
        let history = try await f.call("JobHistory", ["name": "maintenance"])
        let run = try #require(history["runs"]?.arrayValue?.first)
        let preview = try await f.call("PreviewReminders")
        let times = [status["started_at"], run["started_at"], run["finished_at"], preview["at"]]
        #expect(times.map { $0?.stringValue } == Array(repeating: "2025-04-01T08:00:00+07:00", count: 4))
    }

    @Test("GetStatus: uptime from the runtime's clock, the real schema version, every job")
    func status() async throws {
        let f = try ControlFixture()
        defer { f.remove() }
        f.clock.advance(100)
        let status = try await f.call("GetStatus")
        #expect(status["uptime_seconds"]?.intValue == 100)
        #expect(status["schema_version"]?.intValue == Int64(try f.runtime.database.schemaVersion()))
        #expect(status["schema_version"]?.intValue ?? 0 > 0)
        #expect(status["jobs"]?.arrayValue?.count == f.scheduler.jobs.count)
    }

    @Test("errors: one mapping for store and use-case failures; restricted callers get only public and read methods")
    func errorsAndAccess() async throws {
        let f = try ControlFixture()
        defer { f.remove() }
        #expect(await f.reply("ShowFlag", ["id": 999]).varlinkError
            == VarlinkError(name: "io.kinerjad.Admin.NotFound", parameters: ["what": "flag", "id": "999"]))
        #expect(await f.reply("RetryReminder", ["id": 999]).varlinkError
            == VarlinkError(name: "io.kinerjad.Admin.NotFound", parameters: ["what": "reminder", "id": "999"]))
        #expect(await f.reply("GetCycle", ["cycle": "2030-Q1"]).error == "io.kinerjad.Admin.NotFound")
        #expect(await f.reply("OpenCycle", ["period": "2025-Q1"], access: .restricted).error == VarlinkError.Name.permissionDenied)
        #expect(await f.reply("ShowFlag", ["id": 999], access: .restricted).error == VarlinkError.Name.permissionDenied)
        #expect(await f.reply("GetStatus", access: .restricted).error == nil)
        #expect(try f.runtime.database.cycles().isEmpty)
    }
}
