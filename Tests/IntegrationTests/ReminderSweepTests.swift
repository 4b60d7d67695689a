import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// Reminders end to end: demo staff with an overdue cycle, the sweep, msmtp to a real SMTP sink on
/// loopback; exactly one message per recipient, also across kill -9 at random points.
@Suite("reminder sweep and mail, end to end", .serialized)
struct ReminderSweepTests {
    /// The harness options of a daemon that mails through msmtp to `sink`, with these job calendars;
    /// with `adminAddress`, the daily admin digest is mailed there too.
    /// With `publicBaseURL`, the reminders carry the reviewers' links (`web.public_base_url`).
    static func options(sink: SMTPSink, schedule: String, adminAddress: String? = nil, publicBaseURL: String? = nil) -> DaemonHarness.Options {
        var options = DaemonHarness.Options()
        let admin = adminAddress.map { "\n  admin_address: \($0)" } ?? ""
        let web = publicBaseURL.map { "\nweb:\n  public_base_url: \($0)" } ?? ""
        options.extraConfig = """
            mail:
              sendmail: [/usr/bin/msmtp, --host=127.0.0.1, --port=\(sink.port), --from=kinerjad@localhost, -t]
              from_address: kinerjad@localhost\(admin)
              retry_base: 1s
              retry_cap: 2s
            reminders:
              working_hours: "Mon..Sun 00:00..23:59 UTC"
              holidays: []
            jobs:
              schedule:
            \(schedule)\(web)
            """
        return options
    }

    /// A daemon with demo employees imported and one cycle opened months ago (all reviews overdue).
    static func startWithOverdueCycle(sink: SMTPSink, schedule: String, in directory: TemporaryDirectory? = nil, publicBaseURL: String? = nil,
                                      adjust: (inout DaemonHarness.Options) -> Void = { _ in }) async throws -> (DaemonHarness, TemporaryDirectory) {
        let dir = try directory ?? TemporaryDirectory(prefix: "kinerjad-remind")
        var options = Self.options(sink: sink, schedule: schedule, publicBaseURL: publicBaseURL)
        adjust(&options)
        let daemon = try await DaemonHarness.start(options, in: dir)
        if directory == nil {
            let ctl = try BuiltProducts.kinerjactl
            let data = dir.path("demo")
            let gen = try await Subprocess.run(ctl, arguments: ["demo", "generate", "--employees", "40", "--periods", "1", "--seed", "7", "--out", data],
                                               environment: Subprocess.environment(), timeout: .seconds(120))
            #expect(gen.status == .exited(0), "\(gen.standardErrorText)")
            let imp = try await Subprocess.run(ctl, arguments: ["--socket", daemon.socketPath, "import", "employees", data + "/employees.csv"],
                                               environment: Subprocess.environment(), timeout: .seconds(120))
            #expect(imp.status == .exited(0), "\(imp.standardErrorText)")
            let open = try await Subprocess.run(ctl, arguments: ["--socket", daemon.socketPath, "cycles", "open", "2026-Q2", "--early", "--opened-at", "2026-04-01T00:00:00Z"],
                                                environment: Subprocess.environment(), timeout: .seconds(120))
            #expect(open.status == .exited(0), "\(open.standardErrorText)")
        }
        return (daemon, dir)
    }

    @Test("send-now delivers one digest per reviewer through msmtp; a second run sends nothing")
    func sendNowOnce() async throws {
        let sink = try await SMTPSink.start()
        let offJobs = "    reminder-sweep: \"off\"\n    outbox-delivery: \"off\""
        let (daemon, _) = try await Self.startWithOverdueCycle(sink: sink, schedule: offJobs)
        let preview = try await daemon.call("io.kinerjad.Admin.PreviewReminders")
        let planned = preview["messages"]?.arrayValue ?? []
        #expect(preview["working_time"]?.boolValue == true)
        #expect(planned.count >= 10, "\(preview)")
        // Preview writes nothing.
        #expect(try await daemon.call("io.kinerjad.Admin.ListReminders")["total"]?.intValue == 0)

        let ctl = try BuiltProducts.kinerjactl
        let send = try await Subprocess.run(ctl, arguments: ["--socket", daemon.socketPath, "reminders", "send-now"],
                                            environment: Subprocess.environment(), timeout: .seconds(120))
        #expect(send.status == .exited(0), "\(send.standardErrorText)\(send.standardOutputText)")
        let withAddress = planned.filter { !($0["to"]?.arrayValue ?? []).isEmpty }
        let received = try await sink.waitForMessages(count: withAddress.count)
        #expect(received.count == withAddress.count)
        let firstTo = received.map { $0.recipients.first ?? "" }
        #expect(Set(firstTo).count == firstTo.count, "a recipient got two messages")
        #expect(received.allSatisfy { $0.text.contains("Auto-Submitted: auto-generated") })
        #expect(received.allSatisfy { $0.text.split(whereSeparator: \.isNewline).contains { $0.lowercased().hasPrefix("message-id: <") } })
        #expect(received.contains { $0.text.contains("Subject: ") && $0.text.contains("penilaian") })
        // Without web.public_base_url, {tautan} is a sentence naming whom to contact, never a URL.
        for message in received {
            let body = try await ParsedMail.parse(message.data).body
            #expect(body.contains("Pengisian penilaian melalui web belum tersedia; silakan menghubungi Bagian Kepegawaian, BKPSDM Kota Bandung."), "\(body)")
            #expect(!body.contains("/r/") && !body.contains("\u{1}"), "\(body)")
        }

        // Everything is marked: a second sweep writes and sends nothing more.
        let again = try await Subprocess.run(ctl, arguments: ["--socket", daemon.socketPath, "--json", "reminders", "send-now"],
                                             environment: Subprocess.environment(), timeout: .seconds(120))
        #expect(again.status == .exited(0))
        try await Task.sleep(for: .seconds(1))
        #expect(try sink.messages().count == received.count)
        let previewAfter = try await daemon.call("io.kinerjad.Admin.PreviewReminders")
        #expect(previewAfter["messages"]?.arrayValue?.isEmpty == true)
        #expect(try await daemon.stop() == .exited(0))
    }

