import ArgumentParser
import Foundation
import KinerjaDomain
import Varlink

/// `kinerja-bench flags`: the motivation analysis at Bandung scale ("25,000 employees × 8
/// closed periods: analysis time and peak RSS, release build; target within 2x of the same
/// aggregates done as set-based SQL, measured in one run, and RSS under 150 MiB").
///
/// A real kinerjad loads a generated data set (`kinerjactl demo generate` and `demo load`), is
/// restarted with its flags removed, and runs `motivation-analysis` by hand twice: once raising every
/// flag, once finding nothing new. Its own timing (load, rules, write) comes from the job's summary,
/// its peak RSS from /proc (VmHWM of the fresh process). Then the six rules' conditions (default
/// thresholds) run as one set-based SQL query in the sqlite3 shell over the same file, and the
/// findings per rule are compared.
struct FlagsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flags",
        abstract: "Motivation analysis over N employees × P closed periods: time and peak RSS vs the same rules as set-based SQL.")

    @Option(help: "Employees generated.") var employees = 25_000
    @Option(help: "Closed quarterly periods.") var periods = 8
    @Option(help: "Generator seed.") var seed = 1
    @Option(help: ArgumentHelp("Keep the data set here and reuse it when it is already loaded.", valueName: "dir"))
    var data: String?

    func run() async throws {
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let directory = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("kinerja-bench-flags-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory + "/backup", withIntermediateDirectories: true)
        defer { if data == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let database = directory + "/kinerja.sqlite"

        try FlagsBenchTools.loadDemo(bin: bin, directory: directory, employees: employees, periods: periods, seed: seed)
        let sizes = try FlagsBenchTools.sqlite(database, """
            SELECT (SELECT COUNT(*) FROM cycle WHERE status = 'closed'), (SELECT COUNT(*) FROM result),
                   (SELECT COUNT(*) FROM assignment), (SELECT COUNT(*) FROM review);
            """).split(separator: "|")
        print("database: \(sizes[0]) closed cycles, \(sizes[1]) results, \(sizes[2]) assignments, \(sizes[3]) reviews")
        _ = try FlagsBenchTools.sqlite(database, "DELETE FROM flag_event; DELETE FROM flag; PRAGMA wal_checkpoint(TRUNCATE);")

        // A fresh process, so its peak RSS is the analysis'.
        let daemon = try BenchDaemon(directory: directory, extraConfig: "jobs:\n  timeout: 2h\n", logFile: directory + "/daemon.log", startTimeout: 60)
        let idle = daemon.memory()
        let client = try await VarlinkClient.connect(unixPath: daemon.socketPath)
        func runJob() async throws -> (message: String, wall: Double) {
            let t0 = ContinuousClock.now
            let reply = try await client.call("io.kinerjad.Admin.RunJob", parameters: ["name": "motivation-analysis"])
            let run = reply["run"] ?? .null
            guard run["outcome"]?.stringValue == "ok" else { throw BenchError("motivation-analysis failed: \(run)") }
            return (run["message"]?.stringValue ?? "", (ContinuousClock.now - t0).inSeconds)
        }
        let cold = try await runJob()
        let peak = daemon.memory().peak
        let warm = try await runJob()
        await client.close()
        daemon.stop()
        print(String(format: "motivation-analysis, every flag new: %.2f s wall — %@", cold.wall, cold.message))
        print(String(format: "motivation-analysis, nothing new:    %.2f s wall — %@", warm.wall, warm.message))
        print("daemon RSS: \(idle.rss / 1024) MiB idle after start, peak \(peak / 1024) MiB through the analysis (VmHWM)")

        // The same rules as one set-based SQL query, best of three.
        let cutoff = Self.cutoff(months: 12)
        var best = Double.infinity
        var sqlCounts = ""
        for _ in 0..<3 {
            let t0 = ContinuousClock.now
            sqlCounts = try FlagsBenchTools.sqlite(database, Self.rulesSQL(trainingCutoff: cutoff))
            best = min(best, (ContinuousClock.now - t0).inSeconds)
        }
        let swiftCounts = try FlagsBenchTools.sqlite(database, """
            SELECT rule, COUNT(*) FROM flag WHERE NOT condition_cleared GROUP BY rule ORDER BY rule;
            """)
        print("findings per rule, SQL:   " + sqlCounts.split(separator: "\n").joined(separator: ", "))
        print("findings per rule, flags: " + swiftCounts.split(separator: "\n").joined(separator: ", "))
        let analysis = Double([cold.message, warm.message].map {
            Self.number(after: "load ", in: $0) + Self.number(after: "rules ", in: $0)
        }.min()!) / 1000
        print(String(format: "set-based SQL, same rules, one query in sqlite3 (best of 3): %.2f s", best))
        print(String(format: "ratio: analysis (load + rules, the faster run) %.2f s / SQL %.2f s = %.2fx (target ≤ 2x); peak RSS %d MiB (target < 150 MiB)",
                     analysis, best, analysis / best, peak / 1024))
    }

    static func number(after label: String, in text: String) -> Int {
        guard let range = text.range(of: label) else { return 0 }
        return Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    /// Today minus `months` months in Asia/Jakarta (cycles.time_zone default), as YYYY-MM-DD.
    static func cutoff(months: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Jakarta")!
        let date = calendar.date(byAdding: .month, value: -months, to: Date())!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// The six rules at their default thresholds over the last 8 closed quarterly periods: rule and
    /// how many employees it holds for. The same aggregates as the analysis loads are built first
    /// (every subject's row per period with the self-assessment's timing, every reviewer's counts per
    /// period, the latest training), then the rules' conditions are evaluated over them.
    static func rulesSQL(trainingCutoff: String) -> String {
        """
        WITH p AS (SELECT id, ROW_NUMBER() OVER (ORDER BY period_start) AS n FROM cycle WHERE status = 'closed' AND kind = 'quarterly'),
        k AS (SELECT MAX(n) AS t FROM p),
        h AS (SELECT p.id, p.n FROM p, k WHERE p.n > k.t - 8),
        r AS MATERIALIZED (
          SELECT sp.nip AS s, h.n AS n, x.weighted_mean AS m, x.predikat AS pr,
                 x.self_mean - x.atasan_mean AS gap,
                 CASE WHEN a.id IS NULL THEN NULL WHEN a.submitted_at IS NULL OR a.submitted_at > a.due_at THEN 1 ELSE 0 END AS late,
                 CASE WHEN x.rekan_count >= 3 THEN x.rekan_mean END AS rk,
                 CASE WHEN x.bawahan_count >= 3 THEN x.bawahan_mean END AS bw
          FROM result x JOIN h ON h.id = x.cycle_id
          JOIN person sp ON sp.id = x.subject_id
          LEFT JOIN assignment a ON a.cycle_id = x.cycle_id AND a.subject_id = sp.id AND a.role = 3 AND a.reviewer_id = sp.id),
        s AS MATERIALIZED (
          SELECT r.s,
                 MAX(CASE WHEN n = t THEN m END) AS m0, MAX(CASE WHEN n = t - 1 THEN m END) AS m1, MAX(CASE WHEN n = t - 2 THEN m END) AS m2,
                 MAX(CASE WHEN n = t THEN pr END) AS p0, MAX(CASE WHEN n = t - 1 THEN pr END) AS p1, MAX(CASE WHEN n = t - 2 THEN pr END) AS p2,
                 SUM(n > t - 3 AND gap + 1e-9 >= 0.75) AS gaps, SUM(n > t - 3 AND late = 1) AS lates,
                 MAX(CASE WHEN n = t THEN rk END) AS rk0, MAX(CASE WHEN n = t - 1 THEN rk END) AS rk1,
                 MAX(CASE WHEN n = t THEN bw END) AS bw0, MAX(CASE WHEN n = t - 1 THEN bw END) AS bw1
          FROM r, k GROUP BY r.s),
        tr AS MATERIALIZED (SELECT nip, MAX(date) AS d FROM training GROUP BY nip),
        b AS (SELECT MIN(id) AS lo, MAX(id) AS hi FROM assignment WHERE cycle_id IN (SELECT id FROM h)),
        ra AS MATERIALIZED (
          SELECT a.cycle_id AS cid, p.nip AS rv, COUNT(*) AS c,
                 SUM(v.berorientasi_pelayanan = v.akuntabel AND v.akuntabel = v.kompeten AND v.kompeten = v.harmonis
                     AND v.harmonis = v.loyal AND v.loyal = v.adaptif AND v.adaptif = v.kolaboratif) AS u,
                 SUM(v.comment IS NOT NULL AND v.comment <> '') AS cm
          FROM b CROSS JOIN review v CROSS JOIN assignment a ON a.id = v.assignment_id JOIN person p ON p.id = a.reviewer_id
          WHERE v.assignment_id BETWEEN b.lo AND b.hi AND a.cycle_id IN (SELECT id FROM h) AND a.role <> 3
          GROUP BY a.cycle_id, p.nip),
        pf AS (SELECT rv FROM ra JOIN h ON h.id = ra.cid, k WHERE h.n > k.t - 2 GROUP BY rv
               HAVING SUM(c) >= 5 AND (SUM(u) * 1.0 / SUM(c) + 1e-9 >= 0.8 OR SUM(cm) = 0))
        SELECT 'declining_trend', COUNT(*) FROM s
          WHERE (m2 - m1 > 1e-9 AND m2 - m1 + 1e-9 >= 0.05 AND m1 - m0 > 1e-9 AND m1 - m0 + 1e-9 >= 0.05) OR (p2 > p1 AND p1 > p0)
        UNION ALL SELECT 'disengaged', COUNT(*) FROM s WHERE lates >= 2
        UNION ALL SELECT 'feedback_drop', COUNT(*) FROM s
          WHERE (rk1 - rk0 > 1e-9 AND rk1 - rk0 + 1e-9 >= 0.5) OR (bw1 - bw0 > 1e-9 AND bw1 - bw0 + 1e-9 >= 0.5)
        UNION ALL SELECT 'perfunctory_reviewer', COUNT(*) FROM pf
        UNION ALL SELECT 'recognition_gap', COUNT(*) FROM s WHERE gaps >= 2
        UNION ALL SELECT 'stalled_development', COUNT(*) FROM s LEFT JOIN tr ON tr.nip = s.s
          WHERE p0 <= 2 AND (tr.d IS NULL OR tr.d < '\(trainingCutoff)');
        """
    }
}

/// Tools the flags and follow-up benchmarks run.
enum FlagsBenchTools {
    /// Generates a data set with `kinerjactl demo generate` and replays it through a real kinerjad
    /// (`demo load`) into `directory`, unless a marker says this one is loaded there already.
    static func loadDemo(bin: String, directory: String, employees: Int, periods: Int, seed: Int, extraConfig: String = "") throws {
        let marker = directory + "/loaded-\(employees)x\(periods)-\(seed)"
        guard !FileManager.default.fileExists(atPath: marker) else { return }
        let daemon = try BenchDaemon(directory: directory, extraConfig: "jobs:\n  timeout: 2h\n" + extraConfig, logFile: directory + "/daemon.log",
                                     startTimeout: 60)
        let started = ContinuousClock.now
        try runTool(bin + "/kinerjactl", ["--socket", daemon.socketPath, "demo", "generate", "--employees", "\(employees)",
                                          "--periods", "\(periods)", "--seed", "\(seed)", "--out", directory + "/demo"])
        try runTool(bin + "/kinerjactl", ["--socket", daemon.socketPath, "demo", "load", directory + "/demo"])
        print(String(format: "data set: %d employees, %d periods generated and loaded through the daemon in %.0f s",
                     employees, periods, (ContinuousClock.now - started).inSeconds))
        daemon.stop()
        FileManager.default.createFile(atPath: marker, contents: nil)
    }

    /// Runs a tool to completion, its output shown; a failure stops the benchmark.
    static func runTool(_ path: String, _ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw BenchError("\(path) \(arguments.joined(separator: " ")) exited \(p.terminationStatus)") }
    }

    /// Runs SQL in the sqlite3 shell and returns its output (rows as `a|b`).
    static func sqlite(_ database: String, _ sql: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = ["-batch", database]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data(sql.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw BenchError("sqlite3 failed (\(p.terminationStatus)) on: \(sql.prefix(200))") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
