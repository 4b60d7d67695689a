import Foundation
import KinerjaTestSupport
import Testing

/// The daemon's events in a real (private) journal, as the city's monitoring reads them.
@Suite("kinerjad logs to journald", .enabled(if: getuid() == 0, "needs root: it reads the daemon's entries from a private journald namespace"))
struct DaemonJournalTests {
    @Test("structured entries: PRIORITY, SYSLOG_IDENTIFIER, MESSAGE_ID, KINERJA_* fields; a multi-line field intact")
    func structuredEntries() async throws {
        let journal = try await JournalNamespace.start()
        defer { Task { await journal.stop() } }
        var options = DaemonHarness.Options()
        options.logging = "  target: journal\n  level: info\n  journal_socket: \(journal.socketPath)\n"
        let daemon = try await DaemonHarness.start(options)

        let ready = try await journal.waitForEntries(matching: ["MESSAGE_ID": "2b5be6e3f7b14566b6d0fb62d7d2fd60"])
        #expect(ready[0]["SYSLOG_IDENTIFIER"] == "kinerjad")
        #expect(ready[0]["PRIORITY"] == "5")
        #expect(ready[0]["KINERJA_DATABASE"] == daemon.databasePath)
        #expect(ready[0]["KINERJA_SCHEMA_VERSION"] != nil)
        #expect(ready[0]["CODE_FILE"]?.hasSuffix(".swift") == true)

        // A refused reload: PRIORITY=3 and the problems (one per line) kept intact in one field.
        let good = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        try (good + "\nfirst_bad: 1\nsecond_bad: 2\n").write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        try daemon.process.signal(SIGHUP)
        let refused = try await journal.waitForEntries(matching: ["MESSAGE_ID": "76916220e7d24369a6bcc104004e90a5"])
        #expect(refused[0]["PRIORITY"] == "3")
        let problems = try #require(refused[0]["KINERJA_PROBLEMS"])
        let lines = problems.split(separator: "\n")
        #expect(lines.count == 2, "\(problems)")
        #expect(lines.first?.contains("first_bad") == true)
        #expect(lines.last?.contains("second_bad") == true)

        try daemon.process.signal(SIGTERM)
        _ = try await journal.waitForEntries(matching: ["MESSAGE_ID": "06c7c6d468f44b179d1613089ede2ea0"])
        #expect(try await daemon.process.wait() == .exited(0))
    }
}
