import Foundation

/// A real SMTP server on 127.0.0.1 (Python's aiosmtpd) that keeps every message it accepts, with
/// the envelope, in a temporary directory. Point msmtp at `port` to test a mail path end to end.
///
/// With `dataReplyDelays`, each message is stored as soon as its DATA is complete (as a real MTA
/// queues it) and the 250 reply follows only after a delay (the n-th message, counted from 1, waits
/// `dataReplyDelays[(n - 1) % count]`): the client is then mid-transaction, waiting, while the
/// message already counts as received; a client killed in that window is the classic
/// duplicate-delivery case (RFC 1047).
///
/// ```swift
/// let sink = try await SMTPSink.start()
/// // … msmtp --host=127.0.0.1 --port=\(sink.port) -t < message
/// let messages = try await sink.waitForMessages(count: 1)
/// #expect(messages[0].recipients == ["a@example.go.id"])
/// ```
public final class SMTPSink: Sendable {
    public let directory: TemporaryDirectory
    /// The port the server listens on (chosen by the kernel).
    public let port: Int
    public let process: Subprocess

    /// One accepted message.
    public struct Message: Sendable {
        /// MAIL FROM.
        public let sender: String
        /// RCPT TO, in order.
        public let recipients: [String]
        /// DATA as received (CRLF line endings, dot-unstuffed).
        public let data: [UInt8]
        public var text: String { String(decoding: data, as: UTF8.self) }
    }

    static let script = #"""
        import asyncio, json, os, sys
        from aiosmtpd.smtp import SMTP

        class Keep:
            def __init__(self, directory, delays):
                self.directory = directory
                self.delays = delays
                self.count = 0

            async def handle_DATA(self, server, session, envelope):
                self.count += 1
                base = os.path.join(self.directory, "%06d" % self.count)
                with open(base + ".json", "w") as f:
                    json.dump({"sender": envelope.mail_from, "recipients": envelope.rcpt_tos}, f)
                with open(base + ".tmp", "wb") as f:
                    f.write(envelope.original_content)
                os.rename(base + ".tmp", base + ".eml")
                delay = self.delays[(self.count - 1) % len(self.delays)]
                if delay > 0:
                    await asyncio.sleep(delay)
                return "250 2.0.0 Message accepted"

        async def main():
            handler = Keep(sys.argv[1], [float(d) for d in sys.argv[2].split(",")])
            loop = asyncio.get_running_loop()
            server = await loop.create_server(lambda: SMTP(handler, decode_data=False), "127.0.0.1", 0)
            print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
            await server.serve_forever()

        asyncio.run(main())
        """#

    init(directory: TemporaryDirectory, port: Int, process: Subprocess) {
        self.directory = directory
        self.port = port
        self.process = process
    }

    /// Starts the server and waits until it listens; `dataReplyDelays` hold back the 250 replies to DATA.
    public static func start(dataReplyDelays: [Duration] = [.zero]) async throws -> SMTPSink {
        let directory = try TemporaryDirectory(prefix: "kinerja-smtp")
        let scriptPath = directory.path("sink.py")
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let mailDirectory = directory.path("mail")
        try FileManager.default.createDirectory(atPath: mailDirectory, withIntermediateDirectories: true)
        let process = try Subprocess.launch("python3", arguments: ["-u", scriptPath, mailDirectory, (dataReplyDelays.isEmpty ? [.zero] : dataReplyDelays).map {
                                                "\(Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18)"
                                            }.joined(separator: ",")], environment: Subprocess.environment(),
                                            newProcessGroup: true)
        do {
            try await process.waitForOutput(containing: "PORT ", in: .standardOutput, timeout: .seconds(20))
        } catch {
            throw TestSupportError("the SMTP sink did not start: \(error)\n\(process.outputSummary())")
        }
        let line = process.text(.standardOutput).split(separator: "\n").first { $0.hasPrefix("PORT ") } ?? ""
        guard let port = Int(line.dropFirst(5).trimmingCharacters(in: .whitespaces)) else {
            throw TestSupportError("the SMTP sink printed no port: \(process.outputSummary())")
        }
        return SMTPSink(directory: directory, port: port, process: process)
    }

    /// The messages accepted so far, in order of arrival.
    public func messages() throws -> [Message] {
        let mail = directory.path("mail")
        let names = try FileManager.default.contentsOfDirectory(atPath: mail).filter { $0.hasSuffix(".eml") }.sorted()
        return try names.map { name in
            let base = mail + "/" + String(name.dropLast(4))
            let envelope = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + ".json"))) as? [String: Any] ?? [:]
            return Message(sender: envelope["sender"] as? String ?? "", recipients: envelope["recipients"] as? [String] ?? [],
                           data: Array(try Data(contentsOf: URL(fileURLWithPath: base + ".eml"))))
        }
    }

    /// Waits until at least `count` messages arrived and returns all of them.
    public func waitForMessages(count: Int, timeout: Duration = .seconds(20)) async throws -> [Message] {
        try await waitUntil("\(count) message(s) reached the SMTP sink", timeout: timeout, interval: .milliseconds(50)) {
            try messages().count >= count
        }
        return try messages()
    }

    public func stop() async {
        _ = await process.terminate()
    }

    deinit {
        if process.isRunning { try? process.signalGroup(SIGKILL) }
    }
}
