import Foundation
import KinerjaDomain
import KinerjaTestSupport
import Synchronization
import Testing
@testable import KinerjaDaemon

/// The sendmail channel with real programs: shell scripts that succeed, fail, hang or die, and msmtp
/// talking SMTP to a real server (aiosmtpd) on 127.0.0.1; each through the real runner and spool.
@Suite("SendmailTransport with real programs")
struct SendmailTransportTests {
    static let jakarta = TimeZone(identifier: "Asia/Jakarta")!

    static func message() -> MailMessage {
        MailMessage(from: MailAddress(name: "BKPSDM Kota Bandung", email: "kinerjad@bandung.go.id"),
                    to: [MailAddress(name: "Siti Nurhaliza", email: "siti@bandung.go.id")],
                    cc: [MailAddress(name: "Asep Ṡupriatna (Atasan)", email: "asep@bandung.go.id"),
                         MailAddress(name: "Kepala Dinas Lingkungan Hidup", email: "kadis.dlh@bandung.go.id")],
                    subject: "Pengingat: penilaian rekan — Dinas Lingkungan Hidup",
                    body: "Yth. Ibu Siti Nurhaliza,\n\nPenilaian 360° untuk Budi Santoso terlambat 3 hari.\nMohon segera diisi — terima kasih.\n\nHormat kami,\nBKPSDM Kota Bandung\n",
                    date: ISO8601DateFormatter().date(from: "2026-03-02T02:00:00Z")!,
                    messageID: "kinerjad.aa11bb22@bandung.go.id")
    }

    /// Writes an executable shell script and returns its path. The file is opened with O_CLOEXEC so
    /// that a child forked meanwhile by another test cannot inherit the write descriptor (which makes
    /// exec fail with ETXTBSY, "Text file busy").
    static func script(_ directory: TemporaryDirectory, _ name: String, _ body: String) throws -> String {
        let path = directory.path(name)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw TestSupportError("cannot create \(path): \(describeErrno())") }
        let bytes = Array(("#!/bin/sh\n" + body + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw TestSupportError("cannot write \(path): \(describeErrno())") }
        chmod(path, 0o755)
        return path
    }

    static func deliver(_ command: [String], timeout: Duration = .seconds(10), environment: [String: String]? = nil,
                        text: String? = nil, spool: SendmailSpool? = nil) async throws -> DeliveryOutcome {
        let temporary = try TemporaryDirectory(prefix: "kinerja-spool")
        let transport = SendmailTransport(command: command, timeout: timeout, spool: spool ?? SendmailSpool(directory: temporary.path("outbox")),
                                          environment: environment ?? ProcessInfo.processInfo.environment)
        let message = message()
        let outcome = await transport.deliver(message, text: try text ?? message.rendered(timeZone: jakarta), attempt: DeliveryAttempt(outboxID: 1, number: 1))
        withExtendedLifetime(temporary) {}
        return outcome
    }

    static func failure(_ outcome: DeliveryOutcome) -> DeliveryFailure? {
        if case .failed(let failure) = outcome { return failure }
        return nil
    }

