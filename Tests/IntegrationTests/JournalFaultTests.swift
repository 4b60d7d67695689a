import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// The journal missing: no journald at the configured socket at start (with `logging.target:
/// journal`, and with `auto` when stderr is the journal stream), and journald going away while the
/// daemon runs. Logs must fall back to stderr lines, once saying why, and the daemon keeps serving.
@Suite("journal missing: fallback to stderr, no crash", .serialized, .enabled(if: getuid() == 0, "needs root: it starts and stops a private journald namespace"))
struct JournalFaultTests {
    static let nowhere = "/run/kinerja-test-no-journal/socket"

    /// Asks for events that log at notice and checks the daemon answers.
    static func exercise(_ daemon: DaemonHarness) async throws {
        _ = try await daemon.call("io.kinerjad.Admin.SetLogLevel", ["level": .string("info")])
        _ = try await daemon.call("io.kinerjad.Admin.Reload")
        #expect(try await daemon.call("io.kinerjad.Admin.Ping")["version"] != nil)
    }

    @Test("logging.target journal with no journald at the socket: stderr lines, the reason once, serving")
    func journalSocketMissingAtStart() async throws {
        var options = DaemonHarness.Options()
        options.logging = "  target: journal\n  level: info\n  journal_socket: \(Self.nowhere)\n"
        let daemon = try await DaemonHarness.start(options)
        try await Self.exercise(daemon)
        #expect(try await daemon.stop() == .exited(0))
        let log = daemon.log
        #expect(log.contains("journal unavailable, logging to stderr instead: sendto \(Self.nowhere) failed"), "\(log)")
        #expect(log.components(separatedBy: "journal unavailable").count == 2, "the reason is said once: \(log)")
        #expect(log.contains("kinerjad ready"))
        #expect(log.contains("Log level changed"))
        #expect(log.contains("Configuration reloaded"))
        #expect(log.contains("kinerjad stopped"))
    }

    @Test("logging.target auto with stderr as the journal stream (JOURNAL_STREAM) but no journald: stderr lines, serving")
    func journalStreamWithoutJournald() async throws {
        var options = DaemonHarness.Options()
        options.logging = "  target: auto\n  level: info\n  journal_socket: \(Self.nowhere)\n"
        // JOURNAL_STREAM names stderr's own device and inode, as systemd sets it for a service.
        options.wrapper = ["/bin/sh", "-c", #"export JOURNAL_STREAM="$(stat -L -c %d:%i /proc/self/fd/2)"; exec "$@""#, "sh"]
        let daemon = try await DaemonHarness.start(options)
        try await Self.exercise(daemon)
        #expect(try await daemon.stop() == .exited(0))
        let log = daemon.log
        #expect(log.contains("journal unavailable, logging to stderr instead"), "auto should have chosen the journal: \(log)")
        #expect(log.contains("kinerjad ready"))
        #expect(log.contains("Configuration reloaded"))
    }

    @Test("journald stops while the daemon runs: later events go to stderr, the daemon keeps serving")
    func journaldGoesAway() async throws {
        let journal = try await JournalNamespace.start()
        var options = DaemonHarness.Options()
        options.logging = "  target: journal\n  level: info\n  journal_socket: \(journal.socketPath)\n"
        let daemon = try await DaemonHarness.start(options)
        try await journal.waitForEntries(matching: ["MESSAGE_ID": "2b5be6e3f7b14566b6d0fb62d7d2fd60"])
        #expect(!daemon.log.contains("journal unavailable"), "\(daemon.log)")

        await journal.stop()
        try await Self.exercise(daemon)
        // A burst of calls while the journal is gone: nothing blocks on it.
        let client = try await daemon.client()
        for _ in 0..<50 { _ = try await client.call("io.kinerjad.Admin.GetStatus") }
        await client.close()
        #expect(try await daemon.stop() == .exited(0))
        let log = daemon.log
        #expect(log.contains("journal unavailable, logging to stderr instead"), "\(log)")
        #expect(log.contains("Log level changed"))
        #expect(log.contains("kinerjad stopped"))
    }
}
