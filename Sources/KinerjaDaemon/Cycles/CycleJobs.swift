import Foundation
import KinerjaDomain
import KinerjaStore

/// `cycle-open:<kind>`: opens the cycle of the period of that kind which ended most recently before
/// the slot (the quarter just finished, for a slot on the first day of a quarter). Idempotent:
/// opening a period that already has a cycle changes nothing. Does nothing for a kind that is not
/// in `cycles.kinds`.
struct CycleOpenJob: ScheduledJob {
    let runtime: DaemonRuntime
    let kind: PeriodKind
    var name: String { "cycle-open:\(kind.rawValue)" }

    func run(slot: Date) async throws -> String {
        let config = runtime.config.cycles
        guard config.kinds.contains(kind) else {
            return "cycles.kinds does not include \(kind.rawValue); nothing opened"
        }
        let today = CalendarDate(slot, in: config.zone)
        guard let current = Period.containing(today, kind: kind), let period = current.previous else {
            return "no \(kind.rawValue) period before \(today)"
        }
        let outcome = try runtime.database.openCycle(period: period, openedAt: runtime.now(), policy: config.assignmentPolicy,
                                                     by: "scheduler (\(name))")
        if outcome.created {
            runtime.logger.notice("Evaluation cycle \(period.code) opened with \(outcome.cycle.assignments) assignments", metadata: [
                "message_id": "\(MessageIDs.cycleOpened)", "cycle": "\(period.code)",
                "assignments": "\(outcome.cycle.assignments)", "peer": "scheduler",
            ])
            return "opened \(period.code) with \(outcome.cycle.assignments) assignments"
        }
        return "\(period.code) already has a cycle; nothing changed"
    }
}

/// `cycle-close`: closes every open cycle whose due date plus `cycles.close_grace` has passed,
/// computing its results; required reviews still open are recorded in the forced close's reason.
struct CycleCloseJob: ScheduledJob {
    let runtime: DaemonRuntime
    var name: String { "cycle-close" }

    func run(slot: Date) async throws -> String {
        let config = runtime.config
        let now = runtime.now()
        let grace = config.cycles.closeGrace
        let graceSeconds = Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18
        let due = try runtime.database.openCycles().filter { $0.dueAt.addingTimeInterval(graceSeconds) <= now }
        var closed: [String] = []
        for cycle in due {
            try Task.checkCancellation()
            let reason = "closed by the cycle-close job: due \(cycle.dueAt) + cycles.close_grace passed; "
                + "\(cycle.assignments - cycle.submitted) review(s) were still open"
            let outcome = try runtime.database.closeCycle(
                .id(cycle.id), force: true, reason: reason, requiredRoles: Set(config.cycles.requiredRoles),
                policy: config.results.policy, at: now, by: "scheduler (cycle-close)",
                requestingJobs: [MotivationAnalysisJob.jobName])
            if outcome.closed {
                closed.append(cycle.period.code)
                runtime.logger.notice("Evaluation cycle \(cycle.period.code) closed: \(outcome.results) results", metadata: [
                    "message_id": "\(MessageIDs.cycleClosed)", "cycle": "\(cycle.period.code)", "results": "\(outcome.results)",
                    "forced": "true", "reason": "\(reason)", "peer": "scheduler",
                ])
            }
        }
        return closed.isEmpty ? "no open cycle past its due date + \(config.cycles.closeGrace)" : "closed \(closed.joined(separator: ", "))"
    }
}