    @Test("the message arrives on stdin (a file); the program sees no service variables and none of our descriptors, not even the lock")
    func success() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerja-sendmail")
        let program = try Self.script(directory, "sendmail", """
            cat > "\(directory.path("stdin"))"
            env > "\(directory.path("env"))"
            ls -1 /proc/self/fd > "\(directory.path("fds"))"
            """)
        // A descriptor of ours without close-on-exec must not reach the program.
        let devNull = open("/dev/null", O_RDONLY)
        let leaked = dup2(devNull, 200)
        close(devNull)
        defer { close(leaked) }
        #expect(leaked == 200 && fcntl(leaked, F_GETFD) & FD_CLOEXEC == 0)
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = "/run/systemd/notify"
        environment["KINERJA_TEST_MARK"] = "kept"
        let spool = SendmailSpool(directory: directory.path("outbox"))
        let outcome = try await Self.deliver([program, "-t", "-i"], environment: environment, spool: spool)
        #expect(outcome == .delivered)
        // The runner left the outcome and released the lock; finish() removes the files.
        let attempt = DeliveryAttempt(outboxID: 1, number: 1)
        let size = try #require(spool.messageSize(attempt))
        #expect(spool.status(attempt) == SendmailSpool.Status(termination: .exited(0), bytesRead: size))
        #expect(spool.lockState(attempt) == .free)
        SendmailTransport(command: [program], timeout: .seconds(1), spool: spool).finish(attempt)
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool.directory).isEmpty)
        #expect(try String(contentsOfFile: directory.path("stdin"), encoding: .utf8) == Self.message().rendered(timeZone: Self.jakarta))
        let env = try String(contentsOfFile: directory.path("env"), encoding: .utf8)
        #expect(env.contains("KINERJA_TEST_MARK=kept"))
        #expect(!env.contains("NOTIFY_SOCKET"))
        let fds = try String(contentsOfFile: directory.path("fds"), encoding: .utf8).split(separator: "\n").compactMap { Int32($0) }
        #expect(!fds.contains(leaked), "descriptor \(leaked) leaked into the program: \(fds)")
        // 0, 1, 2 and the directory ls reads; the runner's lock (3) is not passed on. The child closes
        // every other descriptor itself (closefrom), so one that a parallel test opened without
        // close-on-exec after the marking does not reach the program either.
        #expect(ChildProcess.addCloseFrom != nil, "glibc 2.34 or later has posix_spawn_file_actions_addclosefrom_np")
        #expect(fds.filter { $0 > 2 }.count <= 1, "\(fds)")
    }

    @Test("exit 75 is a failure carrying the status name and the program's stderr")
    func tempfail() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerja-sendmail")
        let program = try Self.script(directory, "sendmail", "cat >/dev/null\necho 'sendmail: 451 4.3.0 mail server busy, try later' >&2\nexit 75")
        let failure = try #require(Self.failure(try await Self.deliver([program])))
        #expect(failure.kind == .exitStatus)
        #expect(failure.summary == "\(program) exited with status 75 (EX_TEMPFAIL)")
        #expect(failure.output == "sendmail: 451 4.3.0 mail server busy, try later")
    }

    @Test("killed by a signal: the signal is named")
    func dies() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerja-sendmail")
        let program = try Self.script(directory, "sendmail", "echo 'about to crash' >&2\nkill -SEGV $$")
        let failure = try #require(Self.failure(try await Self.deliver([program])))
        #expect(failure.kind == .signal)
        #expect(failure.summary.hasSuffix("was killed by signal 11 (SIGSEGV)"))
        #expect(failure.output == "about to crash")
    }

    @Test("a hang past the timeout kills the whole process group (the runner's session), even a program that ignores SIGTERM; the pool stays free")
    func hangs() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerja-sendmail")
        let polite = try Self.script(directory, "polite", "sleep 300 &\necho $! > \"\(directory.path("polite.pid"))\"\nwait")
        let stubborn = try Self.script(directory, "stubborn", "trap '' TERM\nsleep 300 &\necho $! > \"\(directory.path("stubborn.pid"))\"\nwait")
        // More hung programs than the cooperative pool has threads, and a ticker: if a delivery held a
        // pool thread while its program runs, the ticker could not tick before one of them returned.
        let probe = HangProbe()
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(10))
                if !probe.anyReturned.load(ordering: .sequentiallyConsistent) { probe.ticksWhileHung.add(1, ordering: .relaxed) }
            }
        }
        let start = ContinuousClock.now
        async let a = Self.hung(polite, probe)
        async let b = Self.hung(polite, probe)
        async let c = Self.hung(stubborn, probe)
        let outcomes = try await [a, b, c]
        let elapsed = ContinuousClock.now - start
        ticker.cancel()
        #expect(probe.ticksWhileHung.load(ordering: .relaxed) >= 1, "the cooperative pool was blocked while the programs hung")
        for outcome in outcomes {
            let failure = try #require(Self.failure(outcome))
            #expect(failure.kind == .timeout)
            #expect(failure.summary.contains("did not finish within 1s (mail.timeout); its process group was killed"))
        }
        // The runner ignores SIGTERM (and the programs inherit that), so each needs the 2 s grace, then SIGKILL.
        #expect(elapsed >= .seconds(3) && elapsed < .seconds(30), "\(elapsed)")
        for name in ["polite.pid", "stubborn.pid"] {
            let pid = try #require(pid_t(String(contentsOfFile: directory.path(name), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            try await waitUntil("the background sleep \(pid) of \(name) is gone", timeout: .seconds(5)) { Self.isGone(pid) }
        }
    }

    @Test("exit 0 without reading the message is not a delivery")
    func closesStdin() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerja-sendmail")
        let program = try Self.script(directory, "sendmail", "exec 0<&-\nexit 0")
        let failure = try #require(Self.failure(try await Self.deliver([program], text: String(repeating: "x", count: 1 << 20))))
        #expect(failure.kind == .incompleteInput)
        #expect(failure.summary.hasSuffix("exited with status 0 after reading 0 of the message's 1048576 bytes"), "\(failure.summary)")
        // Reading half of it is no better.
        let half = try Self.script(directory, "half", "head -c 1000 >/dev/null\nexit 0")
        let partial = try #require(Self.failure(try await Self.deliver([half], text: String(repeating: "x", count: 1 << 20))))
        #expect(partial.kind == .incompleteInput)
    }

    @Test("a missing or non-executable program is a failure that says so")
    func missingProgram() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerja-sendmail")
        let missing = try #require(Self.failure(try await Self.deliver([directory.path("nope"), "-t"])))
        #expect(missing.kind == .spawn && missing.summary.contains("no such file"))
        try "plain".write(toFile: directory.path("plain"), atomically: true, encoding: .utf8)
        let plain = try #require(Self.failure(try await Self.deliver([directory.path("plain")])))
        #expect(plain.kind == .spawn && plain.summary.contains("not executable"))
    }

    @Test("msmtp to a real SMTP server: envelope recipients from To and Cc, headers and Indonesian text intact")
    func msmtpToSink() async throws {
        let sink = try await SMTPSink.start()
        defer { Task { await sink.stop() } }
        let outcome = try await Self.deliver(Self.msmtp(port: sink.port))
        #expect(outcome == .delivered)
        let received = try await sink.waitForMessages(count: 1)
        #expect(received.count == 1)
        #expect(received[0].sender == "kinerjad@bandung.go.id")
        #expect(received[0].recipients == ["siti@bandung.go.id", "asep@bandung.go.id", "kadis.dlh@bandung.go.id"])
        let parsed = try await ParsedMail.parse(received[0].data)
        #expect(parsed.defects.isEmpty, "\(parsed.defects)")
        #expect(parsed.header("Subject") == "Pengingat: penilaian rekan — Dinas Lingkungan Hidup")
        #expect(parsed.addresses["Cc"]?.first == ["Asep Ṡupriatna (Atasan)", "asep@bandung.go.id"])
        #expect(parsed.header("Auto-Submitted") == "auto-generated")
        #expect(parsed.header("Message-ID") == "<kinerjad.aa11bb22@bandung.go.id>")
        #expect(parsed.body == Self.message().body)
    }

    @Test("msmtp when the SMTP server is down: a failure with msmtp's explanation")
    func msmtpServerDown() async throws {
        // A port nobody listens on: bind one, note it, close it.
        let sink = try await SMTPSink.start()
        let port = sink.port
        await sink.stop()
        let failure = try #require(Self.failure(try await Self.deliver(Self.msmtp(port: port))))
        #expect(failure.kind == .exitStatus)
        #expect(failure.summary.contains("/usr/bin/msmtp exited with status"))
        #expect(failure.output.contains("msmtp"), "\(failure.output)")
    }

    final class HangProbe: Sendable {
        let anyReturned = Atomic<Bool>(false)
        let ticksWhileHung = Atomic<Int>(0)
    }

    static func hung(_ program: String, _ probe: HangProbe) async throws -> DeliveryOutcome {
        let outcome = try await deliver([program], timeout: .seconds(1))
        probe.anyReturned.store(true, ordering: .sequentiallyConsistent)
        return outcome
    }

    static func msmtp(port: Int) -> [String] {
        ["/usr/bin/msmtp", "--host=127.0.0.1", "--port=\(port)", "--auth=off", "--tls=off", "--from=kinerjad@bandung.go.id", "-t"]
    }

    /// Whether a process no longer runs (gone, or a zombie nobody reaped yet).
    static func isGone(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        guard let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }
}
