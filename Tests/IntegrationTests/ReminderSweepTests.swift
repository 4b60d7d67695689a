import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// Reminders end to end: demo staff with an overdue cycle, the sweep, msmtp to a real SMTP sink on
/// loopback; exactly one message per recipient, also across kill -9 at random points.
@Suite("reminder sweep and mail, end to end", .serialized)
struct ReminderSweepTests {
    /// A daemon with demo employees imported and one cycle opened months ago (all reviews overdue).
    static func startWithOverdueCycle(sink: SMTPSink, schedule: String, in directory: TemporaryDirectory? = nil) async throws -> (DaemonHarness, TemporaryDirectory) {
        let dir = try directory ?? TemporaryDirectory(prefix: "kinerjad-remind")
        var options = DaemonHarness.Options()
        options.extraConfig = """
            mail:
              sendmail: [/usr/bin/msmtp, --host=127.0.0.1, --port=\(sink.port), --from=kinerjad@localhost, -t]
              from_address: kinerjad@localhost
              retry_base: 1s
              retry_cap: 2s
            reminders:
              working_hours: "Mon..Sun 00:00..23:59 UTC"
              holidays: []
            jobs:
              schedule:
            \(schedule)
            """
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
            let open = try await Subprocess.run(ctl, arguments: ["--socket", daemon.socketPath, "cycles", "open", "2026-Q2", "--opened-at", "2026-04-01T00:00:00Z"],
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

    /// What is guaranteed today: nothing is lost, the sweep never writes a stage twice, and a message
    /// is sent again only when a kill lands while its sendmail was running (the mail system may have
    /// accepted it before the kill); the resend carries the same Message-ID. Closing that last window
    /// (exactly once) is open work, see the issue note.
    @Test("kill -9 at random points during sweeps and deliveries: nothing lost, resends only of messages in flight, same Message-ID")
    func crashSafety() async throws {
        let sink = try await SMTPSink.start()
        let fast = "    reminder-sweep: \"*:*:0/1\"\n    outbox-delivery: \"*:*:0/1\""
        var (daemon, directory) = try await Self.startWithOverdueCycle(sink: sink, schedule: fast)
        let expected = (try await daemon.call("io.kinerjad.Admin.PreviewReminders")["messages"]?.arrayValue ?? [])
            .filter { !($0["to"]?.arrayValue ?? []).isEmpty }.count
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for _ in 0..<6 {
            try await Task.sleep(for: .milliseconds(Int.random(in: 100...1500, using: &generator)))
            try daemon.process.signalGroup(SIGKILL)
            _ = try await daemon.process.wait(timeout: .seconds(10))
            kills += 1
            (daemon, _) = try await Self.startWithOverdueCycle(sink: sink, schedule: fast, in: directory)
        }
        // Let it finish: everything sent, nothing pending.
        try await waitUntil("the outbox is drained", timeout: .seconds(60), interval: .milliseconds(200)) {
            let pending = try await daemon.call("io.kinerjad.Admin.ListReminders", ["status": "pending"])["total"]?.intValue ?? 1
            let failed = try await daemon.call("io.kinerjad.Admin.ListReminders", ["status": "failed"])["total"]?.intValue ?? 1
            let arrived = try sink.messages().count
            return pending == 0 && failed == 0 && arrived >= expected
        }
        try await Task.sleep(for: .seconds(2))
        let received = try sink.messages()
        let firstTo = received.map { $0.recipients.first ?? "" }
        #expect(kills == 6)
        // Nothing lost: every recipient the sweep planned for got its digest.
        #expect(Set(firstTo).count == expected, "expected \(expected) recipients, got \(Set(firstTo).count)")
        // At most one resend per kill, and a resend is the same message (same Message-ID).
        #expect(received.count - expected <= kills, "\(received.count - expected) resends for \(kills) kills")
        func messageID(_ m: SMTPSink.Message) -> String {
            m.text.split(whereSeparator: \.isNewline).first { $0.lowercased().hasPrefix("message-id:") }.map(String.init) ?? "none"
        }
        for (recipient, copies) in Dictionary(grouping: received, by: { $0.recipients.first ?? "" }) where copies.count > 1 {
            #expect(Set(copies.map(messageID)).count == 1, "\(recipient) got different messages")
        }
        print("reminder crash test: \(kills) kills, \(expected) recipients, \(received.count - expected) resend(s) of in-flight messages")
        #expect(try await daemon.stop() == .exited(0))
        _ = directory
    }
}
