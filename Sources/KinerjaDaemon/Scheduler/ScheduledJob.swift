import Foundation

/// Work the scheduler runs at the slots of a calendar expression. A run must be idempotent (running
/// it twice for a slot changes nothing the second time) and should check `Task.isCancelled` between
/// batches so that SIGTERM ends it cleanly (its transaction rolls back or completes).
public protocol ScheduledJob: Sendable {
    /// The job's name as in the configuration and `kinerjactl jobs`.
    var name: String { get }
    /// Runs the job for `slot` (the scheduled instant, or now for a manual run) and returns a one-line
    /// summary of what it did. Throwing marks the run failed with the error's description.
    func run(slot: Date) async throws -> String
}
