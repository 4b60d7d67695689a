import ArgumentParser
import Foundation
import Varlink

/// `kinerja-bench soak`: the load mix for a set time against one daemon, with SIGHUP reloads,
/// backups, maintenance (backup rotation, WAL checkpoint) and reminder runs on a timetable. The
/// daemon's RSS and descriptor count are measured with the clients paused after a warm-up, in the
/// middle and at the end; the run fails when the descriptors grew at all, when the RSS grew by more
/// than `--rss-growth-mib` after the warm-up, or on any error.
struct SoakBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Load for a set time with periodic reloads and backups; fails when the daemon's fds or RSS grow.")

    @Option(help: "Seconds to run (SOAK_SECONDS in make soak).") var seconds = 600
    @Option(help: "Employees generated and imported.") var employees = 2_000
    @Option(help: "Varlink client connections.") var clients = 8
    @Option(help: "kinerjactl processes running in a loop.") var ctlClients = 1
    @Option(help: "Pause between one client's calls, in milliseconds.") var pauseMs = 20
    @Option(help: "Seconds between SIGHUP reloads.") var reloadEvery = 10
    @Option(help: "Seconds between Backup calls (maintenance, with rotation, runs every 2x this).") var backupEvery = 30
    @Option(help: "Seconds between reminder sweep + delivery runs.") var remindersEvery = 45
    @Option(help: "Largest RSS growth accepted after the warm-up, in MiB.") var rssGrowthMib = 16

    func run() async throws {
        let load = try await LoadDaemon.start(employees: employees, backupKeep: 3)
        let context = LoadContext()
        let pool: LoadClients
        let sampler: ResourceSampler
        do {
            let assignments = try await load.openCycle("2026-Q2", openedAt: "2026-04-01T00:00:00Z", context: context)
            print("soak: \(employees) employees, cycle 2026-Q2 with \(assignments) assignments; \(clients) clients + \(ctlClients) kinerjactl loops, "
                  + "pause \(pauseMs) ms, for \(seconds) s")
            sampler = ResourceSampler(daemon: load.daemon, interval: .seconds(1))
            pool = try await LoadClients(socketPath: load.daemon.socketPath, binDirectory: load.daemon.binDirectory, context: context,
                                         operations: LoadMix.operations(reportWeight: 1), clients: clients,
                                         ctlClients: ctlClients, pause: .milliseconds(pauseMs))
        } catch {
            await load.stop()
            throw error
        }

        // The warm-up lasts a fifth of the run (5 to 120 s), and at least until every periodic action ran once.
        let warmUp = max(5, min(seconds / 5, 120), max(reloadEvery, 2 * backupEvery, remindersEvery) + 1)
        let checkpoints = [("after warm-up", warmUp), ("middle", max(warmUp + 1, seconds / 2)), ("end", seconds)]
        var measured: [(String, Int, Int, Int, Double)] = []  // name, rss, fds, calls, at
        var counts = (sighup: 0, backups: 0, maintenance: 0, reminders: 0)
        let start = ContinuousClock.now
        var driverError: Error?
        var next = (sighup: reloadEvery, backup: backupEvery, maintenance: 2 * backupEvery, reminders: remindersEvery)
        var checkpoint = 0
        do {
            while checkpoint < checkpoints.count {
                let now = Int(elapsed(since: start))
                if now >= checkpoints[checkpoint].1 {
                    await pool.pauseAndDrain()
                    try await Task.sleep(for: .milliseconds(500))
                    measured.append((checkpoints[checkpoint].0, load.daemon.memory().rss, load.daemon.fileDescriptorsOutsideDatabase(), pool.callCount,
                                     elapsed(since: start)))
                    checkpoint += 1
                    pool.resume()
                    continue
                }
                if now >= next.sighup {
                    kill(load.daemon.process.processIdentifier, SIGHUP)
                    counts.sighup += 1
                    next.sighup += reloadEvery
                }
                if now >= next.backup {
                    try await load.call("Backup")
                    counts.backups += 1
                    next.backup += backupEvery
                }
                if now >= next.maintenance {
                    _ = try await load.runJob("maintenance")
                    counts.maintenance += 1
                    next.maintenance += 2 * backupEvery
                }
                if now >= next.reminders {
                    _ = try await load.runJob("reminder-sweep")
                    _ = try await load.runJob("outbox-delivery")
                    counts.reminders += 1
                    next.reminders += remindersEvery
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        } catch {
            driverError = error
        }
        let result = await pool.stop()
        let series = sampler.stop()
        let peak = load.daemon.memory().peak
        let alive = load.daemon.process.isRunning
        let backups = (try? FileManager.default.contentsOfDirectory(atPath: load.daemon.directory + "/backup").count) ?? -1
        await load.stop()

        let runTime = elapsed(since: start)
        print(String(format: "soak ran %.0f s: %d SIGHUP reloads, %d Backup calls, %d maintenance runs, %d reminder sweep+delivery runs; %d backup files left (keep 3)",
                     runTime, counts.sighup, counts.backups, counts.maintenance, counts.reminders, backups))
        LoadClients.printTable(result.samples, writes: result.writes, elapsed: runTime)
        print("daemon RSS over the run (sampled every second):")
        for tenth in 0...10 {
            let at = runTime * Double(tenth) / 10
            if let sample = series.min(by: { abs($0.at - at) < abs($1.at - at) }) {
                print(String(format: "  %5.0f s  RSS ", sample.at) + mib(sample.rss) + "  fds \(sample.fds)")
            }
        }
        print("measured with the clients paused:")
        for (name, rss, fds, calls, at) in measured {
            print("  " + pad(name, 14) + String(format: " at %5.0f s: RSS ", at) + mib(rss) + ", \(fds) fds outside the database files, \(calls) calls so far")
        }
        print("daemon peak RSS (VmHWM): \(mib(peak))")
        var failures = result.errors.map { "error: \($0)" }
        if result.errorCount > result.errors.count { failures.append("… \(result.errorCount - result.errors.count) more errors") }
        if let driverError { failures.append("driver: \(driverError)") }
        if !alive { failures.append("the daemon exited during the run") }
        if measured.count == checkpoints.count {
            let (warm, middle, end) = (measured[0], measured[1], measured[2])
            let bound = rssGrowthMib * 1024
            print("bounds: descriptors outside the database files after warm-up \(warm.2) -> middle \(middle.2) -> end \(end.2) (must not grow); "
                  + "RSS \(mib(warm.1)) -> \(mib(middle.1)) -> \(mib(end.1)) (must stay within +\(rssGrowthMib) MiB of the warm-up)")
            if middle.2 > warm.2 || end.2 > warm.2 { failures.append("file descriptors grew: \(warm.2) -> \(middle.2) -> \(end.2)") }
            if middle.1 > warm.1 + bound || end.1 > warm.1 + bound {
                failures.append("RSS grew beyond \(rssGrowthMib) MiB: \(mib(warm.1)) -> \(mib(middle.1)) -> \(mib(end.1))")
            }
        } else {
            failures.append("the run stopped before its last checkpoint")
        }
        print("soak: " + (failures.isEmpty ? "PASS (0 errors)" : "FAIL"))
        for failure in failures { print("  \(failure)") }
        guard failures.isEmpty else { throw ExitCode(1) }
    }
}
