import Foundation
import Logging

/// Hands one rendered message to the outside world. Implementations never throw for a failed
/// delivery: they return it, with what the operator needs to know.
public protocol MailTransport: Sendable {
    /// The channel recorded with each attempt: `sendmail` or `journal`.
    var channel: String { get }
    /// Delivers `text` (the whole RFC 5322 message, LF line endings) as `attempt`. Must not block the
    /// caller's thread for long: the waiting happens elsewhere.
    func deliver(_ message: MailMessage, text: String, attempt: DeliveryAttempt) async -> DeliveryOutcome
    /// What became of an attempt that was under way when the daemon died (called by the next run,
    /// before anything is sent). Default: `.untracked`.
    func recover(_ attempt: DeliveryAttempt) async -> InterruptedAttempt
    /// Forgets an attempt whose outcome is recorded (removes what it kept of it). Default: nothing.
    func finish(_ attempt: DeliveryAttempt)
    /// Removes what is kept of attempts that are over, whatever their message; returns them.
    /// Called at the start of a delivery run, after `recover`. Default: nothing.
    func removeLeftovers() -> [DeliveryAttempt]
}

extension MailTransport {
    public func recover(_ attempt: DeliveryAttempt) async -> InterruptedAttempt { .untracked }
    public func finish(_ attempt: DeliveryAttempt) {}
    public func removeLeftovers() -> [DeliveryAttempt] { [] }
}

/// What `MailTransport.recover` found of an interrupted attempt.
public enum InterruptedAttempt: Sendable, Equatable {
    /// The channel keeps no trace of attempts (the journal channel): it is simply made again.
    case untracked
    /// The attempt never started its program: nothing can have been sent.
    case notStarted
    /// The program ended and its outcome was recorded; `waited` when the daemon had to wait for it.
    case finished(DeliveryOutcome, waited: Bool)
    /// The program was started and nothing tells how it ended (its runner was killed too): the
    /// message may or may not have reached the mail system.
    case unknown
}

/// One delivery attempt of one outbox message: the outbox id and the attempt's number (the message's
/// `attempts` once the attempt is claimed). Names the attempt's files in the sendmail spool.
public struct DeliveryAttempt: Sendable, Hashable, CustomStringConvertible {
    public var outboxID: Int64
    public var number: Int

    public init(outboxID: Int64, number: Int) {
        self.outboxID = outboxID
        self.number = number
    }

    /// `<outbox id>.<attempt>`, the stem of the attempt's file names.
    public var description: String { "\(outboxID).\(number)" }
}

/// The result of one delivery attempt.
public enum DeliveryOutcome: Sendable, Equatable {
    case delivered
    case failed(DeliveryFailure)
}

/// Why an attempt failed: how the program ended and what it printed.
public struct DeliveryFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The program exited with a non-zero status.
        case exitStatus = "exit_status"
        /// The program was killed by a signal it did not expect from us.
        case signal
        /// The program ran past `mail.timeout`; its process group was killed.
        case timeout
        /// The program could not be started.
        case spawn
        /// The program exited 0 without reading the whole message.
        case incompleteInput = "incomplete_input"
        /// The message could not be made ready (its personal links could not be stored); the
        /// program was not started.
        case preparation
    }

    public var kind: Kind
    /// How it ended, e.g. `/usr/sbin/sendmail exited with status 75 (EX_TEMPFAIL)`.
    public var summary: String
    /// The program's stderr and stdout (trimmed, at most a few KiB).
    public var output: String

    public init(kind: Kind, summary: String, output: String = "") {
        self.kind = kind
        self.summary = summary
        self.output = output
    }

    public var description: String { output.isEmpty ? summary : "\(summary): \(output)" }
}

/// The `journal` channel: logs the message instead of mailing it (dry runs, or a site without
/// mail). The message counts as sent; its full text is in the entry's KINERJA_BODY field.
public struct JournalTransport: MailTransport {
    public static let channelName = "journal"
    public let logger: Logger
    public var channel: String { Self.channelName }

    public init(logger: Logger) {
        self.logger = logger
    }

    public func deliver(_ message: MailMessage, text: String, attempt: DeliveryAttempt) async -> DeliveryOutcome {
        logger.notice("Reminder mail logged, not mailed (journal channel): \(message.subject)", metadata: [
            "message_id": "\(MessageIDs.mailLogged)",
            "outbox_id": "\(attempt.outboxID)",
            "to": "\(message.to.map(\.description).joined(separator: ", "))",
            "cc": "\(message.cc.map(\.description).joined(separator: ", "))",
            "subject": "\(message.subject)",
            "body": "\(message.body)",
            "mail_message_id": "<\(message.messageID)>",
        ])
        return .delivered
    }
}
