import Foundation
import KinerjaDomain
import KinerjaStore
import KinerjaTestSupport
import Testing
@testable import KinerjaDaemon

/// What the next delivery run does with an attempt a dead daemon left behind, with the real runner
/// (`/bin/sh`), real spool files and shell-script sendmail programs. A daemon that "dies" is played by
/// starting the attempt's runner and never waiting for it, with the message claimed in the database.
@Suite("outbox-delivery resolves attempts interrupted by a daemon crash", .serialized)
struct SendmailRecoveryTests {
    struct Setup {
        let fixture: OutboxDeliveryJobTests.Fixture
        let directory: TemporaryDirectory
        let transport: SendmailTransport
        let claim: OutboxClaim

        var job: OutboxDeliveryJob { OutboxDeliveryJob(runtime: fixture.runtime, makeTransport: { _, _ in transport }) }
        var attempt: DeliveryAttempt { DeliveryAttempt(outboxID: claim.message.id, number: claim.message.attempts) }
        var spool: SendmailSpool { transport.spool }

        /// Starts the claimed attempt's runner as the dead daemon did; returns its pid.
        func startRunner() throws -> pid_t {
            let text = try MailMessage(claim.message).rendered(timeZone: SendmailTransportTests.jakarta)
            switch transport.start(text: text, attempt: attempt) {
            case .success(let pid): return pid
            case .failure(let failure): throw TestSupportError("cannot start the runner: \(failure)")
            }
        }

        /// How many times the program ran (lines in `runs`).
        func runs() -> Int {
            ((try? String(contentsOfFile: directory.path("runs"), encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        func spoolFiles() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: spool.directory)) ?? []).sorted()
        }
    }

    /// One message for siti@, claimed for attempt 1 (the daemon died after the claim), and a sendmail
    /// program made of `body` (it finds its directory in $DIR and appends a line to $DIR/runs).
    static func setup(_ body: String, timeout: Duration = .seconds(10)) throws -> Setup {
        let fixture = try OutboxDeliveryJobTests.fixture()
        try OutboxDeliveryJobTests.enqueue(fixture.database, ["siti@bandung.go.id"])
        let directory = try TemporaryDirectory(prefix: "kinerja-recovery")
        let program = try SendmailTransportTests.script(directory, "sendmail", "DIR=\"\(directory.path)\"\necho run >> \"$DIR/runs\"\n" + body)
        let transport = SendmailTransport(command: [program, "-t"], timeout: timeout, spool: SendmailSpool(directory: directory.path("spool")),
                                          killGrace: .milliseconds(200))
        let claim = try #require(try fixture.database.claimNextOutboxMessage(now: fixture.clock.now, channel: "sendmail"))
        return Setup(fixture: fixture, directory: directory, transport: transport, claim: claim)
    }

