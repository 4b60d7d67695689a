import Foundation
import KinerjaTestSupport
import Testing

/// kinerjad.service's sandbox, checked against the real binary: `systemd-analyze` on the unit, and the
/// daemon's whole life cycle under the same system-call filter and MemoryDenyWriteExecute.
@Suite("systemd unit hardening", .serialized)
struct HardeningTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sandbox = root.appendingPathComponent("tools/seccomp-exec.py").path
    static let canSandbox = getuid() == 0
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
        && FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/seccomp.cpython-311-x86_64-linux-gnu.so")

    @Test("systemd-analyze security rates kinerjad.service 1.0 or lower, and verify passes")
    func exposure() async throws {
        let unit = Self.root.appendingPathComponent("systemd/kinerjad.service").path
        let security = try await Subprocess.run("systemd-analyze", arguments: ["security", "--offline=true", "--no-pager", unit], timeout: .seconds(60))
        let line = security.standardOutputText.split(separator: "\n").first { $0.contains("Overall exposure level") }
        let score = try #require(line.flatMap { $0.split(separator: ":").last?.split(separator: " ").first }.flatMap { Double($0) }, "\(security.standardOutputText)")
        #expect(score <= 1.0, "exposure \(score)")
        let verify = try await Subprocess.run(
            "systemd-analyze",
            arguments: ["verify", unit, Self.root.appendingPathComponent("systemd/kinerjad.socket").path], timeout: .seconds(60))
        let problems = verify.standardErrorText.split(separator: "\n").filter { !$0.contains("is not executable") && !$0.contains("/usr/bin/kinerjad") }
        #expect(problems.isEmpty, "\(verify.standardErrorText)")
    }

    @Test("the sandbox helper really filters: W+X memory and a privileged call are refused", .enabled(if: canSandbox, "needs root and setpriv: it runs the daemon under the unit's system-call filter (tools/seccomp-exec.py)"))
    func sandboxIsReal() async throws {
        let wx = try await Subprocess.run("/usr/bin/python3", arguments: [Self.sandbox, "/usr/bin/python3", "-c",
            "import mmap; mmap.mmap(-1, 4096, prot=mmap.PROT_READ|mmap.PROT_WRITE|mmap.PROT_EXEC)"], timeout: .seconds(30))
        #expect(wx.status != .exited(0), "a writable+executable mapping was allowed")
        let chroot = try await Subprocess.run("/usr/bin/python3", arguments: [Self.sandbox, "/usr/bin/python3", "-c", "import os; os.chroot('/')"], timeout: .seconds(30))
        #expect(chroot.status != .exited(0))
        #expect(chroot.standardErrorText.contains("PermissionError"), "\(chroot.standardErrorText)")
    }

    @Test("as an unprivileged user under SystemCallFilter and MemoryDenyWriteExecute the daemon runs its whole life cycle",
          .enabled(if: canSandbox, "needs root and setpriv: it runs the daemon under the unit's system-call filter (tools/seccomp-exec.py)"))
    func lifecycleUnderSandbox() async throws {
        var options = DaemonHarness.Options()
        options.user = "nobody"
        options.wrapper = ["/usr/bin/python3", Self.sandbox]
        options.environment = ["WATCHDOG_USEC": "1000000"]
        let daemon = try await DaemonHarness.start(options)
        _ = try await daemon.notify.waitFor(prefix: "WATCHDOG=1", timeout: .seconds(5))
        chmod(daemon.socketPath, 0o666)
        _ = try await daemon.call("io.kinerjad.Admin.Ping")
        _ = try await daemon.call("io.kinerjad.Admin.GetStatus")
        let backup = try await daemon.call("io.kinerjad.Admin.Backup")
        #expect(backup["size"]?.intValue ?? 0 > 0)
        _ = try await daemon.call("io.kinerjad.Admin.Reload")
        try daemon.process.signal(SIGHUP)
        _ = try await daemon.notify.waitFor(prefix: "RELOADING=1")
        _ = try await daemon.notify.waitFor(prefix: "READY=1")
        #expect(try await daemon.stop() == .exited(0), "\(daemon.log)")
    }

    @Test("under the same sandbox, as an unprivileged user, reminders go out through the detached sendmail runner (sh, sed, sync, mv, msmtp)",
          .enabled(if: canSandbox, "needs root and setpriv: it runs the daemon under the unit's system-call filter (tools/seccomp-exec.py)"))
    func mailUnderSandbox() async throws {
        let sink = try await SMTPSink.start()
        let (daemon, directory) = try await ReminderSweepTests.startWithOverdueCycle(
            sink: sink, schedule: "    reminder-sweep: \"off\"\n    outbox-delivery: \"off\"") { options in
                options.user = "nobody"
                options.wrapper = ["/usr/bin/python3", Self.sandbox]
            }
        let planned = (try await daemon.call("io.kinerjad.Admin.PreviewReminders")["messages"]?.arrayValue ?? [])
            .filter { !($0["to"]?.arrayValue ?? []).isEmpty }
        #expect(planned.count >= 10)
        let send = try await Subprocess.run(try BuiltProducts.kinerjactl, arguments: ["--socket", daemon.socketPath, "reminders", "send-now"],
                                            environment: Subprocess.environment(), timeout: .seconds(120))
        #expect(send.status == .exited(0), "\(send.standardErrorText)\(send.standardOutputText)")
        let received = try await sink.waitForMessages(count: planned.count)
        #expect(received.count == planned.count)
        #expect(try await daemon.call("io.kinerjad.Admin.ListReminders", ["status": "sent"])["total"]?.intValue == Int64(planned.count), "\(daemon.log)")
        // The runner recorded each outcome and the files went once it was committed.
        let spool = (try? FileManager.default.contentsOfDirectory(atPath: directory.path("outbox"))) ?? ["(no spool directory)"]
        #expect(spool.isEmpty, "\(spool)")
        #expect(try await daemon.stop() == .exited(0), "\(daemon.log)")
        await sink.stop()
    }
}
