import ArgumentParser
import Foundation
import Varlink

/// `kinerja-bench followups`: the follow-up pass and the effect report at Bandung scale (25,000
/// employees × 8 periods with planted flags and outcomes; each within 1.5x of the same work as
/// set-based SQL, RSS printed).
///
/// The data set is the flags benchmark's (`demo generate` and `demo load` through a real kinerjad; its
/// planted patterns become the flags). Every follow-up is removed, then a freshly started daemon runs
/// `followup-pass` by hand with `followup.min_severity: info`: a task for every flag, its events, and
/// the atasan's messages with their notices (all day is working time). Outcomes are then planted in
/// SQL (a deterministic share held with each action, on time or late, the rest never held; tasks dated
/// after the window's period; a share of the flags cleared one or two closed periods later) and
/// `FollowupReport` is called. The same two pieces of work then run as set-based SQL in the sqlite3
/// shell over the same file, each from the same starting state.
struct FollowupsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "followups",
        abstract: "Follow-up pass and effect report over N employees × P periods: time and RSS vs the same work as set-based SQL.")

    @Option(help: "Employees generated.") var employees = 25_000
    @Option(help: "Closed quarterly periods.") var periods = 8
    @Option(help: "Generator seed.") var seed = 1
    @Option(help: "Runs of each measurement (the best is kept).") var runs = 3
    @Option(help: ArgumentHelp("Keep the data set here and reuse it when it is already loaded.", valueName: "dir"))
    var data: String?

    static let config = """
        jobs:
          timeout: 2h
          schedule:
            followup-pass: "off"
            motivation-analysis: "off"
            outbox-delivery: "off"
            reminder-sweep: "off"
        reminders:
          working_hours: "Mon..Sun 00:00..23:59 UTC"
          holidays: []
        followup:
          min_severity: info
        """

    /// Every follow-up and what the pass wrote for it removed (the flags stay).
    static let reset = """
        DELETE FROM followup_notice; DELETE FROM followup_link; DELETE FROM followup_event; DELETE FROM followup_training;
        DELETE FROM followup; DELETE FROM outbox WHERE kind IN ('followup', 'followup_copy', 'followup_digest');
        CREATE TABLE IF NOT EXISTS bench_cleared(flag_id INTEGER PRIMARY KEY);
        UPDATE flag SET condition_cleared = 0, cleared_at = NULL WHERE id IN (SELECT flag_id FROM bench_cleared);
        DELETE FROM bench_cleared;
        PRAGMA wal_checkpoint(TRUNCATE);
        """

    func run() async throws {
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let directory = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("kinerja-bench-followups-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory + "/backup", withIntermediateDirectories: true)
        defer { if data == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let database = directory + "/kinerja.sqlite"
        try FlagsBenchTools.loadDemo(bin: bin, directory: directory, employees: employees, periods: periods, seed: seed)
        let sql = { (text: String) in try FlagsBenchTools.sqlite(database, text) }
        print("database: " + (try sql("""
            SELECT (SELECT COUNT(*) FROM cycle WHERE status = 'closed') || ' closed cycles, ' || (SELECT COUNT(*) FROM employee) || ' employees, '
                   || (SELECT COUNT(*) FROM flag WHERE status IN ('open', 'acknowledged') AND NOT condition_cleared) || ' open flags';
            """)))

        // The daemon's pass, every task new; best of `runs`, each from the same state.
        var passBest = Double.infinity, passMessage = "", peak = 0, idle = 0
        for _ in 0..<runs {
            _ = try sql(Self.reset)
            let daemon = try BenchDaemon(directory: directory, extraConfig: Self.config, logFile: directory + "/daemon.log", startTimeout: 60)
            idle = daemon.memory().rss
            let client = try await VarlinkClient.connect(unixPath: daemon.socketPath)
            let t0 = ContinuousClock.now
            let reply = try await client.call("io.kinerjad.Admin.RunJob", parameters: ["name": "followup-pass"])
            let wall = (ContinuousClock.now - t0).inSeconds
            await client.close()
            peak = max(peak, daemon.memory().peak)
            daemon.stop()
            guard reply["run"]?["outcome"]?.stringValue == "ok" else { throw BenchError("followup-pass failed: \(reply)") }
            if wall < passBest { passBest = wall; passMessage = reply["run"]?["message"]?.stringValue ?? "" }
        }
        let daemonCounts = try sql(Self.countsSQL)
        print(String(format: "followup-pass, every task new (best of %d): %.3f s wall — %@", runs, passBest, passMessage))
        print("  written: " + daemonCounts)

        // The same pass as set-based SQL, from the same state.
        var passSQL = Double.infinity
        for _ in 0..<runs {
            _ = try sql(Self.reset)
            let t0 = ContinuousClock.now
            _ = try sql(Self.passSQL(now: Self.now()))
            passSQL = min(passSQL, (ContinuousClock.now - t0).inSeconds)
        }
        print(String(format: "the same pass as set-based SQL in sqlite3 (best of %d): %.3f s", runs, passSQL))
        print("  written: " + (try sql(Self.countsSQL)))

        // Outcomes planted on the daemon's tasks, then the report through the daemon and as SQL.
        _ = try sql(Self.reset)
        let daemon = try BenchDaemon(directory: directory, extraConfig: Self.config, logFile: directory + "/daemon.log", startTimeout: 60)
        let client = try await VarlinkClient.connect(unixPath: daemon.socketPath)
        _ = try await client.call("io.kinerjad.Admin.RunJob", parameters: ["name": "followup-pass"])
        _ = try sql(Self.plantSQL)
        print("planted: " + (try sql("""
            SELECT COUNT(*) || ' tasks, ' || SUM(held_on IS NOT NULL) || ' held (' || SUM(held_on <= due_date) || ' on time), '
                   || SUM(held_on IS NULL) || ' never held, ' || (SELECT COUNT(*) FROM bench_cleared) || ' flags cleared later'
            FROM followup;
            """)))
        var reportBest = Double.infinity, cells = 0, shown = 0
        for _ in 0..<runs {
            let t0 = ContinuousClock.now
            let reply = try await client.call("io.kinerjad.Admin.FollowupReport", parameters: [:])
            reportBest = min(reportBest, (ContinuousClock.now - t0).inSeconds)
            let all = reply["cells"]?.arrayValue ?? []
            cells = all.count
            shown = all.filter { $0["suppressed"]?.boolValue == false }.count
        }
        let reportPeak = daemon.memory().peak
        await client.close()
        daemon.stop()
        var reportSQL = Double.infinity, sqlCells = ""
        for _ in 0..<runs {
            let t0 = ContinuousClock.now
            sqlCells = try sql(Self.reportSQL(minimum: 5))
            reportSQL = min(reportSQL, (ContinuousClock.now - t0).inSeconds)
        }
        print(String(format: "FollowupReport through Varlink (best of %d): %.3f s — %d cells, %d shown", runs, reportBest, cells, shown))
        print(String(format: "the same report as set-based SQL in sqlite3 (best of %d): %.3f s — %@ cells, %@ shown", runs, reportSQL,
                     sqlCells.split(separator: "|").first.map(String.init) ?? "?", sqlCells.split(separator: "|").last.map(String.init) ?? "?"))
        print(String(format: "ratio: pass %.3f s / SQL %.3f s = %.2fx; report %.3f s / SQL %.3f s = %.2fx (target ≤ 1.5x each)",
                     passBest, passSQL, passBest / passSQL, reportBest, reportSQL, reportBest / reportSQL))
        print("daemon RSS: \(idle / 1024) MiB idle after start, peak \(peak / 1024) MiB through the pass, \(reportPeak / 1024) MiB after the report (VmHWM)")
        _ = try sql(Self.reset)
    }

    /// Now as SQLite's datetime text (UTC), and today in Asia/Jakarta.
    static func now() -> (at: String, today: String, due: String) {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        let at = f.string(from: Date())
        f.timeZone = TimeZone(identifier: "Asia/Jakarta")
        f.dateFormat = "yyyy-MM-dd"
        return (at, f.string(from: Date()), f.string(from: Date().addingTimeInterval(14 * 86_400)))
    }

    static let countsSQL = """
        SELECT (SELECT COUNT(*) FROM followup) || ' tasks, ' || (SELECT COUNT(*) FROM followup_event) || ' events, '
               || (SELECT COUNT(*) FROM outbox WHERE kind = 'followup') || ' messages, ' || (SELECT COUNT(*) FROM followup_notice) || ' notices';
        """

    /// The pass's work in one transaction: a task per open flag (severity info and up) with its atasan
    /// (the Plt, else the active supervisor, else the latest atasan reviewer), a `created` event each;
    /// the calendar's moves; one message per atasan with an address listing their tasks (name, NIP,
    /// what was seen, the recommendation, the due date), a notice and a `told` event per task.
    static func passSQL(now: (at: String, today: String, due: String)) -> String {
        """
        BEGIN IMMEDIATE;
        WITH candidate AS (
            SELECT f.id, f.subject_nip, f.unit_code, f.follow_up FROM flag f
            WHERE f.status IN ('open', 'acknowledged') AND f.condition_cleared = 0 AND f.severity IN ('info', 'warning', 'critical')
              AND NOT EXISTS (SELECT 1 FROM followup x WHERE x.flag_id = f.id)
        ), latest AS (
            SELECT a.subject_nip, a.reviewer_nip, ROW_NUMBER() OVER (PARTITION BY a.subject_id ORDER BY c.period_end DESC, a.id DESC) AS n
            FROM assignment_named a JOIN cycle c ON c.id = a.cycle_id
            WHERE a.role_code = 0 AND a.subject_id IN (SELECT p.id FROM person p WHERE p.nip IN (SELECT subject_nip FROM candidate))
        )
        INSERT OR IGNORE INTO followup(flag_id, subject_id, unit_id, appraiser_id, appraiser_source, recommendation, status, created_at,
                                       created_on, due_date, updated_at)
        SELECT c.id, cp.id, cu.id, ap.id,
               CASE WHEN pl.nip IS NOT NULL THEN e.acting_kind WHEN su.nip IS NOT NULL THEN 'supervisor' WHEN l.reviewer_nip IS NOT NULL THEN 'appraiser' END,
               c.follow_up, 'open', '\(now.at)', '\(now.today)', '\(now.due)', '\(now.at)'
        FROM candidate c JOIN person cp ON cp.nip = c.subject_nip LEFT JOIN unit_key cu ON cu.code = c.unit_code
        LEFT JOIN employee e ON e.nip = c.subject_nip
        LEFT JOIN employee pl ON pl.nip = e.acting_nip AND pl.aktif AND pl.nip <> c.subject_nip
        LEFT JOIN employee su ON su.nip = e.supervisor_nip AND su.aktif AND su.nip <> c.subject_nip
        LEFT JOIN latest l ON l.subject_nip = c.subject_nip AND l.n = 1
        LEFT JOIN person ap ON ap.nip = COALESCE(pl.nip, su.nip, l.reviewer_nip) ORDER BY c.id;
        INSERT INTO followup_event(followup_id, at, actor, action) SELECT id, '\(now.at)', 'motivation-analysis', 'created' FROM followup;
        UPDATE followup SET status = 'escalated', updated_at = '\(now.at)' WHERE status IN ('open', 'overdue') AND due_date < date('\(now.today)', '-7 day');
        UPDATE followup SET status = 'overdue', updated_at = '\(now.at)' WHERE status = 'open' AND due_date < '\(now.today)';
        UPDATE followup SET status = 'closed', updated_at = '\(now.at)' WHERE status = 'held' AND (next_check IS NULL OR next_check <= '\(now.today)');
        CREATE TEMP TABLE new_outbox AS
        SELECT 'followup/' || fu.appraiser_nip || '/\(now.today)' AS idempotency_key, 'followup' AS kind, fu.appraiser_nip AS recipient_nip,
               'kinerjad@localhost' AS mail_from, a.nama || ' <' || a.email || '>' AS mail_to, '' AS mail_cc,
               'Tindak lanjut kinerja: ' || COUNT(*) || ' pegawai' AS subject,
               'Yth. ' || a.nama || char(10) || group_concat(COALESCE(s.nama, fu.subject_nip) || ' (NIP ' || fu.subject_nip || ')' || char(10)
                   || '   Yang terlihat: ' || f.evidence || char(10) || '   Rekomendasi: ' || fu.recommendation || char(10)
                   || '   Batas waktu: ' || fu.due_date || char(10) || '   Catat hasil dialog: ' || char(1) || 'tindaklanjut:' || fu.id || char(1),
                   char(10) || char(10)) AS body,
               '<followup.' || fu.appraiser_nip || '@localhost>' AS message_id
        FROM followup_named fu JOIN flag f ON f.id = fu.flag_id JOIN employee a ON a.nip = fu.appraiser_nip AND a.email IS NOT NULL
        LEFT JOIN employee s ON s.nip = fu.subject_nip
        WHERE fu.status IN ('open', 'overdue', 'escalated') GROUP BY fu.appraiser_nip;
        INSERT INTO outbox(idempotency_key, kind, recipient_nip, mail_from, mail_to, mail_cc, subject, message_id, created_at, status,
                           attempts, next_attempt_at, in_flight)
        SELECT idempotency_key, kind, recipient_nip, mail_from, mail_to, mail_cc, subject, message_id, '\(now.at)', 'pending', 0, '\(now.at)', 0
        FROM new_outbox ORDER BY rowid;
        INSERT INTO outbox_text(outbox_id, body) SELECT o.id, n.body FROM new_outbox n JOIN outbox o ON o.idempotency_key = n.idempotency_key;
        DROP TABLE new_outbox;
        INSERT INTO followup_notice(followup_id, stage, outbox_id)
        SELECT fu.id, 'new', o.id FROM followup_named fu JOIN outbox o ON o.idempotency_key = 'followup/' || fu.appraiser_nip || '/\(now.today)';
        INSERT INTO followup_event(followup_id, at, actor, action, note)
        SELECT followup_id, '\(now.at)', 'followup-pass', 'told', 'new: outbox ' || outbox_id FROM followup_notice;
        COMMIT;
        """
    }

    /// Outcomes planted on the tasks, by id: each task dated the day after its flag's window closed;
    /// ids ≡ 0..4 (mod 7) held with training, mentoring, workload_change, none_needed, other (ids ≡ 0
    /// or 2 late), the rest never held; the flag of every third task cleared at the first closed
    /// period after the task (`bench_cleared` remembers which, so that `reset` undoes it).
    static let plantSQL = """
        BEGIN IMMEDIATE;
        UPDATE followup SET created_at = (SELECT datetime(c.closed_at, '+1 day') FROM flag f JOIN cycle c ON c.period = f.window_end
                                          WHERE f.id = followup.flag_id AND c.closed_at IS NOT NULL)
        WHERE EXISTS (SELECT 1 FROM flag f JOIN cycle c ON c.period = f.window_end WHERE f.id = followup.flag_id AND c.closed_at IS NOT NULL);
        UPDATE followup SET created_on = date(created_at), due_date = date(created_at, '+14 day');
        UPDATE followup SET status = 'held', held_on = date(created_at, CASE WHEN id % 7 IN (0, 2) THEN '+20 day' ELSE '+' || (3 + id % 9) || ' day' END),
               agreed_action = CASE id % 7 WHEN 0 THEN 'training' WHEN 1 THEN 'mentoring' WHEN 2 THEN 'workload_change'
                                           WHEN 3 THEN 'none_needed' ELSE 'other' END,
               note = 'bench', recorded_by = 'bench', recorded_via = 'admin', recorded_at = created_at
        WHERE id % 7 < 5;
        INSERT INTO bench_cleared SELECT id FROM flag WHERE NOT condition_cleared AND id IN (SELECT flag_id FROM followup WHERE id % 3 = 0);
        UPDATE flag SET condition_cleared = 1,
               cleared_at = (SELECT MIN(k.closed_at) FROM cycle k, followup fu WHERE fu.flag_id = flag.id AND k.status = 'closed'
                             AND k.closed_at > fu.created_at)
        WHERE id IN (SELECT flag_id FROM bench_cleared)
          AND EXISTS (SELECT 1 FROM cycle k, followup fu WHERE fu.flag_id = flag.id AND k.status = 'closed' AND k.closed_at > fu.created_at);
        COMMIT;
        """

    /// The report's cells as one query: per unit and for all units, per action agreed and not held —
    /// the count, and unless under `minimum`, held on time, the median days to the dialog, the shares
    /// cleared within one and two closed periods, the mean changes. Returns `cells|shown`.
    static func reportSQL(minimum: Int) -> String {
        """
        WITH fu AS (
            SELECT COALESCE(fu.unit_code, '-') AS unit, COALESCE(fu.agreed_action, 'not_held') AS grp,
                   fu.held_on IS NOT NULL AND fu.held_on <= fu.due_date AS on_time,
                   CAST(julianday(fu.held_on) - julianday(fu.created_on) AS INTEGER) AS days, fu.created_at, f.subject_nip,
                   f.window_end, f.condition_cleared, f.cleared_at, c.kind, sp.id AS subject_id
            FROM followup_named fu JOIN flag f ON f.id = fu.flag_id LEFT JOIN cycle c ON c.period = f.window_end
            LEFT JOIN person sp ON sp.nip = f.subject_nip
        ), based AS (
            SELECT fu.*, COALESCE((SELECT k.period FROM cycle k WHERE k.kind = fu.kind AND k.status = 'closed' AND k.closed_at <= fu.created_at
                                   ORDER BY k.period DESC LIMIT 1), fu.window_end) AS base_period
            FROM fu
        ), m AS (
            SELECT fu.*, b.weighted_mean AS before_mean, b.predikat AS before_rank,
                   (SELECT k.id FROM cycle k WHERE k.kind = fu.kind AND k.status = 'closed' AND k.period > fu.base_period
                    ORDER BY k.period LIMIT 1) AS next_cycle
            FROM based fu LEFT JOIN cycle bc ON bc.period = fu.base_period LEFT JOIN result b ON b.cycle_id = bc.id AND b.subject_id = fu.subject_id
        ), row AS (
            SELECT m.unit, m.grp, m.on_time, m.days,
                   CASE WHEN m.condition_cleared THEN (SELECT COUNT(*) FROM cycle k WHERE k.kind = m.kind AND k.status = 'closed'
                                                       AND k.closed_at > m.created_at AND k.closed_at <= m.cleared_at) END AS cleared,
                   n.weighted_mean - m.before_mean AS dm, n.predikat - m.before_rank AS dp
            FROM m LEFT JOIN result n ON n.cycle_id = m.next_cycle AND n.subject_id = m.subject_id
        ), cellrow AS (
            SELECT unit, grp, on_time, days, cleared, dm, dp FROM row UNION ALL SELECT NULL, grp, on_time, days, cleared, dm, dp FROM row
        ), ranked AS (
            SELECT *, ROW_NUMBER() OVER (PARTITION BY unit, grp ORDER BY days IS NULL, days) AS i, COUNT(days) OVER (PARTITION BY unit, grp) AS nd FROM cellrow
        ), med AS (
            SELECT unit, grp, AVG(days) AS median FROM ranked
            WHERE days IS NOT NULL AND i IN ((nd + 1) / 2, (nd + 2) / 2) GROUP BY unit, grp
        ), cell AS (
            SELECT c.unit, c.grp, COUNT(*) AS n, SUM(on_time) AS held_on_time, SUM(cleared <= 1) * 1.0 / COUNT(*) AS one,
                   SUM(cleared <= 2) * 1.0 / COUNT(*) AS two, AVG(dm) AS dm, AVG(dp) AS dp
            FROM cellrow c GROUP BY c.unit, c.grp
        )
        SELECT COUNT(*) || '|' || SUM(n >= \(minimum)) FROM (
            SELECT cell.unit, cell.grp, cell.n, CASE WHEN cell.n >= \(minimum) THEN cell.held_on_time END,
                   CASE WHEN cell.n >= \(minimum) THEN med.median END, CASE WHEN cell.n >= \(minimum) THEN cell.one END,
                   CASE WHEN cell.n >= \(minimum) THEN cell.two END, CASE WHEN cell.n >= \(minimum) THEN cell.dm END,
                   CASE WHEN cell.n >= \(minimum) THEN cell.dp END
            FROM cell LEFT JOIN med ON med.unit IS cell.unit AND med.grp = cell.grp ORDER BY cell.unit, cell.grp);
        """
    }
}
