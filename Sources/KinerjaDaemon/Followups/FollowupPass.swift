import Foundation
import KinerjaDomain
import KinerjaStore
import Logging

/// The follow-up use case: creates tasks from flags, moves them along by the calendar, and tells the
/// atasan (and the unit head and BKPSDM, once escalated) through the outbox. The motivation analysis
/// calls `create` right after writing its flags; the `followup-pass` job runs `run` (all three) and so
/// catches up whatever a crash between two steps left. Every step is idempotent.
struct FollowupPass {
    let runtime: DaemonRuntime

    var policy: FollowupPolicy { runtime.config.followup }

    func today(_ now: Date) -> CalendarDate { CalendarDate(now, in: runtime.config.cycles.zone) }

    /// New tasks for flags that reached `followup.min_severity`; one journal entry each, written after
    /// the commit from the new tasks read back a page at a time (a crash in between loses the entries,
    /// not the tasks). Returns how many.
    func create(now: Date) async throws -> Int {
        let policy = self.policy, today = self.today(now)
        let created = try await runtime.withDatabase { db in try db.createFollowupTasks(policy, today: today, now: now) }
        var after: Int64?
        while created.count > 0 {
            let from = after
            let page = try await runtime.withDatabase { db in try db.followups(created: created, after: from) }
            guard let last = page.last else { break }
            for f in page {
                var metadata = Self.metadata(f)
                metadata["message_id"] = "\(MessageIDs.followupCreated)"
                metadata["due"] = "\(f.due)"
                runtime.logger.notice("Follow-up \(f.id) created for flag \(f.flagID) (\(f.rule.rawValue)): \(f.subject), atasan \(f.appraiser?.description ?? "unknown"), due \(f.due); recommended: \(f.recommendation.name)",
                                      metadata: metadata)
            }
            after = last.id
        }
        _ = try await matchTrainings()
        return created.count
    }

    /// Recommends catalogue courses for the tasks that want training (stalled development, or training
    /// recommended) and have none yet: the courses that build the employee's weakest values over the
    /// flag's window. Nothing while the catalogue is empty; a task whose reviews name no value waits.
    func matchTrainings() async throws -> Int {
        let minimum = runtime.config.motivation.thresholds.anonymityMinimum
        let catalogue = try await runtime.withDatabase { db in try db.trainingCatalogue() }
        guard !catalogue.isEmpty else { return 0 }
        let wanting = try await runtime.withDatabase { db in try db.followupsWantingTraining() }
        var matched = 0
        for f in wanting {
            let means = try await runtime.withDatabase { db in try db.valueMeans(followup: f.id, anonymityMinimum: minimum) }
            let recommendations = TrainingCatalogue.recommend(means, from: catalogue)
            guard !recommendations.isEmpty else { continue }
            try await runtime.withDatabase { db in try db.setFollowupTrainings(f.id, recommendations) }
            matched += 1
        }
        return matched
    }

    /// Overdue, escalated and closed by the calendar; overdue and escalated are journalled.
    func advance(now: Date) async throws -> [FollowupTransition] {
        let policy = self.policy, today = self.today(now)
        let moved = try await runtime.withDatabase { db in try db.advanceFollowups(policy, today: today, now: now) }
        for t in moved where t.to == .overdue || t.to == .escalated {
            var metadata = Self.metadata(t.followup)
            metadata["message_id"] = "\(t.to == .overdue ? MessageIDs.followupOverdue : MessageIDs.followupEscalated)"
            metadata["due"] = "\(t.followup.due)"
            runtime.logger.warning("Follow-up \(t.followup.id) \(t.to == .overdue ? "is overdue" : "escalated to the unit head and the BKPSDM digest"): \(t.followup.subject), atasan \(t.followup.appraiser?.description ?? "unknown"), due \(t.followup.due)",
                                   metadata: metadata)
        }
        return moved
    }

    /// Writes today's messages, in working time only (`reminders.working_hours` and holidays).
    func tell(now: Date) async throws -> EnqueueSummary? {
        let config = runtime.config
        guard config.reminders.policy.isWorkingTime(now) else { return nil }
        let today = self.today(now)
        let telling = FollowupTelling(from: config.mail.from, sender: config.mail.fromName, admin: config.mail.admin,
                                      today: today)
        let start = today.startInstant(in: config.cycles.zone)
        return try await runtime.withDatabase { db in
            try db.tellFollowups(startOfToday: start, digestKey: FollowupTelling.digestKey(today), now: now, compose: telling.messages)
        }
    }

    func run(now: Date) async throws -> String {
        let created = try await create(now: now)
        let moved = try await advance(now: now)
        let told = try await tell(now: now)
        let counts = Dictionary(grouping: moved, by: \.to).mapValues(\.count)
        return "\(created) follow-up(s) created; \(counts[.overdue] ?? 0) overdue, \(counts[.escalated] ?? 0) escalated, "
            + "\(counts[.closed] ?? 0) closed; "
            + (told.map { "\($0.inserted) message(s) written" } ?? "outside working hours, no message written")
    }

    static func metadata(_ f: FollowupRecord) -> Logger.Metadata {
        ["followup_id": "\(f.id)", "flag_id": "\(f.flagID)", "nip": "\(f.subject)", "unit": "\(f.unit ?? "-")",
         "appraiser": "\(f.appraiser?.description ?? "-")", "rule": "\(f.rule.rawValue)"]
    }
}

/// The `followup-pass` job.
struct FollowupPassJob: ScheduledJob {
    static let jobName = "followup-pass"
    let runtime: DaemonRuntime
    var name: String { Self.jobName }

    func run(slot: Date) async throws -> String {
        try await FollowupPass(runtime: runtime).run(now: runtime.now())
    }
}
