import Foundation
import KinerjaStore
import Logging
import KinerjaPausePoints

/// `outbox-delivery`: sends the due outbox messages one by one through the configured channel and
/// records each outcome at once.
///
/// Crash safety. Each attempt is claimed (attempt counted, message marked in flight) in a committed
/// transaction before the program runs, and its outcome is committed right after the program ends,
/// before the next message is claimed. A message recorded as sent is therefore never sent again,
/// whenever the daemon dies. The one window left is between the program's successful exit and the
/// commit of that record (one UPDATE: normally well under a millisecond plus the WAL sync, longer
/// only while another job holds the database writer). A kill -9 in that window leaves the message in
/// flight; the next run sends it again with the same Message-ID (so receivers can recognise the
/// repeat) and logs that the previous attempt was interrupted. While the program runs, a dying
/// daemon takes it along (see `SendmailTransport`), so an unfinished send is not completed behind
/// the database's back.
///
/// A run ends early on SIGTERM (between messages; the message being sent is finished and recorded),
/// after half of `jobs.timeout`, or after five failures in a row (the mail system is probably down;
/// the messages not tried keep their attempts and wait for the next slot).
public struct OutboxDeliveryJob: ScheduledJob {
    public let runtime: DaemonRuntime
    /// Builds the transport of a run from the configuration in force (a reload applies at the next run).
    let makeTransport: @Sendable (DaemonConfig.Mail, Logger) -> any MailTransport
    public var name: String { "outbox-delivery" }

    static let failuresInARowLimit = 5

    public init(runtime: DaemonRuntime,
                makeTransport: @escaping @Sendable (DaemonConfig.Mail, Logger) -> any MailTransport = OutboxDeliveryJob.standardTransport) {
        self.runtime = runtime
        self.makeTransport = makeTransport
    }

    /// The transport `mail.channel` names.
    public static func standardTransport(_ mail: DaemonConfig.Mail, logger: Logger) -> any MailTransport {
        switch mail.channel {
        case .journal: return JournalTransport(logger: logger)
        case .sendmail: return SendmailTransport(command: mail.sendmail, timeout: mail.timeout)
        }
    }

    public func run(slot: Date) async throws -> String {
        let config = runtime.config
        let transport = makeTransport(config.mail, runtime.logger)
        let policy = config.mail.retryPolicy
        let clock = ContinuousClock()
        let budgetEnd = clock.now + config.jobs.timeout / 2
        var sent = 0, failed = 0, dead = 0, failuresInARow = 0
        var stopReason: String?
        while true {
            if Task.isCancelled { stopReason = "stopped by shutdown"; break }
            if clock.now >= budgetEnd { stopReason = "stopped after half of jobs.timeout"; break }
            if failuresInARow >= Self.failuresInARowLimit { stopReason = "stopped after \(failuresInARow) failures in a row"; break }
            guard let claim = try runtime.database.claimNextOutboxMessage(now: runtime.now(), channel: transport.channel) else { break }
            let message = claim.message
            if claim.previousAttemptInterrupted {
                runtime.logger.warning("""
                    Outbox message \(message.id) was being sent when the daemon stopped unexpectedly; sending it again \
                    (same Message-ID, so a copy that did arrive can be recognised)
                    """, metadata: Self.metadata(message, id: MessageIDs.mailInterrupted))
            }
            #if DEBUG
            PausePoint.reach("delivery.claimed")
            #endif
            switch await attempt(message, transport: transport, timeZone: config.cycles.zone, policy: policy) {
            case .sent:
                sent += 1
                #if DEBUG
                PausePoint.reach("delivery.sent-recorded")
                #endif
                failuresInARow = 0
            case .failed:
                failed += 1
                failuresInARow += 1
            case .dead:
                dead += 1
                failuresInARow += 1
            }
        }
        let waiting = try runtime.database.outboxCounts().waiting
        var summary = "\(sent) sent, \(failed) failed (to be retried), \(dead) dead; \(waiting) waiting"
        if let stopReason { summary += "; \(stopReason)" }
        return summary
    }

    enum AttemptResult { case sent, failed, dead }

    /// Renders, delivers and records one claimed message.
    func attempt(_ message: OutboxMessage, transport: any MailTransport, timeZone: TimeZone, policy: OutboxRetryPolicy) async -> AttemptResult {
        let logger = runtime.logger
        let mail = MailMessage(message)
        let text: String
        do {
            text = try mail.rendered(timeZone: timeZone)
        } catch {
            // No retry can fix an address that cannot be written.
            record { try runtime.database.markOutboxDead(id: message.id, error: error.description) }
            logDead(message, error: error.description)
            return .dead
        }
        switch await transport.deliver(mail, text: text, outboxID: message.id) {
        case .delivered:
            #if DEBUG
            PausePoint.reach("delivery.sendmail-exited")
            #endif
            // Recorded before anything else happens: this is the window the type's comment describes.
            record { try runtime.database.markOutboxSent(id: message.id, at: runtime.now()) }
            logger.info("Reminder mail sent to \(message.to.map(\.email).joined(separator: ", ")): \(message.subject)",
                        metadata: Self.metadata(message, id: MessageIDs.mailSent).merging(["channel": "\(transport.channel)"]) { a, _ in a })
            return .sent
        case .failed(let failure):
            var outcome = OutboxFailureOutcome.dead
            record { outcome = try runtime.database.markOutboxFailed(id: message.id, error: failure.description, at: runtime.now(), policy: policy) }
            switch outcome {
            case .retry(let next):
                logger.notice("Reminder mail to \(message.to.map(\.email).joined(separator: ", ")) not sent (attempt \(message.attempts) of \(policy.maxAttempts)): \(failure.summary); retrying at \(AdminService.isoString(next))",
                              metadata: Self.metadata(message, id: MessageIDs.mailFailed).merging([
                                  "error": "\(failure.description)", "next_attempt": "\(AdminService.isoString(next))", "channel": "\(transport.channel)",
                              ]) { a, _ in a })
                return .failed
            case .dead:
                logDead(message, error: failure.description)
                return .dead
            }
        }
    }

    /// A database write whose failure is logged: the attempt stays in flight and is repeated by the
    /// next run, which is the documented crash behaviour.
    func record(_ write: () throws -> Void) {
        do {
            try write()
        } catch {
            runtime.logger.error("Cannot record the outcome of a mail delivery attempt: \(error)")
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
