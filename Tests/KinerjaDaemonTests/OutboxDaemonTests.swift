import Foundation
import GRDB
import KinerjaDomain
import KinerjaStore
import KinerjaTestSupport
import Testing
import Varlink
@testable import KinerjaDaemon

/// The outbox in the real daemon: messages written into its database (as the reminder sweep will
/// write them) are delivered by the `outbox-delivery` job through a real sendmail-compatible program.
@Suite("outbox delivery in the running daemon", .serialized, .enabled(if: getuid() == 0, "needs root: it checks the mail journal entries in a private journald namespace"))
struct OutboxDaemonTests {
    static let from = MailAddress(name: "BKPSDM Kota Bandung", email: "kinerjad@bandung.go.id")

    /// Writes drafts into the daemon's database from this process, as another writer would.
    static func enqueue(_ daemon: DaemonHarness, _ drafts: [OutboxDraft]) throws {
        let database = try AppDatabase.open(path: daemon.databasePath)
        _ = try database.writer.write { try Outbox.enqueue(drafts, at: Date(), in: $0) }
    }

    static func draft(_ key: String, to: MailAddress, cc: [MailAddress] = [], subject: String, body: String) -> OutboxDraft {
        OutboxDraft(idempotencyKey: key, kind: "reminder", recipientNIP: "198503152010011001", from: from, to: [to], cc: cc,
                    subject: subject, body: body)
    }

    static func config(sendmail: [String], extra: String = "") -> String {
        """
        jobs:
          schedule:
            outbox-delivery: "*:*:*"
        mail:
          sendmail: [\(sendmail.map { "\"\($0)\"" }.joined(separator: ", "))]
          from_address: kinerjad@bandung.go.id
        \(extra)
        """
    }

    static func ctl(_ daemon: DaemonHarness, _ arguments: [String]) async throws -> Subprocess.Completed {
        try await Subprocess.run(try BuiltProducts.kinerjactl, arguments: ["--socket", daemon.socketPath] + arguments,
                                 environment: Subprocess.environment(), timeout: .seconds(60))
    }

    static func counts(_ daemon: DaemonHarness) async throws -> (pending: Int64, dead: Int64) {
        let counts = try await daemon.call("io.kinerjad.Admin.GetStatus")["counts"]
        return (counts?["pending_messages"]?.intValue ?? -1, counts?["dead_messages"]?.intValue ?? -1)
    }

