import ArgumentParser
import Foundation
import KinerjaDomain
import Varlink

/// `kinerja-bench load`: N concurrent clients (each on its own connection, plus kinerjactl
/// processes) mixing reads and admin writes while, in the same daemon, a cycle of `--employees`
/// opens, the reminder sweep and the outbox delivery run and a backup is written. Prints per-method
/// counts and p50/p99 latency, the background steps' times, and the daemon's RSS and descriptor
/// count over the run. Exits non-zero on any error reply or failed call.
struct LoadBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Concurrent control clients during a cycle open, reminder sweep, delivery and backup: errors, p50/p99, RSS, fds.")

    @Option(help: "Employees generated and imported (the cycle opened for them).") var employees = 25_000
    @Option(help: "Varlink client connections.") var clients = 16
    @Option(help: "kinerjactl processes running in a loop.") var ctlClients = 2
    @Option(help: "Seconds the clients run at least (they also run until the background work is done).") var seconds = 30
    @Option(help: "Pause between one client's calls, in milliseconds.") var pauseMs = 0
    @Option(help: "Weight of CycleReport in the mix (a whole-cycle report; 0 leaves it out).") var reportWeight = 1

    func run() async throws {
        let setupStart = ContinuousClock.now
        let load = try await LoadDaemon.start(employees: employees)
        let setup = elapsed(since: setupStart)
        let idle = load.daemon.memory().rss, idleFDs = load.daemon.fileDescriptors()
        print("load: \(employees) employees imported in \(String(format: "%.1f", setup)) s; daemon idle RSS \(mib(idle)), \(idleFDs) fds")
        print("load: \(clients) Varlink clients + \(ctlClients) kinerjactl loops for at least \(seconds) s, pause \(pauseMs) ms")

        let sampler = ResourceSampler(daemon: load.daemon, interval: .milliseconds(100))
        let context = LoadContext()
        let pool: LoadClients
        do {
            pool = try await LoadClients(socketPath: load.daemon.socketPath, binDirectory: load.daemon.binDirectory, context: context,
                                         operations: LoadMix.operations(reportWeight: reportWeight), clients: clients,
                                         ctlClients: ctlClients, pause: .milliseconds(pauseMs))
        } catch {
            await load.stop()
            throw error
        }
        let runStart = ContinuousClock.now
        var steps: [(String, Double, String)] = []
        var driverError: Error?
        do {
            try await Task.sleep(for: .seconds(min(2, seconds / 5 + 1)))
            var t0 = ContinuousClock.now
            let assignments = try await load.openCycle("2026-Q2", openedAt: "2026-04-01T00:00:00Z", context: context)
            steps.append(("OpenCycle 2026-Q2", elapsed(since: t0), "\(assignments) assignments"))
            for job in ["reminder-sweep", "outbox-delivery"] {
                let run = try await load.runJob(job)
                steps.append(("RunJob \(job)", run.seconds, run.message))
            }
            t0 = ContinuousClock.now
            let backup = try await load.call("Backup")
            steps.append(("Backup", elapsed(since: t0), "\((backup["size"]?.intValue ?? 0) / 1024) KiB"))
            kill(load.daemon.process.processIdentifier, SIGHUP)
            steps.append(("SIGHUP reload", 0, "sent"))
            let left = Double(seconds) - elapsed(since: runStart)
            if left > 0 { try await Task.sleep(for: .milliseconds(Int(left * 1000))) }
        } catch {
            driverError = error
        }
        let result = await pool.stop()
        let runTime = elapsed(since: runStart)
        let samples = sampler.stop()
        let end = load.daemon.memory()
        let endFDs = load.daemon.fileDescriptors()
        let alive = load.daemon.process.isRunning
        await load.stop()

        print("background work while the clients ran:")
        for (name, time, note) in steps { print("  " + pad(name, 30) + String(format: " %8.2f s  ", time) + note) }
        print(String(format: "client calls over %.1f s:", runTime))
        LoadClients.printTable(result.samples, writes: result.writes, elapsed: runTime)
        let peakRSS = samples.map(\.rss).max() ?? 0, peakFDs = samples.map(\.fds).max() ?? 0
        print("daemon RSS: idle \(mib(idle)), peak \(mib(peakRSS)) sampled every 100 ms (VmHWM \(mib(end.peak))), end \(mib(end.rss))")
        print("daemon fds: idle \(idleFDs), peak \(peakFDs), end \(endFDs) (clients still connected at the end: \(clients))")
        print("errors: \(result.errorCount + (driverError == nil ? 0 : 1)) unexpected")
        for error in result.errors { print("  \(error)") }
        if let driverError { print("  driver: \(driverError)") }
        guard alive else { throw BenchError("the daemon exited during the run") }
        guard result.errorCount == 0, driverError == nil else { throw ExitCode(1) }
    }
}

/// Seconds since `start`.
func elapsed(since start: ContinuousClock.Instant) -> Double { (ContinuousClock.now - start).inSeconds }
