import Foundation
import Logging
import Synchronization
import KinerjaStore

extension DaemonRuntime {
    /// The one way control handlers and jobs reach the database. `work` runs on a dispatch queue, off
    /// the Swift concurrency pool: SQLite calls block their thread, and a long transaction on the
    /// pool's few threads would starve the control socket's other connections and the work loop.
    ///
    /// Errors come out as `work` threw them. The control door turns them into interface errors in one
    /// place (`AdminService.interfaceError`); the scheduler records them with `describe`.
    public func withDatabase<T: Sendable>(_ work: @escaping @Sendable (AppDatabase) throws -> T) async throws -> T {
        let database = self.database
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                do { continuation.resume(returning: try work(database)) } catch { continuation.resume(throwing: error) }
            }
        }
    }

    /// `withDatabase` for a long read that must not hold up the short calls beside it (a whole-cycle
    /// report: about 0.3 s of CPU at 25,000 employees, asked for again and again by a dashboard or a
    /// script). `work` runs on a thread of its own whose scheduling priority is lowered by
    /// `backgroundNice` (Linux sets the nice value per thread), so while both CPUs are busy the web
    /// front's pages and submissions and the other control calls run first and the report takes
    /// what is left; on an idle machine it runs as fast as before. A new thread each time, so no
    /// pooled thread keeps the lowered priority (an unprivileged daemon could not raise it back).
    public func withDatabaseInBackground<T: Sendable>(_ work: @escaping @Sendable (AppDatabase) throws -> T) async throws -> T {
        let database = self.database, logger = self.logger, refusal = backgroundPriorityRefusal
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                if let error = BackgroundPriority.lowerCurrentThread(by: DaemonRuntime.backgroundNice), refusal.first() {
                    logger.warning("Long reads run at full priority: setpriority was refused",
                                   metadata: ["message_id": "\(MessageIDs.backgroundPriorityRefused)", "errno": "\(error)"])
                }
                do { continuation.resume(returning: try work(database)) } catch { continuation.resume(throwing: error) }
            }
            thread.name = "kinerjad-background-read"
            thread.start()
        }
    }

    /// How much `withDatabaseInBackground` lowers its thread's priority (nice, 0 to 19).
    public static let backgroundNice: Int32 = 10
}

/// True the first time `first()` is asked, false after: for a warning logged once per start.
final class OnceFlag: Sendable {
    private let done = Mutex(false)
    func first() -> Bool { done.withLock { was in defer { was = true }; return !was } }
}

/// The calling thread's scheduling priority (its nice value). On Linux the nice value belongs to
/// each thread, and `who` 0 names the calling thread, not the whole process.
enum BackgroundPriority {
    /// Adds `amount` to the calling thread's nice value. Lowering one's own priority needs no
    /// privilege; a failure (a system-call filter without setpriority or getpriority) leaves the
    /// thread as it was and returns the errno, for the caller to report.
    static func lowerCurrentThread(by amount: Int32) -> Int32? {
        errno = 0
        let current = getpriority(which, 0)
        guard errno == 0 else { return errno }
        return setpriority(which, 0, min(19, current + amount)) == 0 ? nil : errno
    }

    /// The calling thread's nice value (for the tests).
    static func currentThreadNice() -> Int32 {
        getpriority(which, 0)
    }

    #if os(Linux)
    private static let which = __priority_which_t(PRIO_PROCESS.rawValue)
    #else
    private static let which = PRIO_PROCESS
    #endif
}

/// Hands memory freed by a large operation back to the system (see `AllocatorTuning`).
func releaseFreedMemory() {
    AllocatorTuning.releaseFreedMemory()
}