    static func reap(_ pid: pid_t) {
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    @Test("status file present, sent: the outcome is adopted, the program does not run again, the files are removed")
    func adoptsSent() async throws {
        let s = try Self.setup("cat > \"$DIR/received\"\nexit 0")
        let pid = try s.startRunner()
        Self.reap(pid) // the program ended and the runner wrote its status; the daemon never recorded it
        #expect(s.spool.status(s.attempt) == SendmailSpool.Status(termination: .exited(0), bytesRead: s.spool.messageSize(s.attempt)))
        #expect(try await s.job.run(slot: s.fixture.clock.now) == "1 sent, 0 failed (to be retried), 0 dead; 0 waiting")
        #expect(s.runs() == 1)
        let stored = try #require(try s.fixture.database.outboxMessage(id: 1))
        #expect(stored.status == .sent && stored.attempts == 1 && !stored.inFlight)
        #expect(s.fixture.log.with(messageID: MessageIDs.mailSent).count == 1)
        #expect(s.fixture.log.with(messageID: MessageIDs.mailOutcomeUnknown).isEmpty)
        #expect(s.fixture.log.with(messageID: MessageIDs.mailInterrupted).isEmpty)
        #expect(s.spoolFiles().isEmpty, "\(s.spoolFiles())")
        // The message the program read was the whole rendered message.
        #expect(try String(contentsOfFile: s.directory.path("received"), encoding: .utf8).contains("Message-ID: <\(s.claim.message.messageID)>"))
    }

    @Test("status file present, failed: the failure is recorded with its backoff and output, and retried then")
    func adoptsFailure() async throws {
        let s = try Self.setup("""
            cat > /dev/null
            [ "$(wc -l < "$DIR/runs")" -ge 2 ] && exit 0
            echo 'sendmail: 451 4.3.0 mail server busy' >&2
            exit 75
            """)
        Self.reap(try s.startRunner())
        #expect(try await s.job.run(slot: s.fixture.clock.now) == "0 sent, 1 failed (to be retried), 0 dead; 1 waiting")
        let failed = try #require(try s.fixture.database.outboxMessage(id: 1))
        #expect(failed.status == .failed && failed.attempts == 1 && !failed.inFlight)
        #expect(failed.lastError?.contains("exited with status 75 (EX_TEMPFAIL): sendmail: 451 4.3.0 mail server busy") == true, "\(failed.lastError ?? "")")
        #expect(failed.nextAttemptAt == s.fixture.clock.now.addingTimeInterval(60))
        #expect(s.runs() == 1 && s.spoolFiles().isEmpty)
        s.fixture.clock.advance(60)
        #expect(try await s.job.run(slot: s.fixture.clock.now) == "1 sent, 0 failed (to be retried), 0 dead; 0 waiting")
        #expect(s.runs() == 2)
        #expect(try s.fixture.database.outboxMessage(id: 1)?.attempts == 2)
    }

    @Test("runner still holding the lock: the run waits for it and adopts its outcome instead of starting a second send")
    func waitsForRunner() async throws {
        let s = try Self.setup("while [ ! -e \"$DIR/go\" ]; do sleep 0.02; done\ncat > /dev/null\nexit 0")
        let pid = try s.startRunner()
        try await waitUntil("the program runs") { s.runs() == 1 }
        #expect(s.spool.lockState(s.attempt) == .held)
        let job = s.job
        let slot = s.fixture.clock.now
        let run = Task { try await job.run(slot: slot) }
        try await Task.sleep(for: .milliseconds(400))
        #expect(try s.fixture.database.outboxMessage(id: 1)?.inFlight == true, "the run did not wait for the runner")
        #expect(s.runs() == 1)
        _ = FileManager.default.createFile(atPath: s.directory.path("go"), contents: nil)
        #expect(try await run.value == "1 sent, 0 failed (to be retried), 0 dead; 0 waiting")
        #expect(s.fixture.log.records.withLock { $0.contains { $0.message.contains("from its sendmail runner (waited for it to finish)") } })
        Self.reap(pid)
        #expect(s.runs() == 1)
        #expect(try s.fixture.database.outboxMessage(id: 1)?.attempts == 1)
        #expect(s.spoolFiles().isEmpty)
    }

    @Test("runner killed too (no status, lock free): sent again once, with the same Message-ID and a warning of its own")
    func unknownOutcome() async throws {
        let s = try Self.setup("""
            n=$(wc -l < "$DIR/runs")
            cat > "$DIR/partial.$n"
            mv "$DIR/partial.$n" "$DIR/received.$n"
            [ "$n" -ge 2 ] && exit 0
            exec sleep 60
            """)
        let pid = try s.startRunner()
        try await waitUntil("the program read the message") { FileManager.default.fileExists(atPath: s.directory.path("received.1")) }
        kill(-pid, SIGKILL) // the whole unit was killed: runner and program
        Self.reap(pid)
        #expect(s.spool.lockState(s.attempt) == .free && s.spool.status(s.attempt) == nil)
        #expect(try await s.job.run(slot: s.fixture.clock.now) == "1 sent, 0 failed (to be retried), 0 dead; 0 waiting")
        #expect(s.runs() == 2)
        let warnings = s.fixture.log.with(messageID: MessageIDs.mailOutcomeUnknown)
        #expect(warnings.count == 1)
        #expect(warnings.first?.level == .warning)
        #expect(warnings.first?.metadata["outbox_id"] == "1")
        #expect(warnings.first?.metadata["mail_message_id"] == "<\(s.claim.message.messageID)>")
        #expect(s.fixture.log.with(messageID: MessageIDs.mailInterrupted).isEmpty)
        let first = try String(contentsOfFile: s.directory.path("received.1"), encoding: .utf8)
        let second = try String(contentsOfFile: s.directory.path("received.2"), encoding: .utf8)
        #expect(first.contains("Message-ID: <\(s.claim.message.messageID)>") && second.contains("Message-ID: <\(s.claim.message.messageID)>"))
        #expect(try s.fixture.database.outboxMessage(id: 1)?.attempts == 2)
        #expect(s.spoolFiles().isEmpty, "\(s.spoolFiles())")
    }

    @Test("claimed but never started (no lock file): made now, without a warning")
    func neverStarted() async throws {
        let s = try Self.setup("cat > /dev/null\nexit 0")
        #expect(try await s.job.run(slot: s.fixture.clock.now) == "1 sent, 0 failed (to be retried), 0 dead; 0 waiting")
        #expect(s.runs() == 1)
        #expect(s.fixture.log.with(messageID: MessageIDs.mailOutcomeUnknown).isEmpty)
        #expect(s.fixture.log.with(messageID: MessageIDs.mailInterrupted).isEmpty)
    }

    @Test("an orphaned runner past the timeout is killed and the attempt counts as a timeout")
    func orphanPastTimeout() async throws {
        let s = try Self.setup("exec sleep 300", timeout: .milliseconds(300))
        let pid = try s.startRunner()
        try await waitUntil("the program runs") { s.runs() == 1 }
        #expect(try await s.job.run(slot: s.fixture.clock.now) == "0 sent, 1 failed (to be retried), 0 dead; 1 waiting")
        Self.reap(pid)
        #expect(try s.fixture.database.outboxMessage(id: 1)?.lastError?.contains("did not finish within") == true)
    }

    @Test("files of finished attempts are removed at the start of a run; those of a runner that still runs and foreign files are kept")
    func removesLeftovers() async throws {
        let s = try Self.setup("cat > /dev/null\nexit 0")
        try s.spool.create()
        let spool = s.spool.directory
        for name in ["7.1.eml", "7.1.lock", "7.1.status", "7.1.out", "7.1.pid", "9.2.out", "9.2.status.tmp", "8.1.eml", "notes.txt"] {
            _ = FileManager.default.createFile(atPath: "\(spool)/\(name)", contents: Data("x\n".utf8))
        }
        let held = open("\(spool)/8.1.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #expect(flock(held, LOCK_EX) == 0)
        defer { close(held) }
        #expect(try await s.job.run(slot: s.fixture.clock.now) == "1 sent, 0 failed (to be retried), 0 dead; 0 waiting")
        #expect(s.spoolFiles() == ["8.1.eml", "8.1.lock", "notes.txt"])
    }
}
