import Foundation
import KinerjaDomain
import KinerjaStore

/// `cycle-open:<kind>`: opens the cycle of the period of that kind which ended most recently before
/// the slot (the quarter just finished, for a slot on the first day of a quarter), through
/// `OpenCycle`, never early. Idempotent: opening a period that already has a cycle changes nothing. A kind that
/// is not in `cycles.kinds` is refused as it is for an admin, so the run fails and says why.
struct CycleOpenJob: ScheduledJob {
    let runtime: DaemonRuntime
    let kind: PeriodKind
    var name: String { "cycle-open:\(kind.rawValue)" }

    func run(slot: Date) async throws -> String {
        let today = CalendarDate(slot, in: runtime.config.cycles.zone)
        guard let current = Period.containing(today, kind: kind), let period = current.previous else {
            return "no \(kind.rawValue) period before \(today)"
        }
        let outcome = try await OpenCycle(runtime: runtime)(period, openedAt: runtime.now(), early: false,
                                                             by: "scheduler (\(name))")
        return outcome.created
            ? "opened \(period.code) with \(outcome.cycle.assignments) assignments"
            : "\(period.code) already has a cycle; nothing changed"
    }
}

/// `cycle-close`: closes, through `CloseCycle`, every open cycle whose due date plus
/// `cycles.close_grace` has passed; required reviews still open are recorded in the forced close's
/// reason.
struct CycleCloseJob: ScheduledJob {
    let runtime: DaemonRuntime
    var name: String { "cycle-close" }

    func run(slot: Date) async throws -> String {
        let now = runtime.now()
        let grace = runtime.config.cycles.closeGrace
        let due = try await runtime.withDatabase { db in try db.openCycles() }
            .filter { $0.dueAt.addingTimeInterval(grace.inSeconds) <= now }
        let close = CloseCycle(runtime: runtime)
        var closed: [String] = []
        for cycle in due {
            try Task.checkCancellation()
            let reason = "closed by the cycle-close job: due \(Timestamp.format(cycle.dueAt, in: runtime.config.cycles.zone)) "
                + "+ cycles.close_grace passed; \(cycle.assignments - cycle.submitted) review(s) were still open"
            let outcome = try await close(.id(cycle.id), force: true, reason: reason, closedAt: now, by: "scheduler (\(name))")
            if outcome.closed { closed.append(cycle.period.code) }
        }
        return closed.isEmpty ? "no open cycle past its due date + \(grace)" : "closed \(closed.joined(separator: ", "))"
    }
}
