import Foundation
import KinerjaDomain
import Synchronization
import Varlink

/// The daemon the load and soak benchmarks drive: a BenchDaemon with every scheduled job off (the
/// driver runs them by hand, so the run is repeatable), reminders allowed at any hour, mail as a
/// journal dry run, and generated employees imported through kinerjactl.
struct LoadDaemon {
    let daemon: BenchDaemon
    let control: VarlinkClient

    static let config = """
        mail:
          channel: journal
        reminders:
          working_hours: "Mon..Sun 00:00..23:59 UTC"
          holidays: []
        jobs:
          timeout: 2h
          schedule:
            maintenance: "off"
            outbox-delivery: "off"
            motivation-analysis: "off"
            reminder-sweep: "off"
            "cycle-open:quarterly": "off"
            "cycle-open:annual": "off"
            cycle-close: "off"
        """

    /// Starts the daemon and imports `employees` generated employees (and their units).
    static func start(employees: Int, backupKeep: Int? = nil) async throws -> LoadDaemon {
        let daemon = try BenchDaemon(extraConfig: config, logFile: nil, startTimeout: 60, backupKeep: backupKeep)
        let data = daemon.directory + "/demo"
        do {
            try FlagsBenchTools.runTool(daemon.binDirectory + "/kinerjactl", ["--quiet", "demo", "generate", "--employees", "\(employees)",
                                                                             "--periods", "1", "--seed", "1", "--out", data])
            for kind in ["units", "employees"] where FileManager.default.fileExists(atPath: "\(data)/\(kind).csv") {
                try FlagsBenchTools.runTool(daemon.binDirectory + "/kinerjactl", ["--socket", daemon.socketPath, "--quiet", "import", kind,
                                                                                 "\(data)/\(kind).csv"])
            }
            return LoadDaemon(daemon: daemon, control: try await VarlinkClient.connect(unixPath: daemon.socketPath))
        } catch {
            daemon.stop()
            throw error
        }
    }

    /// Calls a method on the driver's own connection.
    @discardableResult
    func call(_ method: String, _ parameters: [String: JSONValue] = [:]) async throws -> [String: JSONValue] {
        try await control.call("io.kinerjad.Admin." + method, parameters: parameters)
    }

    /// Opens `period` as if on `openedAt` (its first day, so early; its assignments then overdue)
    /// and tells the clients about its self-assessments. Returns the assignment count.
    func openCycle(_ period: String, openedAt: String, context: LoadContext) async throws -> Int64 {
        let opened = try await call("OpenCycle", ["period": .string(period), "opened_at": .string(openedAt), "early": .bool(true)])
        var ids: [Int64] = []
        let parameters: [String: JSONValue] = ["cycle": .string(period), "role": .string("self"), "limit": .int(2000)]
        for try await part in control.callMore("io.kinerjad.Admin.ListReviews", parameters: parameters) {
            ids += (part["assignments"]?.arrayValue ?? []).compactMap { $0["id"]?.intValue }
        }
        context.setCycle(period, assignments: ids)
        return opened["cycle"]?["assignments"]?.intValue ?? 0
    }

    /// Runs a job by hand and returns its wall time and message; a failed run is an error.
    func runJob(_ name: String) async throws -> (seconds: Double, message: String) {
        let start = ContinuousClock.now
        let reply = try await call("RunJob", ["name": .string(name)])
        let run = reply["run"] ?? .null
        guard run["outcome"]?.stringValue == "ok" else { throw BenchError("job \(name) did not succeed: \(run)") }
        return ((ContinuousClock.now - start).inSeconds, run["message"]?.stringValue ?? "")
    }

    func stop() async {
        await control.close()
        daemon.stop()
    }
}

/// Samples the daemon's RSS (VmRSS, KiB) and open descriptors every `interval` while a run goes on.
final class ResourceSampler: Sendable {
    struct Sample: Sendable {
        let at: Double
        let rss: Int
        let fds: Int
    }

    private let samples = Mutex<[Sample]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(daemon: BenchDaemon, interval: Duration) {
        let start = ContinuousClock.now
        let pid = daemon.process.processIdentifier
        let task = Task { [self] in
            while !Task.isCancelled {
                let sample = Sample(at: (ContinuousClock.now - start).inSeconds, rss: BenchDaemon.memory(pid: pid).rss,
                                    fds: BenchDaemon.fileDescriptors(pid: pid))
                self.samples.withLock { $0.append(sample) }
                try? await Task.sleep(for: interval)
            }
        }
        self.task.withLock { $0 = task }
    }

    func stop() -> [Sample] {
        task.withLock { $0?.cancel() }
        return samples.withLock { $0 }
    }
}

func mib(_ kib: Int) -> String { String(format: "%.1f MiB", Double(kib) / 1024) }
