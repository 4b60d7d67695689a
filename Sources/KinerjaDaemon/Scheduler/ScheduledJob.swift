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
    /// Runs the job because the data it reads changed at `asOf` (a cycle closed then; a replay of
    /// history closes cycles in the past). A job that dates what it writes dates it `asOf` (never
    /// later than now); the others run as a manual run (the default).
    func run(slot: Date, asOf: Date) async throws -> String
}

extension ScheduledJob {
    public func run(slot: Date, asOf: Date) async throws -> String { try await run(slot: slot) }
}
