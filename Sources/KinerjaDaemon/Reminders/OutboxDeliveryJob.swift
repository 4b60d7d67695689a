import Foundation
import KinerjaDomain
import KinerjaPausePoints
import KinerjaStore
import Logging

/// `outbox-delivery`: sends the due outbox messages one by one through the configured channel and
/// records each outcome at once.
///
/// Crash safety: every due message reaches the mail system once. Each attempt is claimed (attempt
/// counted, message marked in flight) in a committed transaction before its program starts, and its
/// outcome is committed right after the program ends, before the next message is claimed; a message
/// recorded as sent is never sent again. The sendmail program runs detached from the daemon under a
/// runner that records the exit status in the attempt's spool files (see `SendmailTransport`,
/// `SendmailSpool`), so a daemon killed while it runs, or after it ended but before the commit, does
/// not lose the outcome: every run starts by resolving the messages left in flight, before anything
/// is sent. A status file is adopted (sent; or failed, with the usual backoff); a runner still holding
/// the attempt's lock is waited for; an attempt that never started its program is simply made. Only
/// when the runner is gone without a status is the outcome unknown: the message is sent again with
/// the same Message-ID and a warning (`MessageIDs.mailOutcomeUnknown`) says a copy may have arrived.
///
/// The window that remains is therefore the runner's own death between the mail system's acceptance
/// and its status write (a few milliseconds of sed, sync and mv), or during the send: a reboot or power
/// loss, the OOM killer choosing the runner or the program, or systemd killing what is left of the unit
/// (SIGKILL after TimeoutStopSec when a send is still under way, or a cgroup-wide kill such as
/// `systemctl kill --signal=KILL`, systemd-oomd). With the unit's KillMode=control-group, a daemon that
/// dies alone (killed, watchdog, crash) gets its runner a SIGTERM, which it ignores, so the send
/// finishes and is recorded before systemd restarts the daemon. The journal channel keeps no state: an
/// interrupted attempt is logged again (`MessageIDs.mailInterrupted`).
///
/// A run ends early on SIGTERM (between messages; the message being sent is finished and recorded),
/// after half of `jobs.timeout`, or after five failures in a row (the mail system is probably down;
/// the messages not tried keep their attempts and wait for the next slot).
public struct OutboxDeliveryJob: ScheduledJob {
    public let runtime: DaemonRuntime
    /// Builds the transport of a run from the configuration in force (a reload applies at the next run).
    let makeTransport: @Sendable (DaemonConfig, Logger) -> any MailTransport
    public var name: String { "outbox-delivery" }

    static let failuresInARowLimit = 5

    public init(runtime: DaemonRuntime,
                makeTransport: @escaping @Sendable (DaemonConfig, Logger) -> any MailTransport = OutboxDeliveryJob.standardTransport) {
        self.runtime = runtime
        self.makeTransport = makeTransport
    }

    /// The transport `mail.channel` names; the sendmail spool is the `outbox` directory beside the
    /// database (in the unit's StateDirectory).
    public static func standardTransport(_ config: DaemonConfig, logger: Logger) -> any MailTransport {
        switch config.mail.channel {
        case .journal: return JournalTransport(logger: logger)
        case .sendmail:
            return SendmailTransport(command: config.mail.sendmail, timeout: config.mail.timeout,
                                     spool: SendmailSpool(databasePath: config.database.path))
        }
    }

