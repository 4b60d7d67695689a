import KinerjaSystemd
import KinerjaTestSupport
import Logging
import Testing

@Suite("LogOutput choice")
struct LogOutputTests {
    @Test("outside systemd without a configured socket, logs go to stderr lines")
    func stderrByDefault() {
        let output = LogOutput.choose(identifier: "kinerjad", stderrIsJournal: false)
        guard case .stderr(let writer) = output else {
            Issue.record("expected stderr, got \(output)")
            return
        }
        #expect(writer.fileDescriptor == 2)
        #expect(output.makeHandler(label: "x", metadataProvider: nil) is StderrLogHandler)
    }

    @Test("when stderr is the journal stream, logs go to the system journal socket")
    func journalUnderSystemd() {
        let output = LogOutput.choose(identifier: "kinerjad", stderrIsJournal: true)
        guard case .journal(let destination) = output else {
            Issue.record("expected the journal, got \(output)")
            return
        }
        #expect(destination.socket.path == "/run/systemd/journal/socket")
        #expect(destination.identifier == "kinerjad")
    }

    @Test("a configured journal socket wins, and its handlers reach that journald")
    func configuredSocket() async throws {
        try await JournalNamespace.with { journal in
            let output = LogOutput.choose(identifier: "kinerjad-output", journalSocketPath: journal.socketPath, stderrIsJournal: false)
            let factory: @Sendable (String, Logger.MetadataProvider?) -> any LogHandler = output.makeHandler
            let logger = Logger(label: "kinerja.output") { factory($0, nil) }
            logger.info("lewat LogOutput")
            let entries = try await journal.waitForEntries(matching: ["SYSLOG_IDENTIFIER": "kinerjad-output"])
            #expect(entries.first?["MESSAGE"] == "lewat LogOutput")
            #expect(entries.first?["KINERJA_LOGGER"] == "kinerja.output")
        }
    }
}
