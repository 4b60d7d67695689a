import Foundation
import KinerjaStore
import KinerjaSystemd
import Logging
import Testing
@testable import KinerjaDaemon

/// Whole-cycle reads run on a thread of lower priority, so reports asked for in a loop leave the
/// CPUs to the web front's requests and the other control calls first.
@Suite("BackgroundRead")
struct BackgroundReadTests {
    static func runtime() throws -> DaemonRuntime {
        DaemonRuntime(config: DaemonConfig(), configPath: "/nonexistent.yaml", environment: [:], database: try AppDatabase.inMemory(),
                      logLevel: LogLevelControl(.critical), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                      startedAt: Date(), notifier: Notifier())
    }

    @Test("withDatabaseInBackground runs its work at a nice value at least backgroundNice higher; the pooled threads keep theirs")
    func lowersOnlyItsOwnThread() async throws {
        let runtime = try Self.runtime()
        let before = try await runtime.withDatabase { _ in BackgroundPriority.currentThreadNice() }
        let (inside, schema) = try await runtime.withDatabaseInBackground { db in
            (BackgroundPriority.currentThreadNice(), try db.schemaVersion())
        }
        // At least backgroundNice below the threads withDatabase runs on (their queue may run them
        // at a higher priority than a new thread starts with, when the process may raise it).
        #expect(inside - before >= DaemonRuntime.backgroundNice || inside == 19, "nice \(inside) in the background, \(before) beside it")
        #expect(schema == AppDatabase.currentSchemaVersion)
        // The pooled threads of withDatabase are untouched.
        for _ in 0..<8 {
            #expect(try await runtime.withDatabase { _ in BackgroundPriority.currentThreadNice() } == before)
        }
    }

    @Test("an error thrown by the background work reaches the caller")
    func passesErrorsOn() async throws {
        struct Refused: Error {}
        let runtime = try Self.runtime()
        await #expect(throws: Refused.self) {
            try await runtime.withDatabaseInBackground { _ -> Int in throw Refused() }
        }
    }
}
