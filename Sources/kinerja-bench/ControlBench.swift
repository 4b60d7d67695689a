import ArgumentParser
import Foundation
import KinerjaDomain
import Varlink

/// `kinerja-bench control`: the control socket's latency and throughput against a real daemon.
struct ControlBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control",
        abstract: "Ping round trip p50/p99, pipelined calls per second, and kinerjactl status process time.")

    @Option(help: "Sequential Ping calls on one connection.") var pings = 5_000
    @Option(help: "Pipelined Ping calls on one connection.") var pipelined = 50_000
    @Option(help: "kinerjactl status runs.") var processes = 50

    func run() async throws {
        let daemon = try BenchDaemon()
        defer { daemon.stop() }
        let clock = ContinuousClock()
        let client = try await VarlinkClient.connect(unixPath: daemon.socketPath)
        for _ in 0..<200 { _ = try await client.call("io.kinerjad.Admin.Ping") } // warm-up

        var samples: [Double] = []
        samples.reserveCapacity(pings)
        for _ in 0..<pings {
            let start = clock.now
            _ = try await client.call("io.kinerjad.Admin.Ping")
            samples.append((clock.now - start).inSeconds * 1e6)
        }
        samples.sort()
        print(String(format: "ping round trip, one connection (%d calls): p50 %.0f µs, p99 %.0f µs, max %.0f µs",
                     pings, percentile(samples, 50), percentile(samples, 99), samples.last ?? 0))

        let start = clock.now
        let window = 1_000
        var done = 0
        while done < pipelined {
            let batch = min(window, pipelined - done)
            let streams = (0..<batch).map { _ in client.send(VarlinkCallMessage(method: "io.kinerjad.Admin.Ping")) }
            for stream in streams { for try await _ in stream {} }
            done += batch
        }
        let elapsed = (clock.now - start).inSeconds
        print(String(format: "pipelined Ping, one connection, %d in flight: %d calls in %.2f s = %.0f calls/s",
                     window, pipelined, elapsed, Double(pipelined) / elapsed))
        await client.close()

        var times: [Double] = []
        for _ in 0..<processes {
            let ctl = Process()
            ctl.executableURL = URL(fileURLWithPath: daemon.binDirectory + "/kinerjactl")
            ctl.arguments = ["--socket", daemon.socketPath, "status"]
            ctl.standardOutput = FileHandle.nullDevice
            let t0 = clock.now
            try ctl.run()
            ctl.waitUntilExit()
            times.append((clock.now - t0).inSeconds * 1000)
            guard ctl.terminationStatus == 0 else { throw BenchError("kinerjactl status exited \(ctl.terminationStatus)") }
        }
        times.sort()
        print(String(format: "kinerjactl status, whole process (%d runs): p50 %.1f ms, p99 %.1f ms",
                     processes, percentile(times, 50), percentile(times, 99)))
        let memory = daemon.memory()
        print("daemon memory after the run: RSS \(memory.rss / 1024) MiB, peak \(memory.peak / 1024) MiB")
    }
}
