import Foundation
import KinerjaDomain
import KinerjaStore

/// Closing an evaluation cycle: the one implementation behind the `CloseCycle` method and the
/// `cycle-close` job. It computes the results in one transaction that also records the motivation
/// analysis they owe (so a crash before it runs keeps it owed), logs `MessageIDs.cycleClosed` with
/// the same fields whoever asked, and starts that analysis at once, dated at the close. Closing a
/// closed cycle changes nothing (nothing logged, no analysis).
struct CloseCycle {
    let runtime: DaemonRuntime

    /// Closes `cycle` as of `closedAt`. Without `force` a cycle before its due date, or with required
    /// reviews still open (`CycleStoreError.notClosable`), is refused; with it, `reason` is recorded.
    /// A reason without `force` is refused: it would be recorded for a close that was not forced.
    func callAsFunction(_ cycle: CycleReference, force: Bool, reason: String?, closedAt: Date,
                        by actor: String) async throws -> CloseCycleOutcome {
        let config = runtime.config
        let required = Set(config.cycles.requiredRoles), policy = config.results.policy
        if reason != nil && !force {
            throw Refusal("reason: a reason is only recorded for a forced close; add force (kinerjactl cycles close --force --reason TEXT)")
        }
        if !force {
            let current = try await runtime.withDatabase { db in try db.cycle(cycle) }
            if current.status == .open && closedAt < current.dueAt {
                let zone = config.cycles.zone
                throw Refusal("cycle \(current.period.code) is due at \(Timestamp.format(current.dueAt, in: zone)); closing it at "
                    + "\(Timestamp.format(closedAt, in: zone)), before its due date, needs force with a reason "
                    + "(kinerjactl cycles close --force --reason TEXT)")
            }
        }
        let started = ContinuousClock.now
        let outcome = try await runtime.withDatabase { db in
            try db.closeCycle(cycle, force: force, reason: reason, requiredRoles: required, policy: policy, at: closedAt, by: actor,
                              requestingJobs: [MotivationAnalysisJob.jobName])
        }
        releaseFreedMemory()
        if outcome.closed {
            let period = outcome.cycle.period.code
            runtime.logger.notice("Evaluation cycle \(period) closed: \(outcome.results) results", metadata: [
                "message_id": "\(MessageIDs.cycleClosed)", "cycle": "\(period)",
                "results": "\(outcome.results)", "forced": "\(outcome.cycle.forced)",
                "reason": "\(outcome.cycle.closeReason ?? "")",
                "duration_ms": "\((ContinuousClock.now - started).wholeMilliseconds)", "peer": "\(actor)",
            ])
            // New results: the motivation flags are brought up to date in the background, dated at
            // the close (a replayed close of a past period dates its flags and follow-ups then).
            runtime.rerunJob(MotivationAnalysisJob.jobName, because: "cycle \(period) closed", asOf: closedAt)
        }
        return outcome
    }
}
