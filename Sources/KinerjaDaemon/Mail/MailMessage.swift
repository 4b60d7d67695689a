import Foundation
import KinerjaDomain
import KinerjaStore

/// An RFC 5322 message as kinerjad sends it: plain UTF-8 text, quoted-printable, marked as
/// automatically generated (RFC 3834) so that vacation responders stay quiet.
public struct MailMessage: Sendable, Equatable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var subject: String
    public var body: String
    /// The Date header: when the message was written (RFC 5322 §3.6.1), the same for every attempt.
    public var date: Date
    /// The Message-ID header without angle brackets, e.g. `kinerjad.4f…@bandung.go.id`.
    public var messageID: String

    public init(from: MailAddress, to: [MailAddress], cc: [MailAddress] = [], subject: String, body: String,
                date: Date, messageID: String) {
        self.from = from
        self.to = to
        self.cc = cc
        self.subject = subject
        self.body = body
        self.date = date
        self.messageID = messageID
    }

    /// The message of an outbox row, its `{tautan}` slot shown as `ReviewLinkSlot.displayText` (the
    /// delivery puts the links in; see `ReminderLinks`).
    public init(_ outbox: OutboxMessage) {
        self.init(from: outbox.from, to: outbox.to, cc: outbox.cc, subject: outbox.subject, body: ReviewLinkSlot.display(outbox.body),
                  date: outbox.createdAt, messageID: outbox.messageID)
    }

    /// The whole message, headers and body, with LF line endings (sendmail's stdin convention), the
    /// Date in `timeZone`. Pure ASCII.
    /// - Throws: `MailRenderError` naming the field and address that cannot be written.
    public func rendered(timeZone: TimeZone) throws(MailRenderError) -> String {
        guard !to.isEmpty else { throw MailRenderError(field: "To", address: "", reason: "no recipient") }
        for (field, list) in [("From", [from]), ("To", to), ("Cc", cc)] {
            for address in list {
                if let problem = MailAddressSyntax.problem(address.email) {
                    throw MailRenderError(field: field, address: address.email, reason: problem)
                }
            }
        }
        // msg-id is `id-left@id-right`; the dot-atom form kinerjad writes has an address's syntax.
        if let problem = MailAddressSyntax.problem(messageID) {
            throw MailRenderError(field: "Message-ID", address: messageID, reason: problem)
        }
        var headers = [
            "Date: " + Self.dateText(date, timeZone: timeZone),
            HeaderEncoding.addressList("From", [from]),
            HeaderEncoding.addressList("To", to),
        ]
        if !cc.isEmpty { headers.append(HeaderEncoding.addressList("Cc", cc)) }
        headers += [
            HeaderEncoding.unstructured("Subject", subject),
            "Message-ID: <\(messageID)>",
            "Auto-Submitted: auto-generated",
            // Outlook and Exchange ignore Auto-Submitted; this keeps their out-of-office replies away.
            "X-Auto-Response-Suppress: All",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: quoted-printable",
        ]
        var text = headers.joined(separator: "\n") + "\n\n" + QuotedPrintable.encode(body)
        if !text.hasSuffix("\n") { text += "\n" }
        return text
    }

    /// RFC 5322 date-time: `Tue, 03 Mar 2026 09:00:00 +0700`.
    static func dateText(_ date: Date, timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}

/// A message that cannot be written: no retry can cure it, so its outbox row dies at once.
public struct MailRenderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The header concerned (From, To, Cc, Message-ID).
    public var field: String
    public var address: String
    public var reason: String

    public var description: String { "cannot write the \(field) header: '\(address)': \(reason)" }
}
