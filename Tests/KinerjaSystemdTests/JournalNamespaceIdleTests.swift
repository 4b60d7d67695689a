import Foundation
import KinerjaTestSupport
import Testing

/// journald for a namespace exits after 30 s with no stream connected and nothing logged. A test whose
/// daemon takes that long to start on a loaded machine would log into a namespace that is gone, so
/// `JournalNamespace` holds a stream open. Its own suite, outside the one-at-a-time phase: it only waits.
@Suite struct JournalNamespaceIdleTests {
    @Test("a journald namespace outlives journald's 30 s idle exit, so a daemon slow to start still has it",
          .enabled(if: getuid() == 0, "needs root: it starts a journald namespace"))
    func keptAlive() async throws {
        let journal = try await JournalNamespace.start()
        try await Task.sleep(for: .seconds(35))
        #expect(journal.isRunning, "journald exited while idle: \(journal.journaldOutput)")
        await journal.stop()
    }
}