    @Test("msmtp to an SMTP sink: right recipients, headers and Indonesian text; journal entries; kinerjactl reminders")
    func deliversThroughMsmtp() async throws {
        let sink = try await SMTPSink.start()
        defer { Task { await sink.stop() } }
        let journal = try await JournalNamespace.start()
        defer { Task { await journal.stop() } }
        var options = DaemonHarness.Options()
        options.logging = "  target: journal\n  level: info\n  journal_socket: \(journal.socketPath)\n"
        options.extraConfig = Self.config(sendmail: ["/usr/bin/msmtp", "--host=127.0.0.1", "--port=\(sink.port)", "--auth=off", "--tls=off",
                                                     "--from=kinerjad@bandung.go.id", "-t"])
        let daemon = try await DaemonHarness.start(options)

        let body = """
            Yth. Ibu Siti Nurhaliza,

            Penilaian 360° berikut belum Ibu isi (siklus 2026-Q1):
              • Rekan — Budi Santoso, batas 2 Maret 2026, terlambat 3 hari

            Hormat kami,
            BKPSDM Kota Bandung
            """
        try Self.enqueue(daemon, [
            Self.draft("reminder/siti", to: MailAddress(name: "Siti Nurhaliza", email: "siti@bandung.go.id"),
                       cc: [MailAddress(name: "Asep Ṡupriatna", email: "asep@bandung.go.id")],
                       subject: "Pengingat: penilaian rekan — Dinas Lingkungan Hidup", body: body),
            Self.draft("reminder/budi", to: MailAddress(name: "Budi Santoso", email: "budi@bandung.go.id"),
                       subject: "Pengingat: penilaian atasan", body: "Yth. Bapak Budi,\n"),
        ])
        let received = try await sink.waitForMessages(count: 2)
        try await Task.sleep(for: .seconds(2))
        #expect(try sink.messages().count == 2, "a message was delivered twice")
        let siti = try #require(received.first { $0.recipients.contains("siti@bandung.go.id") })
        #expect(siti.recipients == ["siti@bandung.go.id", "asep@bandung.go.id"])
        #expect(siti.sender == "kinerjad@bandung.go.id")
        let parsed = try await ParsedMail.parse(siti.data)
        #expect(parsed.defects.isEmpty, "\(parsed.defects)")
        #expect(parsed.header("Subject") == "Pengingat: penilaian rekan — Dinas Lingkungan Hidup")
        #expect(parsed.addresses["To"] == [["Siti Nurhaliza", "siti@bandung.go.id"]])
        #expect(parsed.addresses["Cc"] == [["Asep Ṡupriatna", "asep@bandung.go.id"]])
        #expect(parsed.addresses["From"] == [["BKPSDM Kota Bandung", "kinerjad@bandung.go.id"]])
        #expect(parsed.header("Auto-Submitted") == "auto-generated")
        #expect(parsed.header("Date") != nil && parsed.header("Message-ID")?.hasSuffix("@bandung.go.id>") == true)
        #expect(parsed.body == body + "\n")

        // Every sent message is one journal entry with its MESSAGE_ID and KINERJA_* fields.
        let entries = try await journal.waitForEntries(matching: ["MESSAGE_ID": MessageIDs.mailSent], count: 2)
        let entry = try #require(entries.first { $0["KINERJA_TO"]?.contains("siti@") == true })
        #expect(entry["PRIORITY"] == "6")
        #expect(entry["KINERJA_SUBJECT"] == "Pengingat: penilaian rekan — Dinas Lingkungan Hidup")
        #expect(entry["KINERJA_CC"] == "Asep Ṡupriatna <asep@bandung.go.id>")
        #expect(entry["KINERJA_OUTBOX_ID"] != nil && entry["KINERJA_CHANNEL"] == "sendmail")
        #expect(entry["KINERJA_MAIL_MESSAGE_ID"] == parsed.header("Message-ID"))

        // The control interface and kinerjactl.
        let listed = try await daemon.call("io.kinerjad.Admin.ListReminders", ["status": "sent"])
        #expect(listed["total"]?.intValue == 2)
        let id = try #require(listed["messages"]?.arrayValue?.first { $0["key"]?.stringValue == "reminder/siti" }?["id"]?.intValue)
        let table = try await Self.ctl(daemon, ["reminders", "list"])
        #expect(table.status == .exited(0))
        #expect(table.standardOutputText.contains("sent") && table.standardOutputText.contains("Pengingat: penilaian rekan"))
        let bogus = try await Self.ctl(daemon, ["reminders", "list", "--status", "lost"])
        #expect(bogus.status == .exited(64) && bogus.standardErrorText.contains("expected one of pending, failed, sent, dead"))
        let missing = try await Self.ctl(daemon, ["reminders", "show", "9999"])
        #expect(missing.status == .exited(1) && missing.standardErrorText.contains("NotFound"), "\(missing.standardErrorText)")
        let shown = try await Self.ctl(daemon, ["reminders", "show", "\(id)"])
        #expect(shown.status == .exited(0))
        #expect(shown.standardOutputText.contains("Auto-Submitted: auto-generated"))
        #expect(shown.standardOutputText.contains("Penilaian 360° berikut belum Ibu isi"))
        let refused = try await Self.ctl(daemon, ["reminders", "retry", "\(id)"])
        #expect(refused.status == .exited(1))
        #expect(refused.standardErrorText.contains("not sent twice"))
        let status = try await Self.ctl(daemon, ["status"])
        #expect(status.standardOutputText.contains(/Pending messages:\s+0\n/), "\(status.standardOutputText)")
        #expect(status.standardOutputText.contains(/Dead messages:\s+0\n/), "\(status.standardOutputText)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("the maintenance job removes the text of messages sent over mail.keep_sent_text ago; reminders show says so and keeps the rest")
    func sentTextRemoved() async throws {
        var options = DaemonHarness.Options()
        options.extraConfig = "mail:\n  channel: journal\n  keep_sent_text: 2d\n"
        let daemon = try await DaemonHarness.start(options)
        let to = MailAddress(name: "Siti Nurhaliza", email: "siti@bandung.go.id")
        try Self.enqueue(daemon, [Self.draft("lama", to: to, subject: "Pengingat lama", body: "Yth. Ibu Siti, daftar lama\n"),
                                  Self.draft("baru", to: to, subject: "Pengingat baru", body: "Yth. Ibu Siti, daftar baru\n")])
        // Sent three days ago and just now, recorded from this process as the delivery job records them.
        let database = try AppDatabase.open(path: daemon.databasePath)
        let sent = try database.outboxMessages(status: nil, limit: 10).messages
        let old = try #require(sent.first { $0.idempotencyKey == "lama" }), recent = try #require(sent.first { $0.idempotencyKey == "baru" })
        try database.markOutboxSent(id: old.id, at: Date().addingTimeInterval(-3 * 86_400))
        try database.markOutboxSent(id: recent.id, at: Date())
        try database.writer.close()

        let run = try await Self.ctl(daemon, ["jobs", "run", "maintenance"])
        #expect(run.status == .exited(0), "\(run.standardErrorText)")
        #expect(run.standardOutputText.contains("text of 1 message(s) sent over 2 days ago removed"), "\(run.standardOutputText)")

        let shown = try await daemon.call("io.kinerjad.Admin.ShowReminder", ["id": .int(old.id)])
        #expect(shown["body"]?.stringValue == "" && shown["text"] == .null && shown["render_error"] == .null)
        #expect(shown["message"]?["text_removed_at"]?.stringValue != nil)
        #expect(shown["message"]?["subject"]?.stringValue == "Pengingat lama" && shown["message"]?["status"]?.stringValue == "sent")
        let printed = try await Self.ctl(daemon, ["reminders", "show", "\(old.id)"])
        #expect(printed.status == .exited(0))
        #expect(printed.standardOutputText.contains("The text of this message was removed on"), "\(printed.standardOutputText)")
        #expect(printed.standardOutputText.contains(/To:\s+Siti Nurhaliza <siti@bandung.go.id>/), "\(printed.standardOutputText)")
        #expect(printed.standardOutputText.contains(/Subject:\s+Pengingat lama/), "\(printed.standardOutputText)")
        #expect(!printed.standardOutputText.contains("daftar lama"))
        let kept = try await daemon.call("io.kinerjad.Admin.ShowReminder", ["id": .int(recent.id)])
        #expect(kept["message"]?["text_removed_at"] == .null && kept["text"]?.stringValue?.contains("Subject: Pengingat baru") == true)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("the maintenance job deletes finished messages written over mail.keep_messages ago; one still to send stays; reminders list shows the rest")
    func oldMessagesDeleted() async throws {
        var options = DaemonHarness.Options()
        // No delivery job: the waiting message must still be waiting when the maintenance job runs.
        options.extraConfig = "mail:\n  channel: journal\n  keep_messages: 5d\njobs:\n  schedule:\n    outbox-delivery: \"off\"\n"
        let daemon = try await DaemonHarness.start(options)
        let to = MailAddress(name: "Siti Nurhaliza", email: "siti@bandung.go.id")
        try Self.enqueue(daemon, ["lama-terkirim", "lama-antre", "baru"].map { Self.draft($0, to: to, subject: $0, body: "isi\n") })
        // The first two written six days ago: the first sent then, the second still waiting. The third written just now.
        let database = try AppDatabase.open(path: daemon.databasePath)
        let written = try database.outboxMessages(status: nil, limit: 10).messages
        let oldID = try #require(written.first { $0.idempotencyKey == "lama-terkirim" }).id
        let sixDaysAgo = Date().addingTimeInterval(-6 * 86_400)
        try await database.writer.write { db in
            try db.execute(sql: "UPDATE outbox SET created_at = ? WHERE idempotency_key LIKE 'lama-%'", arguments: [sixDaysAgo])
        }
        try database.markOutboxSent(id: oldID, at: sixDaysAgo)
        try database.writer.close()

        let run = try await Self.ctl(daemon, ["jobs", "run", "maintenance"])
        #expect(run.status == .exited(0), "\(run.standardErrorText)")
        #expect(run.standardOutputText.contains("1 message(s) written over 5 days ago deleted (1 kept: still to send, or of a cycle or follow-up still open)"),
                "\(run.standardOutputText)")
        let listed = try await Self.ctl(daemon, ["reminders", "list"])
        #expect(listed.status == .exited(0), "\(listed.standardErrorText)")
        #expect(!listed.standardOutputText.contains("lama-terkirim") && listed.standardOutputText.contains("lama-antre")
                && listed.standardOutputText.contains("baru"), "\(listed.standardOutputText)")
        let gone = try await Self.ctl(daemon, ["reminders", "show", "\(oldID)"])
        #expect(gone.status != .exited(0), "\(gone.standardOutputText)")
        #expect(gone.standardErrorText.contains("reminder") && gone.standardErrorText.contains("\(oldID)"), "\(gone.standardErrorText)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("SIGTERM while the maintenance job deletes old messages: the batch in hand commits, the rest waits for the next run, the daemon exits 0")
    func stopDuringHistoryRemoval() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerjad-history-stop")
        let pauses = directory.path("pauses")
        var options = DaemonHarness.Options()
        options.extraConfig = "mail:\n  channel: journal\n  keep_messages: 5d\njobs:\n  schedule:\n    outbox-delivery: \"off\"\n"
        options.environment = ["KINERJAD_PAUSE_AT": "outbox-history.batch-deleted", "KINERJAD_PAUSE_FILE": pauses]
        let daemon = try await DaemonHarness.start(options, in: directory)
        // 2,500 messages sent six days ago: more than one transaction's worth (AppDatabase.historyRemovalBatch).
        let database = try AppDatabase.open(path: daemon.databasePath)
        let sixDaysAgo = Date().addingTimeInterval(-6 * 86_400), to = MailAddress(name: "Siti", email: "siti@bandung.go.id")
        try await database.writer.write { db in
            for i in 0..<2_500 { _ = try Outbox.enqueue(Self.draft("lama-\(i)", to: to, subject: "s", body: "isi\n"), at: sixDaysAgo, in: db) }
            try db.execute(sql: "UPDATE outbox SET status = 'sent', sent_at = created_at, next_attempt_at = NULL")
        }
        #expect(AppDatabase.historyRemovalBatch == 2_000)
        let run = Task { try await Self.ctl(daemon, ["jobs", "run", "maintenance"]) }
        try await waitUntil("the first batch is deleted, not yet committed", timeout: .seconds(30)) {
            ((try? String(contentsOfFile: pauses, encoding: .utf8)) ?? "").contains("outbox-history.batch-deleted \(daemon.process.pid)")
        }
        // The stop is asked while the batch is held; then the batch goes on and commits. STOPPING=1
        // comes first in the shutdown, just before the work loop cancels the job; the half second
        // after it lets that cancellation arrive even when the test's own tasks run late.
        let release = Task {
            _ = try await daemon.notify.waitFor(prefix: "STOPPING=1", timeout: .seconds(20))
            try await Task.sleep(for: .milliseconds(500))
            FileManager.default.createFile(atPath: pauses + ".release", contents: nil)
        }
        #expect(try await daemon.stop(timeout: .seconds(20)) == .exited(0))
        try await release.value
        _ = try? await run.value
        let left = try await database.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM outbox") }
        #expect(left == 500, "\(left.map(String.init) ?? "?") messages left; 500 expected (the second batch not started)")
        let outcome = try await database.writer.read {
            try String.fetchOne($0, sql: "SELECT outcome FROM job_run WHERE name = 'maintenance' ORDER BY id DESC LIMIT 1")
        }
        #expect(outcome == "interrupted", "\(outcome ?? "none")")
        try database.writer.close()
    }

