import Foundation
import KinerjaDomain
import KinerjaStore

/// Opening an evaluation cycle: the one implementation behind the `OpenCycle` method and the
/// `cycle-open:<kind>` jobs. It refuses a period whose kind is not in `cycles.kinds`, and a period
/// that has not ended yet unless `early` is asked for (the job never asks); it moves a due date that
/// falls on a weekend or a holiday to the next working day (`cycles.due_on_working_day`); it plans
/// and stores the assignments in one transaction, and logs `MessageIDs.cycleOpened` with the same
/// fields whoever asked. A period that already has a cycle is left as it is (nothing logged).
struct OpenCycle {
    let runtime: DaemonRuntime

    /// Opens `period` as of `openedAt`; `actor` is recorded with the cycle and logged as `peer`.
    func callAsFunction(_ period: Period, openedAt: Date, early: Bool = false, by actor: String) async throws -> OpenCycleOutcome {
        let config = runtime.config.cycles
        let zone = config.zone
        guard config.kinds.contains(period.kind) else {
            throw Refusal("period: \(period.code) is a \(period.kind.rawValue) period, but cycles.kinds is "
                + config.kinds.map(\.rawValue).joined(separator: ", "))
        }
        let today = CalendarDate(openedAt, in: zone)
        // A period that already has a cycle is left as it is and says so (below), early or not.
        if today <= period.end && !early,
           await (try? runtime.withDatabase { db in try db.cycle(.period(period)) }) == nil {
            throw Refusal("period: \(period.code) runs until \(period.end) and has not ended at "
                + "\(Timestamp.format(openedAt, in: zone)); opening it before its end needs early (kinerjactl cycles open --early)")
        }
        let policy = config.assignmentPolicy, appraisers = runtime.config.appraisers
        let planned = openedAt.addingTimeInterval(policy.dueAfter.inSeconds)
        var due = planned
        if config.dueOnWorkingDay {
            let reminders = runtime.config.reminders.policy
            let days = WorkingDays(weekdays: reminders.workingHours.weekdays, holidays: reminders.holidays, timeZone: zone)
            guard let moved = days.onWorkingDay(planned) else {
                throw Refusal("cycles.due_on_working_day: no working day within a year of \(Timestamp.format(planned, in: zone)) "
                    + "(check reminders.working_hours and reminders.holidays)")
            }
            due = moved
        }
        let started = ContinuousClock.now
        let dueAt = due
        var outcome = try await runtime.withDatabase { db in
            try db.openCycle(period: period, openedAt: openedAt, dueAt: dueAt, policy: policy, by: actor, appraisers: appraisers)
        }
        releaseFreedMemory()
        if outcome.created {
            if due != planned {
                outcome.message += "; the due date \(CalendarDate(planned, in: zone)) is not a working day "
                    + "(weekend or holiday), so it moved to \(Timestamp.format(due, in: zone))"
            }
            if early {
                outcome.message += "; opened early, before the period ends on \(period.end)"
            }
            runtime.logger.notice("Evaluation cycle \(period.code) opened with \(outcome.cycle.assignments) assignments", metadata: [
                "message_id": "\(MessageIDs.cycleOpened)", "cycle": "\(period.code)",
                "assignments": "\(outcome.cycle.assignments)", "due": "\(Timestamp.format(outcome.cycle.dueAt, in: zone))",
                "early": "\(early)",
                "duration_ms": "\((ContinuousClock.now - started).wholeMilliseconds)", "peer": "\(actor)",
            ])
        }
        return outcome
    }
}
