import Foundation
import KinerjaDomain
import KinerjaStore
import Synchronization
import Logging

/// `motivation-analysis`: runs the six low-motivation rules over the closed cycles and
/// writes the findings as flags. Daily by schedule, and after every cycle close.
///
/// A run is dated: the flags it raises, escalates or clears and the follow-up tasks it creates carry
/// its instant (and the tasks' due dates count from it). A scheduled or manual run is dated now; the
/// run a close starts is dated at the close, so a replay of past periods (`kinerjactl demo load`,
/// `cycles close --closed-at`) dates each period's flags and tasks at that period's close and not at
/// the day of the replay.
///
/// Idempotent: a second run over the same data adds no flag, no event and no journal entry. Loading
/// and analysing happen off the concurrency pool; the write is one transaction, so a shutdown
/// between the steps leaves the flags as they were.
///
/// The journal entries for the flags created and escalated are written after the commit, from the
/// run's `flag_event` rows read back a page at a time (created ones first, then escalations, each in
/// the order made), so the run holds a page of flags, not all it raised. A crash after the commit and
/// before they are written loses those entries (the flags and their events are in the database, and
/// the next run, finding them, journals nothing again); the follow-up tasks are then created by the
/// next `followup-pass`.
struct MotivationAnalysisJob: ScheduledJob {
    static let jobName = "motivation-analysis"
    let runtime: DaemonRuntime
    var name: String { Self.jobName }

    func run(slot: Date) async throws -> String {
        try await analyse(at: runtime.now())
    }

    func run(slot: Date, asOf: Date) async throws -> String {
        try await analyse(at: min(asOf, runtime.now()))
    }

    /// The run dated `now`.
    func analyse(at now: Date) async throws -> String {
        let config = runtime.config
        let thresholds = config.motivation.thresholds
        let asOf = CalendarDate(now, in: config.cycles.zone)
        let clock = ContinuousClock()
        // Read and analysed one person at a time, each batch of 2,048 people's findings written as it
        // is found, in one transaction (`analyseAndApply`): the process holds one batch of findings,
        // not every employee's history nor the run's findings.
        // A stop (the task cancelled) is seen between two batches: the run's transaction rolls back and
        // the daemon need not wait for the rest of it (about 10 s at 250,000 employees).
        let start = clock.now
        let stop = StopRequest()
        let (run, outcome) = try await withTaskCancellationHandler {
            try await runtime.withDatabase { database in
                try database.analyseAndApply(periods: thresholds.historyPeriods, thresholds: thresholds, asOf: asOf, at: now,
                                             records: false, stopped: { stop.isRequested })
            }
        } onCancel: {
            stop.request()
        }
        let took = clock.now - start
        let read = run.kinds.map { k in
            "\(k.closedPeriods.count) \(k.kind.rawValue) period(s)"
                + (k.closedPeriods.isEmpty ? "" : " (\(PeriodWindow(start: k.closedPeriods.first!, end: k.closedPeriods.last!)))")
                + " of \(k.subjects) subjects"
        }.joined(separator: ", ")
        releaseFreedMemory()
        try await journal(outcome)
        let followups = try await FollowupPass(runtime: runtime).create(now: now)
        return "read \(read.isEmpty ? "no closed cycle" : read); " + outcome.summary
            + "; \(followups) follow-up(s) created; load, rules and write \(took.wholeMilliseconds) ms"
    }

    /// One entry per flag the run created, then one per escalation, read back a page at a time.
    func journal(_ outcome: FlagUpdateOutcome) async throws {
        for action in [FlagRunEvent.Action.created, .escalated] {
            var after: Int64?
            while true {
                let from = after
                let page = try await runtime.withDatabase { db in try db.flagRunEvents(outcome, action, after: from) }
                guard let last = page.last else { break }
                for event in page {
                    if action == .created {
                        journalNew(event.flag)
                    } else {
                        journalEscalation(event.flag, from: event.from ?? .info)
                    }
                }
                after = last.eventID
            }
        }
    }

    /// PRIORITY by severity: info → notice (5), warning → warning (4), critical → error (3).
    static func level(_ severity: FlagSeverity) -> Logger.Level {
        switch severity {
        case .info: return .notice
        case .warning: return .warning
        case .critical: return .error
        }
    }

    static func metadata(_ flag: FlagRecord) -> Logger.Metadata {
        [
            "nip": "\(flag.nip)", "unit": "\(flag.unit ?? "-")", "rule": "\(flag.rule.rawValue)",
            "severity": "\(flag.severity.rawValue)", "flag_id": "\(flag.id)", "follow_up": "\(flag.followUp.rawValue)",
            "window": "\(flag.window)",
        ]
    }

    func journalNew(_ flag: FlagRecord) {
        var metadata = Self.metadata(flag)
        metadata["message_id"] = "\(MessageIDs.flagRaised(flag.rule))"
        let who = flag.rule.flagsReviewer ? "reviewer \(flag.nip)" : "\(flag.nip)"
        runtime.logger.log(level: Self.level(flag.severity),
                           "Motivation flag \(flag.id) (\(flag.severity.rawValue)): \(flag.rule.title) — \(who), unit \(flag.unit ?? "-"), \(flag.window); follow-up: \(flag.followUp.name)",
                           metadata: metadata)
    }

    func journalEscalation(_ flag: FlagRecord, from: FlagSeverity) {
        var metadata = Self.metadata(flag)
        metadata["message_id"] = "\(MessageIDs.flagEscalated)"
        metadata["previous_severity"] = "\(from.rawValue)"
        runtime.logger.log(level: Self.level(flag.severity),
                           "Motivation flag \(flag.id) escalated from \(from.rawValue) to \(flag.severity.rawValue): \(flag.rule.title) — \(flag.nip), unit \(flag.unit ?? "-"); follow-up: \(flag.followUp.name)",
                           metadata: metadata)
    }
}

/// A stop asked of work that runs on a database thread, outside the task that wants it stopped (the
/// task's own cancellation cannot be read there).
final class StopRequest: Sendable {
    private let requested = Atomic<Bool>(false)

    var isRequested: Bool { requested.load(ordering: .relaxed) }

    func request() { requested.store(true, ordering: .relaxed) }
}
