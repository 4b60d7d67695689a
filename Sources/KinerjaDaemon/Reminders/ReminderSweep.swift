import Foundation
import KinerjaDomain
import KinerjaStore
import Logging
import KinerjaPausePoints

/// The reminder sweep, the one implementation behind `PreviewReminders`, `SendReminders` and the
/// `reminder-sweep` job: reads what is owed, asks the pure `ReminderPlanner` what to send at `now`, and
/// writes one outbox message per recipient together with the (assignment, stage) marks in the same
/// transaction. Re-running it, or a crash at any point, never writes a second reminder for a stage.
struct ReminderSweep {
    let runtime: DaemonRuntime

    var planner: ReminderPlanner { runtime.config.reminderPlanner }

    /// What the sweep would send at `now`, writing nothing, planned one batch of reviewers at a time:
    /// each batch is read and planned in its own read transaction and its own turn of the heavy-read
    /// limiter, and its messages go to `each` (with the reviewers deferred so far) before the next
    /// batch is read; the admin digest (if due) comes last. Memory: the owed reviews of the batches
    /// read ahead (`ReminderReadAhead`), one batch of messages, and the admin digest's lists. The plan
    /// returned has no messages.
    func preview(at now: Date, each: ([PlannedMessage], _ deferred: Int) async throws -> Void) async throws -> ReminderPlan {
        let planner = self.planner, runtime = self.runtime
        var state = planner.begin(now: now)
        var readAhead = ReminderReadAhead()
        var done = false
        repeat {
            let (previous, ahead) = (state, readAhead)
            let step = try await runtime.wholeCycleReads.run {
                try await runtime.withDatabase { db in try db.previewReminderBatch(planner, readAhead: ahead, state: previous) }
            }
            (state, readAhead, done) = (step.state, step.readAhead, step.done)
            try await each(step.messages, state.deferredCount)
        } while !done
        let final = state
        let (digest, plan) = try await runtime.withDatabase { db in try db.previewReminderFinish(planner, state: final) }
        try await each(digest, plan.waitingForTomorrow)
        return plan
    }

    /// Plans and enqueues in one write transaction.
    func run(now: Date) async throws -> (plan: ReminderPlan, summary: EnqueueSummary) {
        let planner = self.planner, from = runtime.config.mail.from
        let outcome = try await runtime.withDatabase { db in try db.sweepReminders(planner, from: from, now: now) }
        #if DEBUG
        PausePoint.reach("sweep.after-commit")
        #endif
        return outcome
    }
}

/// The `reminder-sweep` job.
struct ReminderSweepJob: ScheduledJob {
    let runtime: DaemonRuntime
    var name: String { "reminder-sweep" }

    func run(slot: Date) async throws -> String {
        let now = runtime.now()
        let (plan, summary) = try await ReminderSweep(runtime: runtime).run(now: now)
        guard plan.isWorkingTime else {
            let zone = runtime.config.cycles.zone
            return "outside working hours; nothing sent (next working time "
                + "\(plan.nextWorkingInstant.map { Timestamp.format($0, in: zone) } ?? "none"))"
        }
        // The first people by NIP (`ReminderPlan.missingListed`); the message counts all of them.
        for missing in plan.missingAddresses {
            runtime.logger.notice("No email address; reported in the admin digest instead", metadata: [
                "nip": "\(missing.nip)", "role": "\(missing.role.rawValue)",
            ])
        }
        return "\(summary.inserted) message(s) written with \(summary.marks) stage mark(s); "
            + "\(summary.duplicates + summary.alreadyReminded) already written; \(plan.waitingForTomorrow) deferred to tomorrow "
            + "(one message a day); \(plan.peopleWithoutAddressCount) people without an email address (in the admin digest)"
    }
}

extension DaemonConfig {
    /// The reminder planner the sweep uses with this config: the `reminders` policy and templates,
    /// `mail.from_name` as the sender, `mail.admin_address` for the admin digest.
    public var reminderPlanner: ReminderPlanner {
        ReminderPlanner(policy: reminders.policy, templates: reminders.templates,
                        sender: mail.fromName, adminAddress: mail.admin)
    }
}
