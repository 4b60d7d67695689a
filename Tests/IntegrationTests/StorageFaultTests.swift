import Foundation
#if canImport(Glibc)
import Glibc
#endif
import KinerjaTestSupport
import Testing
import Varlink

/// systemd-level storage faults against the real daemon: the state directory on a small tmpfs that
/// fills up, and the database made read-only (immutable file, read-only bind mount) at start and
/// while running. Each must give errors that name the problem and the path, change nothing, keep
/// the daemon serving reads, and recover without a restart once the storage is fixed.
@Suite("storage faults: full disk, read-only database", .serialized, .enabled(if: getuid() == 0, "needs root: it mounts a small tmpfs to fill and remounts it read-only"))
struct StorageFaultTests {
    /// A daemon whose database and backups live in `state` (a mount point), socket and config in `dir`.
    static func start(dir: TemporaryDirectory, state: String, employees: Int = 120,
                      options: DaemonHarness.Options = DaemonHarness.Options()) async throws -> (DaemonHarness, CyclesKit) {
        let config = """
            database:
              path: \(state)/kinerja.sqlite
            backup:
              directory: \(state)/backup
            control:
              socket: \(dir.path("admin.varlink"))
              idle_timeout: 30s
            logging:
              target: stderr
              level: info
            mail:
              channel: journal
            reminders:
              working_hours: "Mon..Sun 00:00..23:59 UTC"
              holidays: []
            jobs:
              schedule:
                reminder-sweep: "off"
                outbox-delivery: "off"
            """
        try config.write(toFile: dir.path("kinerjad.yaml"), atomically: true, encoding: .utf8)
        let daemon = try await DaemonHarness.start(options, in: dir)
        return (daemon, CyclesKit(daemon: daemon))
    }

    static func generate(_ dir: TemporaryDirectory, employees: Int) async throws -> String {
        let data = dir.path("demo")
        let gen = try await Subprocess.run(try BuiltProducts.kinerjactl,
                                           arguments: ["demo", "generate", "--employees", "\(employees)", "--periods", "1", "--seed", "3", "--out", data],
                                           environment: Subprocess.environment(), timeout: .seconds(120))
        try #require(gen.status == .exited(0), "\(gen.standardErrorText)")
        return data
    }

    /// Checkpoints the WAL and truncates it to nothing (a read-write connection next to the daemon's).
    static func checkpoint(_ database: String) async throws {
        let script = "import sqlite3, sys\nprint(sqlite3.connect(sys.argv[1]).execute('PRAGMA wal_checkpoint(TRUNCATE)').fetchone())"
        let result = try await Subprocess.run("python3", arguments: ["-c", script, database], timeout: .seconds(30))
        try #require(result.standardOutputText.hasPrefix("(0, 0, 0)"), "checkpoint: \(result.standardOutputText)\(result.standardErrorText)")
    }

