import Foundation
import KinerjaDomain
import KinerjaStore

/// Opening an evaluation cycle: the one implementation behind the `OpenCycle` method and the
/// `cycle-open:<kind>` jobs. It refuses a period whose kind is not in `cycles.kinds`, plans and
/// stores the assignments in one transaction, and logs `MessageIDs.cycleOpened` with the same
/// fields whoever asked. A period that already has a cycle is left as it is (nothing logged).
struct OpenCycle {
    let runtime: DaemonRuntime

    /// Opens `period` as of `openedAt`; `actor` is recorded with the cycle and logged as `peer`.
    func callAsFunction(_ period: Period, openedAt: Date, by actor: String) async throws -> OpenCycleOutcome {
        let config = runtime.config.cycles
        guard config.kinds.contains(period.kind) else {
            throw Refusal("period: \(period.code) is a \(period.kind.rawValue) period, but cycles.kinds is "
                + config.kinds.map(\.rawValue).joined(separator: ", "))
        }
        let policy = config.assignmentPolicy, appraisers = runtime.config.appraisers
        let started = ContinuousClock.now
        let outcome = try await runtime.withDatabase { db in
            try db.openCycle(period: period, openedAt: openedAt, policy: policy, by: actor, appraisers: appraisers)
        }
        releaseFreedMemory()
        if outcome.created {
            runtime.logger.notice("Evaluation cycle \(period.code) opened with \(outcome.cycle.assignments) assignments", metadata: [
                "message_id": "\(MessageIDs.cycleOpened)", "cycle": "\(period.code)",
                "assignments": "\(outcome.cycle.assignments)", "due": "\(Timestamp.format(outcome.cycle.dueAt, in: config.zone))",
                "duration_ms": "\((ContinuousClock.now - started).wholeMilliseconds)", "peer": "\(actor)",
            ])
        }
        return outcome
    }
}