    /// Exactly once across kill -9 of the daemon. The sink holds back its reply to DATA after storing
    /// the message (300 ms, and 2 s for every fourth message), so a kill can land while msmtp waits for
    /// the 250 (the server already has the message): half of the kills are aimed there (every other
    /// one at a slow message, so that the restarted daemon finds the runner still running), the others
    /// fall at random times during sweeps and deliveries. The sendmail runner outlives the daemon and
    /// leaves the outcome for the restarted one, which adopts it (waiting for it if need be) instead of
    /// sending again.
    @Test("kill -9 at many points during sweeps and deliveries, also while msmtp waits for the reply to DATA: every due reminder arrives exactly once")
    func crashSafety() async throws {
        let sink = try await SMTPSink.start(dataReplyDelays: [.milliseconds(300), .milliseconds(300), .milliseconds(300), .seconds(2)])
        let offJobs = "    reminder-sweep: \"off\"\n    outbox-delivery: \"off\""
        let fast = "    reminder-sweep: \"*:*:0/1\"\n    outbox-delivery: \"*:*:0/1\""
        // The reminders carry the reviewers' links, made at delivery: none may arrive with a link that does not open.
        let base = "http://kinerja.test"
        var (daemon, directory) = try await Self.startWithOverdueCycle(sink: sink, schedule: offJobs, publicBaseURL: base)
        // What is due, decided before any sweep ran; then the jobs run every second from the next start on.
        let planned = (try await daemon.call("io.kinerjad.Admin.PreviewReminders")["messages"]?.arrayValue ?? [])
            .filter { !($0["to"]?.arrayValue ?? []).isEmpty }
        #expect(planned.count >= 10)
        try DaemonHarness.configText(directory: directory, options: Self.options(sink: sink, schedule: fast, publicBaseURL: base))
            .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)

        var generator = SystemRandomNumberGenerator()
        var kills = 0, aimed = 0
        var logs = ""
        let start = ContinuousClock.now
        for round in 0..<14 {
            if round > 0 && round % 2 == 1 {
                // Aimed: as soon as a new message is stored by the sink, msmtp waits for its reply; every
                // other aimed kill waits for a slow one (the 4th, 8th, … message).
                let before = try sink.messages().count
                let slow = round % 4 == 3
                do {
                    try await waitUntil("a new message reached the sink", timeout: .seconds(12), interval: .milliseconds(5)) {
                        let count = try sink.messages().count
                        return count > before && (!slow || count % 4 == 0)
                    }
                    if !slow { try await Task.sleep(for: .milliseconds(Int.random(in: 0...150, using: &generator))) }
                    aimed += 1
                } catch {
                    // Nothing more to send: a kill at an idle moment is still a kill.
                }
            } else {
                try await Task.sleep(for: .milliseconds(Int.random(in: 50...1200, using: &generator)))
            }
            try daemon.process.signalGroup(SIGKILL)
            _ = try await daemon.process.wait(timeout: .seconds(10))
            kills += 1
            logs += daemon.log
            (daemon, _) = try await Self.startWithOverdueCycle(sink: sink, schedule: fast, in: directory, publicBaseURL: base)
        }
        // Let it finish: everything sent, nothing waiting or in flight.
        try await waitUntil("the outbox is drained", timeout: .seconds(60), interval: .milliseconds(200)) {
            let sent = try await daemon.call("io.kinerjad.Admin.ListReminders", ["status": "sent"])["total"]?.intValue ?? 0
            return sent >= planned.count
        }
        try await Task.sleep(for: .seconds(1))
        let elapsed = ContinuousClock.now - start