    @Test("a sendmail that fails, hangs or dies: retries with backoff, then dead at warning; the daemon keeps serving; retry by hand")
    func failingSendmail() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerjad-mail")
        let attempts = directory.path("attempts.log")
        let program = directory.path("sendmail")
        try """
            #!/bin/sh
            message=$(cat)
            case "$message" in
              *"Subject: gagal"*) echo "$(date +%s.%N) gagal" >> "\(attempts)"; echo "sendmail: 451 4.7.1 coba lagi nanti" >&2; exit 75 ;;
              *"Subject: macet"*) echo "$(date +%s.%N) macet" >> "\(attempts)"; sleep 300 ;;
              *"Subject: mati"*) echo "$(date +%s.%N) mati" >> "\(attempts)"; kill -KILL $$ ;;
            esac
            exit 0
            """.write(toFile: program, atomically: true, encoding: .utf8)
        chmod(program, 0o755)
        let journal = try await JournalNamespace.start()
        defer { Task { await journal.stop() } }
        var options = DaemonHarness.Options()
        options.logging = "  target: journal\n  level: info\n  journal_socket: \(journal.socketPath)\n"
        options.extraConfig = Self.config(sendmail: [program], extra: "  timeout: 1s\n  retry_base: 1s\n  retry_cap: 2s\n  max_attempts: 3\n")
        let daemon = try await DaemonHarness.start(options, in: directory)
        let to = MailAddress(name: "Siti", email: "siti@bandung.go.id")
        try Self.enqueue(daemon, ["gagal", "macet", "mati"].map { Self.draft($0, to: to, subject: $0, body: "isi\n") })

