import ArgumentParser
import Foundation
import KinerjaDomain
import Varlink

/// `kinerja-bench preview`: many reminder previews at once against a city-sized data set. Targets:
/// the daemon's peak RSS during the calls within 100 MiB of its idle RSS, and Ping answered with a
/// p99 under 100 ms while they run.
///
/// The data set: `kinerjactl demo generate` employees imported into a real kinerjad, one cycle
/// opened months in the past (every review overdue, so every reviewer is due a digest: the largest
/// preview there is). The daemon is then restarted on that database, so "idle" is a daemon that has
/// served nothing yet. Then `--clients` connections each call PreviewReminders with `more` and read
/// every reply, while another connection pings every 10 ms. Peak RSS is the kernel's high-water mark
/// (VmHWM), reset just before the calls.
struct PreviewBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Concurrent PreviewReminders over N employees with an open, overdue cycle: daemon RSS and Ping latency.")

    @Option(help: "Employees generated.") var employees = 25_000
    @Option(help: "Concurrent preview calls.") var clients = 16

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinerja-bench-preview-\(getpid())").path
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        print("building the data set: \(employees) employees, one cycle opened 2026-04-01 (every review overdue)")
        let setup = try BenchDaemon(directory: directory, extraConfig: LoadDaemon.config, startTimeout: 60)
        do {
            let data = directory + "/demo"
            let ctl = setup.binDirectory + "/kinerjactl"
            try FlagsBenchTools.runTool(ctl, ["--quiet", "demo", "generate", "--employees", "\(employees)", "--periods", "1",
                                              "--seed", "1", "--out", data])
            for kind in ["units", "employees"] where FileManager.default.fileExists(atPath: "\(data)/\(kind).csv") {
                try FlagsBenchTools.runTool(ctl, ["--socket", setup.socketPath, "--quiet", "import", kind, "\(data)/\(kind).csv"])
            }
            try FlagsBenchTools.runTool(ctl, ["--socket", setup.socketPath, "--quiet", "cycles", "open", "2026-Q2",
                                              "--opened-at", "2026-04-01T00:00:00Z"])
        } catch {
            setup.stop()
            throw error
        }
        setup.stop()

        let daemon = try BenchDaemon(directory: directory, extraConfig: LoadDaemon.config, startTimeout: 60)
        defer { daemon.stop() }
        let pinger = try await VarlinkClient.connect(unixPath: daemon.socketPath)
        for _ in 0..<20 { _ = try await pinger.call("io.kinerjad.Admin.Ping") }
        try await Task.sleep(for: .seconds(2))
        let idle = daemon.memory().rss
        // Reset the high-water mark, so VmHWM is the peak of what follows.
        try? "5".write(toFile: "/proc/\(daemon.process.processIdentifier)/clear_refs", atomically: false, encoding: .utf8)
        print("daemon idle: \(mib(idle)) RSS; \(clients) concurrent PreviewReminders with more, Ping every 10 ms")

        let pings = Task { () -> [Double] in
            var latencies: [Double] = []
            while !Task.isCancelled {
                let start = ContinuousClock.now
                _ = try? await pinger.call("io.kinerjad.Admin.Ping")
                latencies.append((ContinuousClock.now - start).inSeconds * 1000)
                try? await Task.sleep(for: .milliseconds(10))
            }
            return latencies
        }
        let socket = daemon.socketPath
        let start = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: PreviewResult.self) { group in
            for _ in 0..<clients {
                group.addTask { try await Self.preview(socket: socket) }
            }
            var results: [PreviewResult] = []
            for try await result in group { results.append(result) }
            return results
        }
        let wall = (ContinuousClock.now - start).inSeconds
        pings.cancel()
        let latencies = await pings.value.sorted()
        let memory = daemon.memory()
        await pinger.close()

        let messages = Set(results.map(\.messages))
        let durations = results.map(\.seconds).sorted()
        print("previews: \(results.count), \(messages.map(String.init).joined(separator: "/")) messages each "
              + "in \(results.map(\.replies).max() ?? 0) replies")
        print(String(format: "preview wall time: p50 %.1f s, max %.1f s; all %d in %.1f s",
                     percentile(durations, 50), durations.last ?? 0, results.count, wall))
        print("daemon RSS: idle \(mib(idle)), peak during the calls \(mib(memory.peak)) (+\(mib(memory.peak - idle)); target < +100 MiB), "
              + "after \(mib(memory.rss))")
        print(String(format: "Ping during the calls: %d calls, p50 %.1f ms, p99 %.1f ms (target < 100 ms), max %.1f ms",
                     latencies.count, percentile(latencies, 50), percentile(latencies, 99), latencies.last ?? 0))
        if messages.count != 1 { throw BenchError("the previews did not all list the same number of messages: \(messages.sorted())") }
    }

    struct PreviewResult: Sendable {
        var messages: Int
        var replies: Int
        var seconds: Double
    }

    /// One PreviewReminders call with `more` on its own connection, every reply read.
    static func preview(socket: String) async throws -> PreviewResult {
        let client = try await VarlinkClient.connect(unixPath: socket)
        defer { Task { await client.close() } }
        let start = ContinuousClock.now
        var result = PreviewResult(messages: 0, replies: 0, seconds: 0)
        for try await reply in client.callMore("io.kinerjad.Admin.PreviewReminders") {
            result.replies += 1
            result.messages += reply["messages"]?.arrayValue?.count ?? 0
        }
        result.seconds = (ContinuousClock.now - start).inSeconds
        return result
    }
}