    public func run(slot: Date) async throws -> String {
        let config = runtime.config
        let transport = makeTransport(config, runtime.logger)
        let policy = config.mail.retryPolicy
        let clock = ContinuousClock()
        let budgetEnd = clock.now + config.jobs.timeout / 2
        var sent = 0, failed = 0, dead = 0, failuresInARow = 0
        var stopReason: String?
        func count(_ result: AttemptResult) {
            switch result {
            case .sent:
                sent += 1
                failuresInARow = 0
            case .failed:
                failed += 1
                failuresInARow += 1
            case .dead:
                dead += 1
                failuresInARow += 1
            }
        }
        // First the attempts a dead daemon left behind, then the left-over files.
        var resolved = Set<Int64>()
        for message in try await runtime.withDatabase({ db in try db.inFlightOutboxMessages() }) {
            switch await resolveInterrupted(message, transport: transport, policy: policy) {
            case .recorded(let result): count(result)
            case .sendAgain: resolved.insert(message.id)
            case .untracked: break
            }
        }
        let leftovers = transport.removeLeftovers()
        if !leftovers.isEmpty {
            runtime.logger.debug("Removed the spool files of \(leftovers.count) finished attempt(s): \(leftovers.map(\.description).joined(separator: ", "))")
        }
        while true {
            if Task.isCancelled { stopReason = "stopped by shutdown"; break }
            if clock.now >= budgetEnd { stopReason = "stopped after half of jobs.timeout"; break }
            if failuresInARow >= Self.failuresInARowLimit { stopReason = "stopped after \(failuresInARow) failures in a row"; break }
            let now = runtime.now(), channel = transport.channel
            guard let claim = try await runtime.withDatabase({ db in try db.claimNextOutboxMessage(now: now, channel: channel) }) else { break }
            let message = claim.message
            if claim.previousAttemptInterrupted && !resolved.contains(message.id) {
                runtime.logger.warning("""
                    Outbox message \(message.id) was being sent when the daemon stopped unexpectedly; sending it again \
                    (same Message-ID, so a copy that did arrive can be recognised)
                    """, metadata: Self.metadata(message, id: MessageIDs.mailInterrupted))
            }
            #if DEBUG
            PausePoint.reach("delivery.claimed")
            #endif
            count(await attempt(message, transport: transport, timeZone: config.cycles.zone, policy: policy))
        }
        let waiting = try await runtime.withDatabase { db in try db.outboxCounts().waiting }
        var summary = "\(sent) sent, \(failed) failed (to be retried), \(dead) dead; \(waiting) waiting"
        if let stopReason { summary += "; \(stopReason)" }
        return summary
    }

    enum AttemptResult { case sent, failed, dead }

    /// Renders, delivers and records one claimed message.
    func attempt(_ message: OutboxMessage, transport: any MailTransport, timeZone: TimeZone, policy: OutboxRetryPolicy) async -> AttemptResult {
        // An empty body would go out as if it were the message: no retry brings a lost text back.
        guard message.hasText else {
            let reason = "its text is missing from the database (no outbox_text row)"
            await record { db in try db.markOutboxDead(id: message.id, error: reason) }
            logDead(message, error: reason)
            return .dead
        }
        var mail = MailMessage(message)
        let attempt = DeliveryAttempt(outboxID: message.id, number: message.attempts)
        // The personal links (a reviewer's, an atasan's follow-up page) are made now, for the text that
        // leaves; the journal channel (a dry run) logs the message with its slots shown, and makes none.
        if transport.channel != JournalTransport.channelName {
            do {
                let reviews = try await ReminderLinks(runtime: runtime).body(of: message)
                mail.body = try await FollowupLinks(runtime: runtime).fill(reviews, of: message)
            } catch {
                let failure = DeliveryFailure(kind: .preparation, summary: "the message's personal links could not be stored",
                                              output: runtime.describe(error))
                return await record(.failed(failure), of: message, attempt: attempt, transport: transport, policy: policy)
            }
        }
        let text: String
        do {
            text = try mail.rendered(timeZone: timeZone)
        } catch {
            // No retry can fix an address that cannot be written.
            let reason = error.description
            await record { db in try db.markOutboxDead(id: message.id, error: reason) }
            logDead(message, error: error.description)
            return .dead
        }
        let outcome = await transport.deliver(mail, text: text, attempt: attempt)
        return await record(outcome, of: message, attempt: attempt, transport: transport, policy: policy)
    }

    enum Resolution: Equatable {
        /// The attempt's outcome was found and recorded.
        case recorded(AttemptResult)
        /// Left in flight for the claim that follows, which sends it again (any warning is logged).
        case sendAgain
        /// The channel knows nothing of it: the claim sends it again with the generic warning.
        case untracked
    }

    /// Resolves a message found in flight at the start of a run: adopts the outcome its attempt left,
    /// or leaves it in flight for the claim that follows.
    func resolveInterrupted(_ message: OutboxMessage, transport: any MailTransport, policy: OutboxRetryPolicy) async -> Resolution {
        let attempt = DeliveryAttempt(outboxID: message.id, number: message.attempts)
        switch await transport.recover(attempt) {
        case .untracked:
            return .untracked
        case .notStarted:
            runtime.logger.debug("Outbox message \(message.id): attempt \(attempt.number) never started its program; it is made again")
            transport.finish(attempt)
            return .sendAgain
        case .unknown:
            runtime.logger.warning("""
                Outbox message \(message.id): the daemon and the sendmail runner of attempt \(attempt.number) were stopped while it ran, \
                so whether the mail system took it is unknown; sending it again (same Message-ID, so a copy that did arrive can be recognised)
                """, metadata: Self.metadata(message, id: MessageIDs.mailOutcomeUnknown))
            transport.finish(attempt)
            return .sendAgain
        case .finished(let outcome, let waited):
            runtime.logger.info("Outbox message \(message.id): taking the outcome of attempt \(attempt.number) from its sendmail runner\(waited ? " (waited for it to finish)" : "")")
            return .recorded(await record(outcome, of: message, attempt: attempt, transport: transport, policy: policy))
        }
    }

