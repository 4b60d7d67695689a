import Foundation
import KinerjaTestSupport
import Testing

/// The mail hand-off: kinerjad-sendmail on the daemon's side, the shell line of
/// `systemd/kinerjad-mail@.service` on the other, joined by `systemd-socket-activate --accept --inetd`
/// as kinerjad-mail.socket joins them under systemd (the connection is the program's stdin and stdout).
@Suite("mail hand-off to kinerjad-mail.socket", .serialized)
struct MailHandOffTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The mail unit's ExecStart= as argv, with systemd's `$$` unescaped; the program is replaced by `program`.
    static func unitCommand(program: [String]) throws -> [String] {
        let unit = try String(contentsOfFile: root.appendingPathComponent("systemd/kinerjad-mail@.service").path, encoding: .utf8)
        let line = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        let value = String(line.dropFirst("ExecStart=".count)).replacingOccurrences(of: "$$", with: "$")
        // /bin/sh -c '<script>' kinerjad-mail /usr/sbin/sendmail -t -i
        let script = try #require(value.split(separator: "'", omittingEmptySubsequences: false).dropFirst().first)
        #expect(value.hasPrefix("/bin/sh -c '"), "\(value)")
        #expect(value.hasSuffix("kinerjad-mail /usr/sbin/sendmail -t -i"), "\(value)")
        return ["/bin/sh", "-c", String(script), "kinerjad-mail"] + program
    }

    /// A listener like kinerjad-mail.socket on `socket`, running `program` behind the unit's shell line.
    static func listen(_ socket: String, program: [String]) async throws -> Subprocess {
        let listener = try Subprocess.launch("systemd-socket-activate",
                                             arguments: ["--listen=\(socket)", "--accept", "--inetd"] + (try unitCommand(program: program)),
                                             environment: Subprocess.environment())
        try await waitUntil("systemd-socket-activate listens on \(socket)") { isListeningUnixSocket(socket) }
        return listener
    }

    static func send(_ message: String, socket: String) async throws -> Subprocess.Completed {
        try await Subprocess.run(try BuiltProducts.executable(named: "kinerjad-sendmail"), arguments: ["--socket", socket, "-t", "-i"],
                                 environment: Subprocess.environment(), input: Array(message.utf8), timeout: .seconds(30))
    }

    @Test("systemd-analyze verify accepts kinerjad-mail.socket and kinerjad-mail@.service")
    func unitsVerify() async throws {
        let units = ["kinerjad-mail.socket", "kinerjad-mail@.service"].map { Self.root.appendingPathComponent("systemd/\($0)").path }
        let verify = try await Subprocess.run("systemd-analyze", arguments: ["verify"] + units, timeout: .seconds(60))
        #expect(verify.status == .exited(0), "\(verify.standardErrorText)")
        #expect(verify.standardErrorText.isEmpty, "\(verify.standardErrorText)")
    }

    @Test("the message reaches the program whole; its exit status and output come back")
    func statusAndOutput() async throws {
        let dir = try TemporaryDirectory(prefix: "kinerjad-handoff")
        let program = dir.path("fake-sendmail")
        try """
            #!/bin/sh
            cat > "$(dirname "$0")/received"
            echo "relay says: $(wc -c < "$(dirname "$0")/received") bytes" >&2
            exit "$(cat "$(dirname "$0")/status")"
            """.write(toFile: program, atomically: true, encoding: .utf8)
        chmod(program, 0o755)
        let listener = try await Self.listen(dir.path("mail.sock"), program: [program])
        // Larger than a socket buffer, so the copy really streams.
        let message = "To: a@example.org\nSubject: test\n\n" + String(repeating: "penilaian 360 derajat\n", count: 20_000)
        for status in ["0", "75"] {
            try status.write(toFile: dir.path("status"), atomically: true, encoding: .utf8)
            let sent = try await Self.send(message, socket: dir.path("mail.sock"))
            #expect(sent.status == .exited(Int32(status)!), "\(sent.standardErrorText)")
            #expect(sent.standardErrorText.contains("relay says: \(message.utf8.count) bytes"), "\(sent.standardErrorText)")
            #expect(!sent.standardErrorText.contains("kinerjad-mail-status"), "\(sent.standardErrorText)")
            #expect(try String(contentsOfFile: dir.path("received"), encoding: .utf8) == message)
        }
        _ = await listener.terminate()
    }

    @Test("a connection that ends without the status line is 75 (retried); no socket is 69")
    func failures() async throws {
        let dir = try TemporaryDirectory(prefix: "kinerjad-handoff")
        // Not the unit's shell line: a program that closes the connection as a killed unit would.
        let listener = try Subprocess.launch("systemd-socket-activate",
                                             arguments: ["--listen=\(dir.path("mail.sock"))", "--accept", "--inetd", "/bin/sh", "-c", "head -c 10 >/dev/null; echo partial"],
                                             environment: Subprocess.environment())
        try await waitUntil("systemd-socket-activate listens") { isListeningUnixSocket(dir.path("mail.sock")) }
        let cut = try await Self.send("To: a@example.org\n\nhello\n", socket: dir.path("mail.sock"))
        #expect(cut.status == .exited(75), "\(cut.standardErrorText)")
        #expect(cut.standardErrorText.contains("ended without reporting"), "\(cut.standardErrorText)")
        _ = await listener.terminate()
        let none = try await Self.send("To: a@example.org\n\nhello\n", socket: dir.path("absent.sock"))
        #expect(none.status == .exited(69), "\(none.standardErrorText)")
        #expect(none.standardErrorText.contains("absent.sock"), "\(none.standardErrorText)")
    }

    @Test("reminders go out through kinerjad-sendmail, the unit's shell line and msmtp, each once")
    func remindersThroughTheHandOff() async throws {
        let sink = try await SMTPSink.start()
        let dir = try TemporaryDirectory(prefix: "kinerjad-handoff")
        let socket = dir.path("mail.sock")
        let listener = try await Self.listen(socket, program: ["/usr/bin/msmtp", "--host=127.0.0.1", "--port=\(sink.port)",
                                                               "--from=kinerjad@localhost", "-t"])
        let helper = try BuiltProducts.executable(named: "kinerjad-sendmail")
        let (daemon, _) = try await ReminderSweepTests.startWithOverdueCycle(
            sink: sink, schedule: "    reminder-sweep: \"off\"\n    outbox-delivery: \"off\"") { options in
                options.extraConfig = options.extraConfig.replacingOccurrences(
                    of: "sendmail: [/usr/bin/msmtp, --host=127.0.0.1, --port=\(sink.port), --from=kinerjad@localhost, -t]",
                    with: "sendmail: [\(helper), --socket, \(socket)]")
            }
        #expect(try String(contentsOfFile: daemon.configPath, encoding: .utf8).contains("kinerjad-sendmail"), "the test config still names msmtp")
        let send = try await Subprocess.run(try BuiltProducts.kinerjactl, arguments: ["--socket", daemon.socketPath, "--json", "reminders", "send-now"],
                                            environment: Subprocess.environment(), timeout: .seconds(120))
        #expect(send.status == .exited(0), "\(send.standardErrorText)")
        let sent = try await daemon.call("io.kinerjad.Admin.ListReminders", ["status": "sent"])["total"]?.intValue ?? 0
        #expect(sent >= 10)
        let received = try await sink.waitForMessages(count: Int(sent))
        #expect(received.count == Int(sent))
        let firstTo = received.map { $0.recipients.first ?? "" }
        #expect(Set(firstTo).count == firstTo.count, "a recipient got two messages")
        #expect(try await daemon.stop() == .exited(0), "\(daemon.log)")
        _ = await listener.terminate()
        await sink.stop()
    }
}
