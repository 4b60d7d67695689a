import Foundation
import KinerjaDomain
import KinerjaSchedule
import KinerjaStore

extension DaemonConfig {
    /// How outbox messages leave the daemon.
    public enum MailChannel: String, Sendable, Equatable {
        /// Each message is handed to `mail.sendmail` on its stdin.
        case sendmail
        /// Messages are only logged (a dry run): nothing is mailed, messages are marked sent.
        case journal
    }

    /// `mail:` — delivery of the reminder outbox.
    public struct Mail: Sendable, Equatable {
        public var channel: MailChannel = .sendmail
        /// A sendmail-compatible program (absolute path) and its arguments; the message goes to its
        /// stdin with the recipients in its To and Cc headers. The default hands it to
        /// kinerjad-mail.socket, whose unit runs `/usr/sbin/sendmail -t -i` with the network that
        /// kinerjad.service does not have (`PrivateNetwork=yes`).
        public var sendmail = ["/usr/libexec/kinerjad/kinerjad-sendmail"]
        /// The From header: display name and address (the address's domain also names Message-IDs).
        public var fromName = "BKPSDM Kota Bandung"
        public var fromAddress = "kinerjad@localhost"
        /// A sendmail run longer than this is a failed attempt: its process group is killed.
        public var timeout: Duration = .seconds(60)
        /// The wait after the first failed attempt; it doubles after each further failure…
        public var retryBase: Duration = .seconds(300)
        /// … up to this.
        public var retryCap: Duration = .seconds(6 * 3600)
        /// After this many failed attempts a message is dead (logged at warning) until retried by hand.
        public var maxAttempts = 10
        /// The BKPSDM admin who receives the daily digest; no address means no digest message.
        public var adminName = "Admin BKPSDM"
        public var adminAddress: String?
        /// How long a sent message keeps its text: the maintenance job then removes the body (a list
        /// of the colleagues owed a review, who reviews whom) and keeps the rest of the record. `nil`
        /// keeps every text for ever.
        public var keepSentText: Duration? = .seconds(30 * 86_400)
        /// How long a finished message is kept at all: the maintenance job then deletes it, with its
        /// stage marks and follow-up notices, once its cycles and follow-up tasks are closed
        /// (`AppDatabase.removeFinishedMessages`). `nil` keeps every message for ever.
        public var keepMessages: Duration? = .seconds(400 * 86_400)

        /// The From mailbox.
        public var from: MailAddress { MailAddress(name: fromName, email: fromAddress) }

        /// The admin mailbox, when an address is configured.
        public var admin: MailAddress? { adminAddress.map { MailAddress(name: adminName, email: $0) } }

        /// The backoff these settings make.
        public var retryPolicy: OutboxRetryPolicy {
            OutboxRetryPolicy(baseDelay: retryBase, cap: retryCap, maxAttempts: maxAttempts)
        }
    }

    mutating func readMail(from root: ConfigReader) {
        let m = root.section("mail")
        mail.channel = m.choice("channel", default: mail.channel, [("sendmail", .sendmail), ("journal", .journal)])
        if m.has("sendmail") {
            let command = m.list("sendmail", default: mail.sendmail, expected: "a program and its arguments") { $0 }
            if command.isEmpty {
                m.problem("sendmail", "expected a program and its arguments, e.g. [/usr/sbin/sendmail, -t, -i]")
            } else if !command[0].hasPrefix("/") {
                m.problem("sendmail", "the program \"\(command[0])\" must be an absolute path (e.g. /usr/sbin/sendmail or /usr/bin/msmtp)")
            } else {
                mail.sendmail = command
            }
        }
        mail.fromName = m.string("from_name", default: mail.fromName, nonEmpty: false)
        mail.fromAddress = m.value("from_address", default: mail.fromAddress, expected: Self.addressForm) { text in
            MailAddressSyntax.isValid(text) ? text : nil
        }
        mail.timeout = m.duration("timeout", default: mail.timeout)
        mail.retryBase = m.duration("retry_base", default: mail.retryBase)
        mail.retryCap = m.duration("retry_cap", default: mail.retryCap)
        if mail.retryCap < mail.retryBase {
            m.problem("retry_cap", "must be at least retry_base")
        }
        mail.maxAttempts = m.int("max_attempts", default: mail.maxAttempts, range: 1...100)
        mail.keepSentText = Self.retention(m, "keep_sent_text", default: mail.keepSentText, example: "30d", off: "keep every text")
        mail.keepMessages = Self.retention(m, "keep_messages", default: mail.keepMessages, example: "400d", off: "keep every message")
        mail.adminName = m.string("admin_name", default: mail.adminName, nonEmpty: false)
        if m.has("admin_address") {
            let text = m.string("admin_address", default: "", nonEmpty: false)
            if text.isEmpty {
                mail.adminAddress = nil
            } else if MailAddressSyntax.isValid(text) {
                mail.adminAddress = text
            } else {
                m.problem("admin_address", "invalid value \"\(text)\": expected \(Self.addressForm), or \"\" for none")
            }
        }
    }

    /// A retention period under `key`: a time span of at least a day, or `off` (`nil`: keep for ever).
    static func retention(_ m: ConfigReader, _ key: String, default value: Duration?, example: String, off: String) -> Duration? {
        guard m.has(key) else { return value }
        return m.value(key, default: value, expected: "a time span of at least 1d such as \(example), or off (\(off))") { text in
            if text.lowercased() == "off" { return Optional<Duration>.none }
            guard let span = try? TimeSpan.parse(text), !span.isInfinite, span.microseconds >= 86_400_000_000,
                  span.microseconds <= UInt64(Int64.max) else { return nil }
            return .microseconds(Int64(span.microseconds))
        }
    }

    static let addressForm = "an email address such as kinerjad@bandung.go.id"
}