    /// Commits the outcome of an attempt and logs it; then (only once committed) the transport forgets
    /// the attempt. A commit that fails keeps the attempt's files, so the next run adopts the outcome.
    func record(_ outcome: DeliveryOutcome, of message: OutboxMessage, attempt: DeliveryAttempt, transport: any MailTransport,
                policy: OutboxRetryPolicy) async -> AttemptResult {
        let logger = runtime.logger
        switch outcome {
        case .delivered:
            // Recorded before anything else happens.
            #if DEBUG
            PausePoint.reach("delivery.sendmail-exited")
            #endif
            let sentAt = runtime.now()
            let committed = await record { db in try db.markOutboxSent(id: message.id, at: sentAt) } != nil
            #if DEBUG
            PausePoint.reach("delivery.sent-recorded")
            #endif
            if committed { transport.finish(attempt) }
            logger.info("Reminder mail sent to \(message.to.map(\.email).joined(separator: ", ")): \(message.subject)",
                        metadata: Self.metadata(message, id: MessageIDs.mailSent).merging(["channel": "\(transport.channel)"]) { a, _ in a })
            return .sent
        case .failed(let failure):
            let failedAt = runtime.now(), reason = failure.description
            let stored = await record { db in try db.markOutboxFailed(id: message.id, error: reason, at: failedAt, policy: policy) }
            if stored != nil { transport.finish(attempt) }
            switch stored ?? .dead {
            case .retry(let next):
                let retryAt = Timestamp.format(next, in: runtime.config.cycles.zone)
                logger.notice("Reminder mail to \(message.to.map(\.email).joined(separator: ", ")) not sent (attempt \(message.attempts) of \(policy.maxAttempts)): \(failure.summary); retrying at \(retryAt)",
                              metadata: Self.metadata(message, id: MessageIDs.mailFailed).merging([
                                  "error": "\(failure.description)", "next_attempt": "\(retryAt)", "channel": "\(transport.channel)",
                              ]) { a, _ in a })
                return .failed
            case .dead:
                logDead(message, error: failure.description)
                return .dead
            }
        }
    }

    /// A database write whose failure is logged: the attempt stays in flight and the next run resolves
    /// it again (from the attempt's files, which are kept). Returns what the write returned, or nil
    /// when it was not committed.
    @discardableResult
    func record<T: Sendable>(_ write: @escaping @Sendable (AppDatabase) throws -> T) async -> T? {
        do {
            return try await runtime.withDatabase(write)
        } catch {
            runtime.logger.error("Cannot record the outcome of a mail delivery attempt: \(runtime.describe(error))")
            return nil
        }
    }

    func logDead(_ message: OutboxMessage, error: String) {
        runtime.logger.warning("""
            Reminder mail to \(message.to.map(\.email).joined(separator: ", ")) given up after \(message.attempts) attempt(s): \(error). \
            Fix the cause, then: kinerjactl reminders retry \(message.id)
            """, metadata: Self.metadata(message, id: MessageIDs.mailDead).merging(["error": "\(error)"]) { a, _ in a })
    }

    /// The KINERJA_* fields of a message's journal entries.
    static func metadata(_ message: OutboxMessage, id: String) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "message_id": "\(id)",
            "outbox_id": "\(message.id)",
            "outbox_key": "\(message.idempotencyKey)",
            "kind": "\(message.kind)",
            "to": "\(message.to.map(\.description).joined(separator: ", "))",
            "subject": "\(message.subject)",
            "attempts": "\(message.attempts)",
            "mail_message_id": "<\(message.messageID)>",
        ]
        if !message.cc.isEmpty { metadata["cc"] = "\(message.cc.map(\.description).joined(separator: ", "))" }
        if let nip = message.recipientNIP { metadata["nip"] = "\(nip)" }
        return metadata
    }
}