    /// One SQL scalar, read with Python's sqlite3 (read-only) next to the running daemon.
    static func scalar(_ database: String, _ sql: String) async throws -> String {
        let script = "import sqlite3, sys\ndb = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)\nprint(db.execute(sys.argv[2]).fetchone()[0])"
        let r = try await Subprocess.run("python3", arguments: ["-c", script, database, sql], timeout: .seconds(60))
        try #require(r.status == .exited(0), "\(sql): \(r.standardErrorText)")
        return r.standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `PRAGMA integrity_check` and a few counts.
    static func check(_ database: String) async throws -> (integrity: String, cycles: String, outbox: String, assignments: String) {
        (try await scalar(database, "PRAGMA integrity_check"), try await scalar(database, "SELECT COUNT(*) FROM cycle"),
         try await scalar(database, "SELECT COUNT(*) FROM outbox"), try await scalar(database, "SELECT COUNT(*) FROM assignment"))
    }

    @Test("a full staging directory: the import stops with an error naming the directory and its free space, nothing is applied, the daemon serves on")
    func fullStaging() async throws {
        let dir = try TemporaryDirectory(prefix: "kinerjad-spool-full")
        let state = dir.path("state"), spool = dir.path("spool")
        for path in [state, spool] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        // 1 MiB where SQLite puts the spool's file; 15,000 employees spool about 4.5 MB (the spool's
        // 2 MiB page cache spills into it).
        try Mounts.mount(source: "tmpfs", target: spool, type: "tmpfs", options: "size=1m,mode=0755")
        defer { Mounts.unmount(spool) }
        let data = try await Self.generate(dir, employees: 15_000)
        var options = DaemonHarness.Options()
        options.environment = ["SQLITE_TMPDIR": spool]
        let (daemon, kit) = try await Self.start(dir: dir, state: state, options: options)
        #expect(try await kit.ctl(["import", "units", data + "/units.csv"]).status == .exited(0))
        let refused = try await kit.ctl(["import", "employees", data + "/employees.csv"])
        #expect(refused.status != .exited(0))
        let text = refused.standardErrorText + refused.standardOutputText
        #expect(text.contains("staging file in \(spool)") && text.contains("KiB free there") && text.contains("Nothing was imported"), "\(text)")
        #expect(try await Self.scalar(state + "/kinerja.sqlite", "SELECT COUNT(*) FROM employee") == "0")
        #expect(try await kit.ctl(["status"]).status == .exited(0))
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a full disk: clear errors naming the path, nothing half-applied, reads keep working, recovery without a restart")
    func fullDisk() async throws {
        let dir = try TemporaryDirectory(prefix: "kinerjad-full")
        let state = dir.path("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try Mounts.mount(source: "tmpfs", target: state, type: "tmpfs", options: "size=12m,mode=0755")
        defer { Mounts.unmount(state) }
        let data = try await Self.generate(dir, employees: 120)
        let (daemon, kit) = try await Self.start(dir: dir, state: state)
        let database = state + "/kinerja.sqlite"
        #expect(try await kit.ctl(["import", "employees", data + "/employees.csv"]).status == .exited(0))
        #expect(try await kit.ctl(["cycles", "open", "2026-Q2", "--early", "--opened-at", "2026-04-01T00:00:00Z"]).status == .exited(0))
        let before = try await Self.check(database)
        let activeBefore = try await Self.scalar(database, "SELECT COUNT(*) FROM employee WHERE aktif")

        // Fill the file system, and empty the WAL so that every write needs new space.
        try await Self.checkpoint(database)
        let filler = try Mounts.fill(state)
        defer { try? FileManager.default.removeItem(atPath: filler) }

        // Small writes first (each needs new space), the large cycle open last.
        let selfReview = try await Self.scalar(database, "SELECT id FROM assignment_named WHERE role = 'self' ORDER BY id LIMIT 1")
        let review = try await kit.ctl(["reviews", "submit", "--assignment", selfReview, "--scores", "4,4,4,4,4,4,4"])
        #expect(review.status == .exited(1))
        #expect(review.standardErrorText.contains("disk is full"), "\(review.standardErrorText)")

        let sweep = try await kit.ctl(["jobs", "run", "reminder-sweep"])
        #expect(sweep.status == .exited(1))
        #expect((sweep.standardErrorText + sweep.standardOutputText).contains("disk is full"), "\(sweep.standardErrorText)\(sweep.standardOutputText)")

        let backup = try await kit.ctl(["backup"])
        #expect(backup.status == .exited(1))
        #expect(backup.standardErrorText.contains("disk is full") || backup.standardErrorText.contains("space"), "\(backup.standardErrorText)")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: state + "/backup")) ?? []
        #expect(leftovers.isEmpty, "a failed backup left \(leftovers)")

        // An employee import that changes something (the last employee leaves the file: deactivated).
        let lines = try String(contentsOfFile: data + "/employees.csv", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        try (lines.dropLast().joined(separator: "\n") + "\n").write(toFile: dir.path("fewer.csv"), atomically: true, encoding: .utf8)
        let imported = try await kit.ctl(["import", "employees", dir.path("fewer.csv")])
        #expect(imported.status == .exited(1))
        #expect(imported.standardErrorText.contains("disk is full"), "\(imported.standardErrorText)")

        let open = try await kit.ctl(["cycles", "open", "2026-Q3", "--early", "--opened-at", "2026-07-01T00:00:00Z"])
        print("full disk, kinerjactl cycles open: \(open.standardErrorText)")
        #expect(open.status == .exited(1))
        #expect(open.standardErrorText.contains("disk is full (SQLITE_FULL)"), "\(open.standardErrorText)")
        #expect(open.standardErrorText.contains("\(state)/kinerja.sqlite"), "\(open.standardErrorText)")
        #expect(!open.standardErrorText.contains("INSERT"), "the SQL should not reach the admin: \(open.standardErrorText)")

        // Reads keep working; nothing changed; the log says what happened.
        #expect(try await kit.ctl(["status"]).status == .exited(0))
        #expect(try await kit.ctl(["cycles", "list"]).status == .exited(0))
        let during = try await Self.check(database)
        #expect(during.integrity == "ok")
        #expect(during.cycles == before.cycles && during.outbox == before.outbox && during.assignments == before.assignments,
                "\(before) -> \(during)")
        #expect(try await Self.scalar(database, "SELECT COUNT(*) FROM employee WHERE aktif") == activeBefore)
        #expect(daemon.log.contains("OpenCycle failed: the database \(state)/kinerja.sqlite cannot be written: the disk is full"), "\(daemon.log.suffix(3000))")
        #expect(daemon.log.contains("reminder-sweep"))

        // Space returns: the same operations succeed, without a restart.
        try FileManager.default.removeItem(atPath: filler)
        let reopened = try await kit.ctl(["cycles", "open", "2026-Q3", "--early", "--opened-at", "2026-07-01T00:00:00Z"])
        #expect(reopened.status == .exited(0), "\(reopened.standardErrorText)")
        let swept = try await kit.ctl(["jobs", "run", "reminder-sweep"])
        #expect(swept.status == .exited(0), "\(swept.standardErrorText)\(swept.standardOutputText)")
        #expect(try await kit.ctl(["backup"]).status == .exited(0))
        #expect(try await kit.ctl(["import", "employees", dir.path("fewer.csv")]).status == .exited(0))
        #expect(try await kit.ctl(["reviews", "submit", "--assignment", selfReview, "--scores", "4,4,4,4,4,4,4"]).status == .exited(0))
        let after = try await Self.check(database)
        #expect(after.integrity == "ok")
        #expect(after.cycles == "2")
        #expect(try await Self.scalar(database, "SELECT COUNT(*) FROM employee WHERE aktif") == String((Int(activeBefore) ?? 0) - 1))
        #expect((Int(after.outbox) ?? 0) > 0)
        #expect(daemon.process.isRunning)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("an immutable database file while running: writes fail naming the file, reads work, writable again works")
    func immutableWhileRunning() async throws {
        let dir = try TemporaryDirectory(prefix: "kinerjad-ro")
        let state = dir.path("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let data = try await Self.generate(dir, employees: 60)
        let (daemon, kit) = try await Self.start(dir: dir, state: state)
        let database = state + "/kinerja.sqlite"
        #expect(try await kit.ctl(["import", "employees", data + "/employees.csv"]).status == .exited(0))
        let files = ["\(state)/kinerja.sqlite", "\(state)/kinerja.sqlite-wal"]
        try await Mounts.chattr("+i", files)
        var immutable = true
        defer { if immutable { Mounts.chattrSync("-i", files) } }

        let open = try await kit.ctl(["cycles", "open", "2026-Q2", "--early", "--opened-at", "2026-04-01T00:00:00Z"])
        #expect(open.status == .exited(1))
        #expect(open.standardErrorText.contains("immutable (chattr +i)"), "\(open.standardErrorText)")
        #expect(open.standardErrorText.contains("\(state)/kinerja.sqlite"), "\(open.standardErrorText)")
        let status = try await daemon.call("io.kinerjad.Admin.GetStatus")
        let active = try await Self.scalar(database, "SELECT COUNT(*) FROM employee WHERE aktif")
        #expect(status["counts"]?["active_employees"]?.intValue == Int64(active))
        #expect(try await kit.ctl(["status"]).status == .exited(0))
        #expect(try await kit.ctl(["cycles", "list"]).status == .exited(0))
        #expect(daemon.log.contains("immutable (chattr +i)"))

        try await Mounts.chattr("-i", files)
        immutable = false
        #expect(try await kit.ctl(["cycles", "open", "2026-Q2", "--early", "--opened-at", "2026-04-01T00:00:00Z"]).status == .exited(0))
        let after = try await Self.check(database)
        #expect(after.integrity == "ok")
        #expect(after.cycles == "1")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a read-only database at start: exit 74 with the reason and the path; starts once writable")
    func readOnlyAtStart() async throws {
        let dir = try TemporaryDirectory(prefix: "kinerjad-ros")
        let state = dir.path("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        var (daemon, _) = try await Self.start(dir: dir, state: state)
        #expect(try await daemon.stop() == .exited(0))
        let database = "\(state)/kinerja.sqlite"

        // The file immutable.
        try await Mounts.chattr("+i", [database])
        var options = DaemonHarness.Options()
        options.waitForReady = false
        daemon = try await DaemonHarness.start(options, in: dir)
        let immutable = try await daemon.process.wait(timeout: .seconds(30))
        Mounts.chattrSync("-i", [database])
        #expect(immutable == .exited(74), "\(daemon.log)")
        #expect(daemon.log.contains("\(database) is immutable (chattr +i)"), "\(daemon.log)")

        // The state directory a read-only bind mount.
        try Mounts.mount(source: state, target: state, type: nil, options: nil, flags: UInt(MS_BIND))
        defer { Mounts.unmount(state) }
        try Mounts.mount(source: state, target: state, type: nil, options: nil, flags: UInt(MS_BIND | MS_REMOUNT | MS_RDONLY))
        daemon = try await DaemonHarness.start(options, in: dir)
        let readOnly = try await daemon.process.wait(timeout: .seconds(30))
        #expect(readOnly == .exited(74), "\(daemon.log)")
        #expect(daemon.log.contains("mounted read-only"), "\(daemon.log)")
        #expect(daemon.log.contains(database), "\(daemon.log)")
        Mounts.unmount(state)

        // Writable again: it starts, with the database as it was.
        daemon = try await DaemonHarness.start(DaemonHarness.Options(), in: dir)
        #expect(try await daemon.call("io.kinerjad.Admin.GetStatus")["schema_version"]?.intValue ?? 0 > 0)
        #expect(try await daemon.stop() == .exited(0))
    }
}

/// mount(2), umount2(2), chattr and filling a file system, for the storage fault tests (root).
enum Mounts {
    static func mount(source: String, target: String, type: String?, options: String?, flags: UInt = 0) throws {
        let result = Glibc.mount(source, target, type, flags, options)
        guard result == 0 else {
            throw TestSupportError("mount \(source) on \(target) (\(type ?? "bind"), \(options ?? "")) failed: \(describeErrno())")
        }
    }

    /// Detaches the mount at `target` (lazily, so a still-open file cannot keep it).
    static func unmount(_ target: String) {
        _ = umount2(target, Int32(MNT_DETACH))
    }

    static func chattr(_ flag: String, _ files: [String]) async throws {
        let result = try await Subprocess.run("chattr", arguments: [flag] + files, timeout: .seconds(10))
        guard result.status == .exited(0) else { throw TestSupportError("chattr \(flag) \(files) failed: \(result.standardErrorText)") }
    }

    /// chattr without waiting on the cooperative pool (for cleanup in `defer`).
    static func chattrSync(_ flag: String, _ files: [String]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
        process.arguments = [flag] + files
        try? process.run()
        process.waitUntilExit()
    }

    /// Writes a file into `directory` until the file system is full; returns its path.
    static func fill(_ directory: String) throws -> String {
        let path = directory + "/filler"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw TestSupportError("cannot create \(path): \(describeErrno())") }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x5a, count: 64 * 1024)
        var size = chunk.count
        while size > 0 {
            let written = chunk.withUnsafeBytes { write(fd, $0.baseAddress, size) }
            if written < 0 {
                guard errno == ENOSPC else { throw TestSupportError("filling \(path) failed: \(describeErrno())") }
                size /= 2
            }
        }
        return path
    }
}