        // While the attempts run (the hanging one for a second each time), the control socket answers.
        var pings: [Double] = []
        try await waitUntil("all three messages are dead", timeout: .seconds(60), interval: .milliseconds(50)) {
            _ = try await daemon.call("io.kinerjad.Admin.Ping")
            pings.append(Date().timeIntervalSince1970)
            return try await Self.counts(daemon).dead == 3
        }
        let final = try await Self.counts(daemon)
        #expect(final.pending == 0 && final.dead == 3)

        // Three attempts each, the second at least 1 s after the first, the third at least 2 s after the second.
        let lines = try String(contentsOfFile: attempts, encoding: .utf8).split(separator: "\n")
        for name in ["gagal", "macet", "mati"] {
            let times = lines.filter { $0.hasSuffix(" " + name) }.compactMap { Double($0.split(separator: " ")[0]) }
            #expect(times.count == 3, "\(name): \(times)")
            if times.count == 3 {
                #expect(times[1] - times[0] >= 0.95 && times[2] - times[1] >= 1.95, "\(name) backoff: \(times)")
            }
        }
        let hangs = lines.filter { $0.hasSuffix(" macet") }.compactMap { Double($0.split(separator: " ")[0]) }
        // The pinging loop runs on the test's cooperative pool, which a parallel test run can starve for
        // a second; so one hang window with an answered Ping is the proof asked for.
        #expect(hangs.contains { start in pings.contains { $0 > start + 0.05 && $0 < start + 0.95 } },
                "no Ping answered while sendmail hung: hangs \(hangs), pings \(pings)")
        let dead = try await daemon.call("io.kinerjad.Admin.ListReminders", ["status": "dead"])["messages"]?.arrayValue ?? []
        let errors = Dictionary(uniqueKeysWithValues: dead.map { ($0["key"]?.stringValue ?? "", $0["last_error"]?.stringValue ?? "") })
        #expect(errors["gagal"]?.contains("exited with status 75 (EX_TEMPFAIL): sendmail: 451 4.7.1 coba lagi nanti") == true, "\(errors)")
        #expect(errors["macet"]?.contains("did not finish within 1s") == true, "\(errors)")
        #expect(errors["mati"]?.contains("killed by signal 9 (SIGKILL)") == true, "\(errors)")
        #expect(dead.allSatisfy { $0["attempts"]?.intValue == 3 })

        // Each dead message is a warning with its own MESSAGE_ID.
        let warnings = try await journal.waitForEntries(matching: ["MESSAGE_ID": MessageIDs.mailDead], count: 3)
        #expect(warnings.allSatisfy { $0["PRIORITY"] == "4" && $0["KINERJA_ERROR"] != nil && $0["KINERJA_OUTBOX_ID"] != nil })
        let failures = try await journal.entries(matching: ["MESSAGE_ID": MessageIDs.mailFailed])
        #expect(failures.count == 6, "two retried failures per message")

        // An admin's retry makes one due again; it fails three more times and dies again.
        let gagal = try #require(dead.first { $0["key"]?.stringValue == "gagal" }?["id"]?.intValue)
        let retried = try await Self.ctl(daemon, ["reminders", "retry", "\(gagal)"])
        #expect(retried.status == .exited(0), "\(retried.standardErrorText)")
        #expect(retried.standardOutputText.contains("is due again"))
        _ = try await journal.waitForEntries(matching: ["MESSAGE_ID": MessageIDs.mailRetried])
        try await waitUntil("the retried message died again", timeout: .seconds(30), interval: .milliseconds(200)) {
            let lines = try String(contentsOfFile: attempts, encoding: .utf8).split(separator: "\n")
            let dead = try await Self.counts(daemon).dead
            return lines.filter { $0.hasSuffix(" gagal") }.count == 6 && dead == 3
        }
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("kill -9 while a message is being sent: after the restart every message arrives exactly once")
    func killedMidBatch() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerjad-mail")
        let mail = try SlowMailProgram(in: directory, answerAfter: "0.4", holding: 4)
        let (started, accepted, lines) = (mail.started, mail.accepted, mail.lines)
        var options = DaemonHarness.Options()
        options.extraConfig = Self.config(sendmail: [mail.program])
        let daemon = try await DaemonHarness.start(options, in: directory)
        let to = MailAddress(name: "Siti", email: "siti@bandung.go.id")
        try Self.enqueue(daemon, (1...8).map { Self.draft("m\($0)", to: to, subject: "Pengingat \($0)", body: "isi\n") })

        // Kill it while the fourth message is with the mail program (started, held, not yet accepted).
        try await waitUntil("the fourth message is being sent", timeout: .seconds(30), interval: .milliseconds(5)) {
            lines(started).count >= 4
        }
        try daemon.process.signal(SIGKILL)
        _ = try await daemon.process.wait(timeout: .seconds(10))
        let inFlight = lines(started)[3]
        let recordedSent = try AppDatabase.open(path: daemon.databasePath).outboxMessages(status: .sent, limit: 100).messages
            .map { "Message-ID: <\($0.messageID)>" }
        #expect(recordedSent.count == 3)
        #expect(lines(started).count == 4, "nothing is sent while the daemon is dead")
        // The mail program runs detached from the daemon: it completes the send, and its runner records the outcome.
        FileManager.default.createFile(atPath: mail.release, contents: nil)
        try await waitUntil("the interrupted send completes without the daemon", timeout: .seconds(10), interval: .milliseconds(20)) {
            lines(accepted).contains(inFlight)
        }

        let restarted = try await DaemonHarness.start(options, in: directory)
        try await waitUntil("all eight accepted", timeout: .seconds(30), interval: .milliseconds(50)) {
            try await Self.counts(restarted).pending == 0
        }
        let all = lines(accepted)
        #expect(Set(all).count == 8)
        #expect(all.count == 8, "a message was accepted twice: \(all)")
        for id in recordedSent { #expect(lines(started).filter { $0 == id }.count == 1, "\(id) was recorded sent and sent again") }
        #expect(lines(started).filter { $0 == inFlight }.count == 1, "the interrupted message was sent again")
        #expect(restarted.log.contains("taking the outcome of attempt 1 from its sendmail runner"), "\(restarted.log)")
        #expect(!restarted.log.contains("sending it again"))
        #expect(try await restarted.stop() == .exited(0))
    }

    @Test("SIGTERM while a message is being sent: the send finishes and is recorded, the daemon exits 0, nothing is sent twice")
    func stopMidSend() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerjad-mail")
        let mail = try SlowMailProgram(in: directory, answerAfter: "0.5")
        let (started, accepted, lines) = (mail.started, mail.accepted, mail.lines)
        var options = DaemonHarness.Options()
        options.extraConfig = Self.config(sendmail: [mail.program])
        let daemon = try await DaemonHarness.start(options, in: directory)
        let to = MailAddress(name: "Siti", email: "siti@bandung.go.id")
        try Self.enqueue(daemon, (1...3).map { Self.draft("s\($0)", to: to, subject: "Pengingat \($0)", body: "isi\n") })
        try await waitUntil("the first message is being sent", timeout: .seconds(30), interval: .milliseconds(5)) { lines(started).count >= 1 }
        #expect(try await daemon.stop() == .exited(0))
        #expect(lines(accepted) == lines(started), "the send in progress was finished")
        let database = try AppDatabase.open(path: daemon.databasePath)
        #expect(try database.outboxMessages(status: .sent, limit: 10).total == lines(accepted).count)
        #expect(try database.outboxMessages(status: nil, limit: 10).messages.allSatisfy { !$0.inFlight })

        let restarted = try await DaemonHarness.start(options, in: directory)
        try await waitUntil("all three accepted", timeout: .seconds(30), interval: .milliseconds(50)) {
            try await Self.counts(restarted).pending == 0
        }
        #expect(lines(accepted).count == 3 && Set(lines(accepted)).count == 3, "\(lines(accepted))")
        #expect(!restarted.log.contains("was being sent when the daemon stopped unexpectedly"))
        #expect(try await restarted.stop() == .exited(0))
    }
}