        let outbox = try await daemon.call("io.kinerjad.Admin.ListReminders", ["limit": 10000])["messages"]?.arrayValue ?? []
        #expect(outbox.count == planned.count, "the sweep wrote \(outbox.count) messages for \(planned.count) planned")
        #expect(outbox.allSatisfy { $0["status"]?.stringValue == "sent" })
        func email(_ address: String) -> String {
            guard let open = address.lastIndex(of: "<"), let close = address.lastIndex(of: ">"), open < close else { return address }
            return String(address[address.index(after: open)..<close])
        }
        // The envelope each stored message must arrive with, by Message-ID.
        var envelopes: [String: [String]] = [:]
        for message in outbox {
            let id = message["message_id"]?.stringValue ?? ""
            envelopes[id] = ((message["to"]?.arrayValue ?? []) + (message["cc"]?.arrayValue ?? [])).compactMap { $0.stringValue }.map(email)
        }
        let received = try sink.messages()
        let byID = Dictionary(grouping: received) { SentMail.messageID($0) }
        let duplicates = byID.values.reduce(0) { $0 + $1.count - 1 }
        let lost = envelopes.keys.filter { byID[$0] == nil }
        let strangers = byID.keys.filter { envelopes[$0] == nil }
        logs += daemon.log
        // How the restarted daemons resolved the attempts the killed ones left in flight.
        let adopted = logs.components(separatedBy: "from its sendmail runner").count - 1
        let waited = logs.components(separatedBy: "(waited for it to finish)").count - 1
        let unknown = logs.components(separatedBy: "whether the mail system took it is unknown").count - 1
        print("reminder crash test: \(kills) kills (\(aimed) while msmtp awaited the reply to DATA), \(planned.count) messages due, \(received.count) received, \(duplicates) duplicate(s), \(lost.count) lost; outcomes adopted from the runner: \(adopted) (\(waited) after waiting for it), unknown: \(unknown); \(elapsed)")
        #expect(kills == 14 && aimed >= 4, "\(aimed) aimed kills")
        #expect(adopted >= 1, "no kill left an attempt for the next daemon to adopt")
        #expect(waited >= 1, "no restarted daemon found a runner still running")
        #expect(unknown == 0)
        #expect(duplicates == 0, "\(duplicates) duplicate(s): \(byID.filter { $0.value.count > 1 }.keys.sorted())")
        #expect(lost.isEmpty, "never arrived: \(lost.sorted())")
        #expect(strangers.isEmpty, "arrived but not in the outbox: \(strangers.sorted())")
        for (id, copies) in byID {
            guard let envelope = envelopes[id] else { continue }
            for copy in copies { #expect(copy.recipients == envelope, "\(id): envelope \(copy.recipients), expected \(envelope)") }
        }
        // Every planned recipient got its digest.
        let plannedTo = Set(planned.compactMap { $0["to"]?.arrayValue?.first?.stringValue }.map(email))
        #expect(plannedTo == Set(received.compactMap(\.recipients.first)))
        // Every reminder carries one link per cycle, and every link that arrived opens: its token's SHA-256 is
        // stored and not revoked (links of a message sent again after a kill keep working side by side).
        let links = try await Subprocess.run("python3", arguments: ["-c", SentMail.linkCheck, sink.directory.path("mail"), daemon.databasePath],
                                             timeout: .seconds(60))
        let figures = links.standardOutputText.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(figures.count == 3 && figures[0] == received.count && figures[1] >= received.count && figures[2] == 0,
                "messages, links, links that do not open: \(links.standardOutputText) \(links.standardErrorText)")
        // Every attempt's spool files were removed once its outcome was recorded.
        let spool = (try? FileManager.default.contentsOfDirectory(atPath: directory.path("outbox"))) ?? []
        #expect(spool.isEmpty, "\(spool)")
        #expect(try await daemon.stop() == .exited(0))
        _ = directory
    }
}

/// Reading what the sink received.
enum SentMail {
    /// Prints how many messages of the sink (argv 1) carry a reviewer's link, how many links, and how
    /// many of them do not open in the database (argv 2): no stored SHA-256, or revoked.
    static let linkCheck = """
        import base64, email, email.policy, glob, hashlib, re, sqlite3, sys
        db = sqlite3.connect("file:" + sys.argv[2] + "?mode=ro", uri=True)
        messages = links = broken = 0
        for path in sorted(glob.glob(sys.argv[1] + "/*.eml")):
            with open(path, "rb") as f:
                body = email.message_from_binary_file(f, policy=email.policy.default).get_body(preferencelist=("plain",)).get_content()
            tokens = re.findall(r"/r/([A-Za-z0-9_-]{43})", body)
            messages += 1 if tokens else 0
            for token in tokens:
                links += 1
                digest = hashlib.sha256(base64.urlsafe_b64decode(token + "=")).digest()
                row = db.execute("SELECT revoked_at FROM review_link WHERE token_sha256 = ?", (digest,)).fetchone()
                broken += 1 if row is None or row[0] is not None else 0
        print(messages, links, broken)
        """

    /// The Message-ID header's value, angle brackets included ("none" when absent).
    static func messageID(_ message: SMTPSink.Message) -> String {
        let line = message.text.split(whereSeparator: \.isNewline).first { $0.lowercased().hasPrefix("message-id:") }
        return line.map { $0.dropFirst("message-id:".count).trimmingCharacters(in: .whitespaces) } ?? "none"
    }
}
