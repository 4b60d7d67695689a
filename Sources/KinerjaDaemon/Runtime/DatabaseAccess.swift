import Foundation
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
}

/// Hands memory freed by a large operation back to the system (see `AllocatorTuning`).
func releaseFreedMemory() {
    AllocatorTuning.releaseFreedMemory()
}
