import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// The scheduler in the real daemon: a job a few seconds ahead runs, `kinerjactl jobs` shows it,
/// and a restart after missed slots catches up exactly once.
@Suite("scheduled jobs in the running daemon", .serialized)
struct SchedulerEndToEndTests {
    func ctl(_ daemon: DaemonHarness, _ arguments: [String]) async throws -> Subprocess.Completed {
        try await Subprocess.run(try BuiltProducts.kinerjactl, arguments: ["--socket", daemon.socketPath] + arguments,
                                 environment: Subprocess.environment(), timeout: .seconds(60))
    }

    @Test("maintenance every 3 s runs, shows in jobs, and catches up once after downtime")
    func runsAndCatchesUp() async throws {
        var options = DaemonHarness.Options()
        options.extraConfig = "jobs:\n  schedule:\n    maintenance: \"*:*:0/3\"\n"
        let directory = try TemporaryDirectory(prefix: "kinerjad-jobs")
        let daemon = try await DaemonHarness.start(options, in: directory)

        // The first slot is at most 3 s away.
        try await waitUntil("maintenance ran", timeout: .seconds(15)) {
            let jobs = try await daemon.call("io.kinerjad.Admin.ListJobs")["jobs"]?.arrayValue ?? []
            return jobs.contains { $0["name"]?.stringValue == "maintenance" && $0["last_outcome"]?.stringValue == "ok" }
        }
        // The table shows the last outcome; a run every 3 s can be under way ("running") at the
        // moment kinerjactl asks, so ask until a finished run shows.
        var table = try await ctl(daemon, ["jobs"])
        for _ in 0..<20 where !table.standardOutputText.contains(" ok ") {
            try await Task.sleep(for: .milliseconds(250))
            table = try await ctl(daemon, ["jobs"])
        }
        #expect(table.status == .exited(0))
        #expect(table.standardOutputText.contains("maintenance"))
        #expect(table.standardOutputText.contains("*:*:0/3"))
        #expect(table.standardOutputText.contains(" ok "), "\(table.standardOutputText)")
        let backups = try FileManager.default.contentsOfDirectory(atPath: directory.path("backup"))
        #expect(!backups.isEmpty, "maintenance wrote no backup")

        // Down for about three slots.
        #expect(try await daemon.stop() == .exited(0))
        let before = try await Self.history(directory)
        try await Task.sleep(for: .seconds(7))
        let restarted = try await DaemonHarness.start(options, in: directory)
        try await waitUntil("the catch-up run finished", timeout: .seconds(10)) {
            let runs = try await restarted.call("io.kinerjad.Admin.JobHistory", ["name": "maintenance", "limit": 100])["runs"]?.arrayValue ?? []
            return runs.count > before && runs.contains { $0["trigger"]?.stringValue == "catch-up" && $0["outcome"]?.stringValue == "ok" }
        }
        // Let it reach its next regular slot too; still exactly one catch-up.
        try await waitUntil("a scheduled run after the catch-up", timeout: .seconds(30)) {
            let runs = try await restarted.call("io.kinerjad.Admin.JobHistory", ["name": "maintenance", "limit": 100])["runs"]?.arrayValue ?? []
            return runs.contains { $0["trigger"]?.stringValue == "schedule" && ($0["id"]?.intValue ?? 0) > Int64(before) + 1 }
        }
        let runs = try await restarted.call("io.kinerjad.Admin.JobHistory", ["name": "maintenance", "limit": 100])["runs"]?.arrayValue ?? []
        // Exactly one run for the downtime: the first run after the restart is the catch-up, and every
        // later run is for a slot after the restart. (A later run may still be labelled catch-up when a
        // slot passed while the daemon was up but busy, a run longer than 3 s on a loaded machine; that
        // is not the downtime's slots being run again.)
        let sinceRestart = runs.filter { ($0["id"]?.intValue ?? 0) > Int64(before) }.sorted { ($0["id"]?.intValue ?? 0) < ($1["id"]?.intValue ?? 0) }
        #expect(sinceRestart.first?["trigger"]?.stringValue == "catch-up", "\(runs)")
        let iso = ISO8601DateFormatter()
        func date(_ value: JSONValue?) -> Date? { value?.stringValue.flatMap { iso.date(from: $0) } }
        if let restartedRun = date(sinceRestart.first?["started_at"]) {
            for run in sinceRestart.dropFirst() {
                let slot = try #require(date(run["slot"]), "\(run)")
                #expect(slot >= restartedRun.addingTimeInterval(-1), "a slot of the downtime ran twice: \(run) in \(runs)")
            }
        }
        #expect(runs.contains { $0["trigger"]?.stringValue == "schedule" && ($0["id"]?.intValue ?? 0) > Int64(before) + 1 })

        // A manual run (admin), and history through kinerjactl.
        let manual = try await ctl(restarted, ["jobs", "run", "maintenance"])
        #expect(manual.status == .exited(0), "\(manual.standardErrorText)")
        let history = try await ctl(restarted, ["--json", "jobs", "history", "maintenance"])
        let parsed = try JSONValue(parsing: history.standardOutputText)
        // The 3-second schedule may have run again since; the manual run is among the newest.
        #expect(parsed.arrayValue?.prefix(3).contains { $0["trigger"]?.stringValue == "manual" } == true, "\(parsed)")
        let unknown = try await ctl(restarted, ["jobs", "run", "nope"])
        #expect(unknown.status == .exited(1))
        #expect(unknown.standardErrorText.contains("NotFound"))
        let status = try await restarted.call("io.kinerjad.Admin.GetStatus")
        #expect(status["jobs"]?.arrayValue?.first?["next_run"]?.stringValue != nil)
        #expect(try await restarted.stop() == .exited(0))
    }

    static func history(_ directory: TemporaryDirectory) async throws -> Int {
        let result = try await Subprocess.run("python3", arguments: ["-c", """
            import sqlite3, sys
            print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM job_run").fetchone()[0])
            """, directory.path("kinerja.sqlite")], timeout: .seconds(30))
        return Int(result.standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    @Test("an invalid calendar in the config is an error naming the job and the column")
    func invalidCalendar() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerjad-badcal")
        try "jobs:\n  schedule:\n    maintenance: \"Mon..Fry 09:00\"\n".write(toFile: directory.path("k.yaml"), atomically: true, encoding: .utf8)
        let result = try await Subprocess.run(try BuiltProducts.kinerjad, arguments: ["--check-config", "--config", directory.path("k.yaml")],
                                              environment: Subprocess.environment(), timeout: .seconds(30))
        #expect(result.status == .exited(78))
        #expect(result.standardErrorText.contains("jobs.schedule.maintenance"), "\(result.standardErrorText)")
        #expect(result.standardErrorText.contains("column"))
    }
}