/// A slow mail system as a sendmail program: it reads the message, writes its Message-ID to
/// `started`, waits `answerAfter` seconds, then writes it to `accepted` (the moment a real server
/// answers 250) and exits 0. With `holding: n`, the n-th message waits after `started` until the
/// file `release` exists, so a test can act while that send is surely in progress, however late
/// its polling runs on a loaded machine.
struct SlowMailProgram {
    let program: String
    let started: String
    let accepted: String
    let release: String

    init(in directory: TemporaryDirectory, answerAfter seconds: String, holding: Int? = nil) throws {
        program = directory.path("sendmail")
        started = directory.path("started.log")
        accepted = directory.path("accepted.log")
        release = directory.path("release")
        let hold = holding.map { """
            if [ "$(wc -l < "\(started)")" -eq \($0) ]; then
              while [ ! -e "\(release)" ]; do sleep 0.02; done
            fi
            """ } ?? ""
        try """
            #!/bin/sh
            id=$(grep -m1 '^Message-ID:' | tr -d '\\r')
            cat > /dev/null
            echo "$id" >> "\(started)"
            \(hold)
            sleep \(seconds)
            echo "$id" >> "\(accepted)"
            exit 0
            """.write(toFile: program, atomically: true, encoding: .utf8)
        chmod(program, 0o755)
    }

    /// The lines of one of the two logs so far.
    func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
