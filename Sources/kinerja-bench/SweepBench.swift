import ArgumentParser
import Foundation
import GRDB
import GRDBSQLite
import KinerjaDaemon
import KinerjaDomain
import KinerjaStore

/// `kinerja-bench sweep`: the reminder sweep at Bandung scale ("25,000 employees, one open
/// cycle, 30% of assignments overdue: sweep time and messages written; target in a release build:
/// within 1.5x of the same selection and outbox inserts done as set-based SQL, measured in one run").
///
/// The data set is built through the real paths: `kinerjactl demo generate`, units and employees
/// imported into a real kinerjad, then (the daemon stopped) the cycle opened through the store at an
/// instant in the past and a deterministic 70% of the assignments submitted through the store's
/// review path, so exactly the rest are overdue; then the daemon's own sweep runs at 09:00 on every
/// working day from the first reminder stage up to the day before the measured one, so the file
/// holds the reminders a real deployment would have sent (overdue reminders follow the ones sent).
/// Then, on fresh copies of that file, alternately:
/// the daemon's sweep (`AppDatabase.sweepReminders` with the planner the reference config gives) at
/// a working-hours instant `--days-late` days after the due date, and the same selection, outbox rows
/// and stage marks as set-based SQL in one transaction (`SweepBenchSQL`). Both results are compared
/// message by message (recipients, kind, copies, marks; a difference stops the benchmark).
struct SweepBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Reminder sweep over N employees with a share of assignments overdue: time and messages vs the same writes as set-based SQL.")

    @Option(help: "Employees generated.") var employees = 25_000
    @Option(help: "Generator seed.") var seed: UInt64 = 1
    @Option(name: .customLong("overdue-percent"), help: "Share of the assignments left overdue, in percent.") var overduePercent = 30
    @Option(name: .customLong("days-late"), help: "Days after the due date at which the sweep runs (8: the third overdue reminder, after:7d, copied to the unit head).")
    var daysLate = 8
    @Option(help: "Measurements of each kind, each on a fresh copy.") var repeats = 5
    @Option(help: ArgumentHelp("The daemon config whose reminder policy and templates are used.", valueName: "file"))
    var config = "config/kinerjad.yaml"
    @Option(help: ArgumentHelp("The admin digest address when the config has none.", valueName: "email"))
    var admin = "admin.bkpsdm@bandung.go.id"
    @Option(help: ArgumentHelp("Keep the data set here and reuse it when it is already built.", valueName: "dir"))
    var data: String?
    @Flag(name: .customLong("print-sql"), help: "Print the set-based SQL statements and exit.") var printSQL = false
    @Flag(name: .customLong("sweep-only"), help: "Only the sweep's rounds (for a profiler): no set-based SQL, no comparison, no plan alone.")
    var sweepOnly = false

    func validate() throws {
        guard (0...100).contains(overduePercent) else { throw ValidationError("--overdue-percent must be 0 to 100, found \(overduePercent)") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be 1 or more, found \(repeats)") }
        guard daysLate >= -30, daysLate <= 365 else { throw ValidationError("--days-late must be -30 to 365, found \(daysLate)") }
        guard employees >= 20 else { throw ValidationError("--employees must be 20 or more, found \(employees)") }
    }

    func run() async throws {
        var daemonConfig: DaemonConfig
        do { daemonConfig = try DaemonConfig.load(file: config) } catch { throw BenchError("\(config): \(error)") }
        if daemonConfig.mail.admin == nil { daemonConfig.mail.adminAddress = admin }
        let planner = daemonConfig.reminderPlanner
        let policy = planner.policy
        let openedAt = policy.workingHours.instant(on: CalendarDate(year: 2026, month: 10, day: 1)!, at: TimeOfDay(hour: 8, minute: 0)!)
        let due = openedAt.addingTimeInterval((daemonConfig.cycles.dueAfter).inSeconds)
        let sweepDay = CalendarDate(daysSinceEpoch: policy.day(of: due).daysSinceEpoch + daysLate)
        let now = policy.workingHours.instant(on: sweepDay, at: TimeOfDay(hour: 9, minute: 0)!)
        guard policy.isWorkingTime(now) else {
            throw BenchError("the sweep instant \(now) (\(sweepDay) 09:00) is outside working hours; choose another --days-late")
        }

        if printSQL {
            print(SweepBenchSQL(planner: planner, from: daemonConfig.mail.from, now: now).statements.joined(separator: ";\n") + ";")
            return
        }
        let directory = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("kinerja-bench-sweep-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory + "/backup", withIntermediateDirectories: true)
        defer { if data == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let template = directory + "/kinerja.sqlite"
        let marker = directory + "/built-\(employees)-\(seed)-\(overduePercent)-reminded-to-\(daysLate)"
        if !FileManager.default.fileExists(atPath: marker) {
            try build(directory: directory, database: template, config: daemonConfig, openedAt: openedAt, submittedBy: due)
            try remindUntil(sweepDay, database: template, planner: planner, from: daemonConfig.mail.from, due: due)
            _ = FileManager.default.createFile(atPath: marker, contents: nil)
        }
        let sizes = try Self.query(template, """
            SELECT (SELECT COUNT(*) FROM employee WHERE aktif), (SELECT COUNT(*) FROM assignment),
                   (SELECT COUNT(*) FROM assignment WHERE submitted_at IS NULL), (SELECT COUNT(*) FROM review)
            """)
        print("database: \(sizes[0]) active employees, \(sizes[1]) assignments in one open cycle, \(sizes[2]) overdue "
              + "(\(String(format: "%.1f", (Double(sizes[2]) ?? 0) * 100 / (Double(sizes[1]) ?? 1)))%), \(sizes[3]) reviews")
        print("sweep at \(sweepDay) 09:00 \(policy.timeZone.identifier), \(daysLate) days after the due date; admin digest to \(planner.adminAddress?.email ?? "nobody")")

        let statements = SweepBenchSQL(planner: planner, from: daemonConfig.mail.from, now: now).statements
        var sweepTimes: [Double] = [], sqlTimes: [Double] = [], sweepCPU: [Double] = [], sqlCPU: [Double] = []
        var sweepPeak = 0, sqlPeak = 0, sweepSQLite = 0, sqlSQLite = 0
        let baseline = Self.currentRSS()
        var sweepOutcome: SweepOutcome?, sqlOutcome: SweepOutcome?
        for round in 1...repeats {
            let copy = try Self.freshCopy(of: template, as: directory + "/sweep.sqlite")
            do {
                let database = try AppDatabase.open(path: copy)
                Self.resetPeakRSS()
                let t0 = ContinuousClock.now, c0 = Self.cpuSeconds()
                var escalations = 0, digests = 0
                let (plan, summary) = try database.sweepReminders(planner, from: daemonConfig.mail.from, now: now) { message in
                    if message.kind == .escalation { escalations += 1 }
                    if message.kind == .adminDigest { digests += 1 }
                }
                sweepTimes.append((ContinuousClock.now - t0).inSeconds)
                sweepCPU.append(Self.cpuSeconds() - c0)
                sweepPeak = max(sweepPeak, Self.peakRSS())
                sweepSQLite = max(sweepSQLite, Int(sqlite3_memory_highwater(0)) / 1024)
                // Not with --sweep-only: the outcomes of earlier rounds, held, would count in the next round's peak.
                let outcome = sweepOnly ? nil : try SweepOutcome(database)
                try database.writer.close()
                if round == 1 { try Self.printGrowth(from: template, to: copy, messages: summary.inserted) }
                if round == 1 {
                    print("sweep wrote \(summary.inserted) messages with \(summary.marks) stage marks "
                          + "(\(escalations) escalations, "
                          + "\(digests) admin digest, \(plan.waitingForTomorrow) deferred, "
                          + "\(plan.peopleWithoutAddressCount) people without an address)")
                }
                if let previous = sweepOutcome, let outcome, !previous.sameRows(as: outcome) {
                    throw BenchError("two sweeps on copies of one file differ")
                }
                sweepOutcome = outcome ?? sweepOutcome
            }
            if sweepOnly {
                print(String(format: "round %d: sweep %.3f s (CPU %.3f s)", round, sweepTimes.last!, sweepCPU.last!))
                continue
            }
            let sqlCopy = try Self.freshCopy(of: template, as: directory + "/sql.sqlite")
            do {
                let database = try AppDatabase.open(path: sqlCopy)
                Self.resetPeakRSS()
                let t0 = ContinuousClock.now, c0 = Self.cpuSeconds()
                try Self.execute(statements, in: database)
                sqlTimes.append((ContinuousClock.now - t0).inSeconds)
                sqlCPU.append(Self.cpuSeconds() - c0)
                sqlPeak = max(sqlPeak, Self.peakRSS())
                sqlSQLite = max(sqlSQLite, Int(sqlite3_memory_highwater(0)) / 1024)
                sqlOutcome = try SweepOutcome(database)
                try database.writer.close()
            }
            print(String(format: "round %d: sweep %.3f s (CPU %.3f s), set-based SQL %.3f s (CPU %.3f s)", round,
                         sweepTimes.last!, sweepCPU.last!, sqlTimes.last!, sqlCPU.last!))
        }
        if sweepOnly {
            Self.removeDatabase(directory + "/sweep.sqlite")
            let a = sweepTimes.sorted(), ac = sweepCPU.sorted()
            print(String(format: "reminder sweep: wall min %.3f s, median %.3f s; CPU min %.3f s, median %.3f s; peak RSS %d MiB (%d fresh copies)",
                         a.first!, median(a), ac.first!, median(ac), sweepPeak / 1024, a.count))
            return
        }
        // Where the sweep's time goes: the same plan without the writes (reads + planner), on a fresh copy.
        var planTimes: [Double] = []
        do {
            let database = try AppDatabase.open(path: try Self.freshCopy(of: template, as: directory + "/sweep.sqlite"))
            for _ in 0..<3 {
                let c0 = Self.cpuSeconds()
                _ = try database.previewReminders(planner, now: now)
                planTimes.append(Self.cpuSeconds() - c0)
            }
            try database.writer.close()
        }
        for name in ["sweep.sqlite", "sql.sqlite"] { Self.removeDatabase(directory + "/" + name) }

        guard let sweep = sweepOutcome, let sql = sqlOutcome else { return }
        try sweep.check(against: sql)
        print("same result: \(sweep.messages.count) messages (one per recipient, the admin digest included), "
              + "\(sweep.marks) stage marks, \(sweep.copies) copies; recipients, kinds, copies and marks per message equal")
        print("bodies: sweep \(sweep.bodyBytes / 1024) KiB, SQL \(sql.bodyBytes / 1024) KiB; "
              + "\(sweep.identicalBodies(with: sql)) of \(sweep.messages.count) bodies and subjects identical (length and hash)")
        let a = sweepTimes.sorted(), b = sqlTimes.sorted(), ac = sweepCPU.sorted(), bc = sqlCPU.sorted()
        print(String(format: "reminder sweep (plan + outbox writes, one transaction): wall min %.3f s, median %.3f s; CPU min %.3f s, median %.3f s (%d fresh copies)",
                     a.first!, median(a), ac.first!, median(ac), a.count))
        print(String(format: "  of which the plan alone (reads + planner, no writes; CPU, best of 3): %.3f s", planTimes.min() ?? 0))
        print(String(format: "set-based SQL (same selection, rows and marks, one transaction): wall min %.3f s, median %.3f s; CPU min %.3f s, median %.3f s",
                     b.first!, median(b), bc.first!, median(bc)))
        print(String(format: "ratio sweep/SQL: wall median %.2fx, min %.2fx; CPU median %.2fx, min %.2fx (target ≤ 1.5x)",
                     median(a) / median(b), a.first! / b.first!, median(ac) / median(bc), ac.first! / bc.first!))
        print("peak RSS of this process: \(sweepPeak / 1024) MiB during the sweep, \(sqlPeak / 1024) MiB during the SQL "
              + "(VmHWM, reset before each; \(baseline / 1024) MiB resident before the first, shared libraries included)")
        print("SQLite's own heap at its peak (sqlite3_memory_highwater): \(sweepSQLite / 1024) MiB in the sweep, \(sqlSQLite / 1024) MiB in the SQL")
    }

    /// The daemon's sweep at 09:00 on every working day from the first reminder stage before `due` up
    /// to the day before `day`: the reminders sent before the measured sweep.
    func remindUntil(_ day: CalendarDate, database path: String, planner: ReminderPlanner, from: MailAddress, due: Date) throws {
        let policy = planner.policy
        let database = try AppDatabase.open(path: path)
        let first = policy.day(of: due).daysSinceEpoch + (policy.stages.first?.dayOffset ?? 0)
        var messages = 0, marks = 0, days: [String] = []
        for d in first..<day.daysSinceEpoch {
            let instant = policy.workingHours.instant(on: CalendarDate(daysSinceEpoch: d), at: TimeOfDay(hour: 9, minute: 0)!)
            guard policy.isWorkingTime(instant) else { continue }
            let (_, summary) = try database.sweepReminders(planner, from: from, now: instant)
            messages += summary.inserted
            marks += summary.marks
            days.append(CalendarDate(daysSinceEpoch: d).description)
        }
        try database.writer.close()
        print("reminders before the measured sweep: \(messages) messages with \(marks) stage marks on \(days.joined(separator: ", "))")
    }

    /// Units and employees through a real kinerjad, then the cycle and the reviews through the store.
    func build(directory: String, database: String, config: DaemonConfig, openedAt: Date, submittedBy due: Date) throws {
        Self.removeDatabase(database)
        let started = ContinuousClock.now
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let ctl = bin + "/kinerjactl"
        try FlagsBenchTools.runTool(ctl, ["demo", "generate", "--employees", "\(employees)", "--periods", "1", "--seed", "\(seed)",
                                          "--first-period", "2026-Q3", "--out", directory + "/demo", "-q"])
        // No scheduled job may run while the data set is built (a catch-up cycle open, say).
        let jobsOff = "jobs:\n  schedule:\n" + DaemonConfig().jobs.schedule.keys.sorted().map { "    \"\($0)\": \"off\"\n" }.joined()
        let daemon = try BenchDaemon(directory: directory, extraConfig: jobsOff, logFile: directory + "/daemon.log", startTimeout: 60)
        do {
            for kind in ["units", "employees"] {
                try FlagsBenchTools.runTool(ctl, ["--socket", daemon.socketPath, "-q", "import", kind, directory + "/demo/\(kind).csv"])
            }
        } catch {
            daemon.stop()
            throw error
        }
        daemon.stop()

        let store = try AppDatabase.open(path: database)
        let opened = try store.openCycle(period: try Period(parsing: "2026-Q3"), openedAt: openedAt,
                                         policy: config.cycles.assignmentPolicy, by: "kinerja-bench")
        print(opened.message)
        // A deterministic choice: assignments in a hashed order of their ids; the first share stays open.
        let rows = try store.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, role FROM assignment_named WHERE cycle_id = ? ORDER BY (id * 2654435761) % 4294967291, id
                """, arguments: [opened.cycle.id])
        }
        let overdue = (rows.count * overduePercent + 50) / 100
        var submissions: [ReviewSubmission] = []
        submissions.reserveCapacity(rows.count - overdue)
        for (line, row) in rows.dropFirst(overdue).enumerated() {
            let id: Int64 = row[0]
            let role = ReviewerRole(rawValue: row[1])!
            let scores = try BerAKHLAKScores((0..<7).map { 2 + Int((id &* 31 &+ Int64($0) &* 7) % 4) })
            submissions.append(ReviewSubmission(
                line: line + 1, reference: AssignmentReference(id: id),
                review: Review(scores: scores, hasilKerja: role == .atasan ? .sesuai : nil),
                submittedAt: openedAt.addingTimeInterval(Double(86_400 + Int(id % 7) * 3_600))))
        }
        let summary = try store.submitReviews(submissions, cycle: nil, now: due, dryRun: false, source: "kinerja-bench")
        print("submitted \(summary.added) of \(summary.records) reviews through the store; \(overdue) assignments (\(overduePercent)%) left overdue")
        try store.writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try store.writer.close()
        print(String(format: "data set built in %.0f s", (ContinuousClock.now - started).inSeconds))
    }

    /// What the sweep's messages and marks add to the file (closed, so checkpointed): in all, per
    /// message, and per table and index of the outbox (`dbstat`, pages in use).
    static func printGrowth(from template: String, to copy: String, messages: Int) throws {
        func size(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }
        func tables(_ path: String) throws -> [String: Int] {
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            return try queue.read { db in
                var sizes: [String: Int] = [:]
                for row in try Row.fetchAll(db, sql: """
                    SELECT name, SUM(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_schema WHERE tbl_name IN ('outbox', 'outbox_text', 'outbox_stage'))
                    GROUP BY name
                    """) { sizes[row[0]] = row[1] }
                return sizes
            }
        }
        let grown = size(copy) - size(template)
        let before = try tables(template), after = try tables(copy)
        let parts = after.keys.sorted().map { name in "\(name) +\((after[name]! - (before[name] ?? 0)) / 1024) KiB" }
        print(String(format: "database grew by %.1f MiB: %d bytes per message written (%d messages); ", Double(grown) / 1_048_576,
                     grown / max(1, messages), messages) + parts.joined(separator: ", "))
    }

    /// The statements in one write transaction (synchronously, as the sweep runs).
    static func execute(_ statements: [String], in database: AppDatabase) throws {
        try database.writer.write { db in
            for statement in statements { try db.execute(sql: statement) }
        }
    }

    static func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    static func freshCopy(of template: String, as path: String) throws -> String {
        removeDatabase(path)
        // cp, not FileManager (which may read the whole file into this process's memory).
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/cp")
        p.arguments = [template, path]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw BenchError("cp \(template) \(path) failed (\(p.terminationStatus))") }
        return path
    }

    /// One row of a query as text.
    static func query(_ path: String, _ sql: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            guard let row = try Row.fetchOne(db, sql: sql) else { return [] }
            return row.databaseValues.map { $0.description.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
    }

    /// CPU time of this process (every thread), in seconds.
    static func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// glibc's `malloc_trim` (not in the Glibc module), looked up at run time.
    static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()

    /// Linux: writing 5 to clear_refs resets the process's peak resident size (VmHWM); memory freed
    /// by the previous measurement is handed back first, so it does not count in the next one.
    static func resetPeakRSS() {
        _ = mallocTrim?(0)
        _ = sqlite3_memory_highwater(1)
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// VmHWM of this process in KiB.
    static func peakRSS() -> Int { status("VmHWM") }

    /// VmRSS of this process in KiB.
    static func currentRSS() -> Int { status("VmRSS") }

    static func status(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return 0 }
        return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } ?? 0
    }
}

/// The outbox rows and stage marks a sweep left, for comparing the two ways of writing them. Texts
/// are kept as their length and hash (SipHash, stable within this process), so the results of
/// earlier rounds hold little memory while the next one is measured.
struct SweepOutcome {
    struct Message: Equatable {
        var kind: String
        var recipient: String?
        var to: String
        var cc: String
        /// `assignment@stage`, sorted by assignment, joined.
        var marks: String
        var markCount: Int
        var subjectHash: Int
        var bodyHash: Int
        var bodyBytes: Int
    }

    /// By idempotency key.
    var messages: [String: Message] = [:]

    init(_ database: AppDatabase) throws {
        try database.writer.read { db in
            var marks: [Int64: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT outbox_id, assignment_id, stage FROM outbox_stage ORDER BY assignment_id, stage") {
                marks[row[0], default: []].append("\(row[1] as Int64)@\(row[2] as String)")
            }
            let rows = try Row.fetchCursor(db, sql: "SELECT id, idempotency_key, kind, recipient_nip, mail_to, mail_cc, subject, body FROM outbox JOIN outbox_text ON outbox_id = id")
            while let row = try rows.next() {
                let own = marks[row[0]] ?? []
                let subject: String = row[6], body: String = row[7]
                messages[row[1]] = Message(kind: row[2], recipient: row[3], to: row[4], cc: row[5], marks: own.joined(separator: ","),
                                           markCount: own.count, subjectHash: subject.hashValue, bodyHash: body.hashValue,
                                           bodyBytes: body.utf8.count)
            }
        }
    }

    var marks: Int { messages.values.reduce(0) { $0 + $1.markCount } }
    var copies: Int { messages.values.reduce(0) { $0 + ($1.cc == "[]" ? 0 : $1.cc.components(separatedBy: "\"email\"").count - 1) } }
    var bodyBytes: Int { messages.values.reduce(0) { $0 + $1.bodyBytes } }

    func sameRows(as other: SweepOutcome) -> Bool { messages == other.messages }

    func identicalBodies(with other: SweepOutcome) -> Int {
        messages.filter { key, m in
            other.messages[key].map { $0.bodyHash == m.bodyHash && $0.bodyBytes == m.bodyBytes && $0.subjectHash == m.subjectHash } ?? false
        }.count
    }

    /// Stops the benchmark when the two results differ in anything but the texts.
    func check(against other: SweepOutcome) throws {
        var problems: [String] = []
        let missing = Set(messages.keys).subtracting(other.messages.keys).sorted()
        let extra = Set(other.messages.keys).subtracting(messages.keys).sorted()
        if !missing.isEmpty { problems.append("\(missing.count) messages only from the sweep, e.g. \(missing.prefix(3))") }
        if !extra.isEmpty { problems.append("\(extra.count) messages only from SQL, e.g. \(extra.prefix(3))") }
        for (key, m) in messages.sorted(by: { $0.key < $1.key }) {
            guard let o = other.messages[key] else { continue }
            if m.kind != o.kind || m.recipient != o.recipient || m.to != o.to || m.cc != o.cc || m.marks != o.marks {
                problems.append("\(key): sweep \(m.kind) to \(m.to) cc \(m.cc) marks \(m.markCount); SQL \(o.kind) to \(o.to) cc \(o.cc) marks \(o.markCount)")
            }
            if problems.count > 5 { break }
        }
        if !problems.isEmpty { throw BenchError("the sweep and the set-based SQL disagree:\n" + problems.joined(separator: "\n")) }
    }
}

/// Median of sorted samples (the mean of the middle two for an even count).
func median(_ sorted: [Double]) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
