import Foundation
import GRDB
import KinerjaDomain

/// Where an outbox message is in its life (column `outbox.status`).
public enum OutboxStatus: String, Sendable, Codable, CaseIterable {
    /// Written, not yet tried.
    case pending
    /// An attempt failed; it is tried again at `nextAttemptAt`.
    case failed
    /// Handed to the mail system (sendmail exited 0) or logged by the journal channel.
    case sent
    /// Every allowed attempt failed (or the message cannot be rendered); only an admin's retry revives it.
    case dead
}

/// A message to write into the outbox, as the reminder sweep decides it.
public struct OutboxDraft: Sendable, Hashable {
    /// Unique per message: writing a draft whose key is already stored writes nothing. The sweep uses
    /// `reminder/<NIP>/<local date>` (one message per recipient per day) and `admin-digest/<local date>`.
    public var idempotencyKey: String
    /// `reminder`, `escalation`, `admin_digest` (free text, shown by `kinerjactl reminders list`).
    public var kind: String
    /// The employee addressed, for the one-message-a-day rule; `nil` for the admin digest.
    public var recipientNIP: String?
    public var from: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var subject: String
    public var body: String
    /// The (assignment, stage) pairs this message reminds; recorded with it in the same transaction.
    public var marks: [ReminderStageKey]

    public init(idempotencyKey: String, kind: String, recipientNIP: String?, from: MailAddress, to: [MailAddress],
                cc: [MailAddress] = [], subject: String, body: String, marks: [ReminderStageKey] = []) {
        self.idempotencyKey = idempotencyKey
        self.kind = kind
        self.recipientNIP = recipientNIP
        self.from = from
        self.to = to
        self.cc = cc
        self.subject = subject
        self.body = body
        self.marks = marks
    }
}

/// What `Outbox.enqueue` did with one draft.
public enum EnqueueResult: Sendable, Equatable {
    /// Written, with the number of its marks that were new (marks already recorded are skipped).
    case inserted(id: Int64, newMarks: Int)
    /// A message with the same idempotency key exists (its id); nothing was written.
    case duplicate(existingID: Int64)
    /// Every mark of the draft is already recorded (those stages were reminded before); nothing written.
    case alreadyReminded
}

/// Totals of `Outbox.enqueue(_ drafts:…)`.
public struct EnqueueSummary: Sendable, Equatable {
    public var inserted = 0
    public var duplicates = 0
    public var alreadyReminded = 0
    /// Marks written.
    public var marks = 0
    /// Per draft, in order, for `Outbox.enqueue(_ drafts:)` (a list the caller holds anyway); `add`
    /// alone only counts, so a sweep of 400,000 messages keeps no list.
    public var results: [EnqueueResult] = []

    public init() {}

    /// Counts one more draft's result.
    public mutating func add(_ result: EnqueueResult) {
        switch result {
        case .inserted(_, let marks):
            inserted += 1
            self.marks += marks
        case .duplicate: duplicates += 1
        case .alreadyReminded: alreadyReminded += 1
        }
    }
}

/// One stored outbox message.
public struct OutboxMessage: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var idempotencyKey: String
    public var kind: String
    public var recipientNIP: String?
    public var from: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var subject: String
    public var body: String
    /// Whether its `outbox_text` row is there: written with the message, removed (`textRemovedAt`)
    /// only once it was sent. A message still to send without it cannot be mailed.
    public var hasText: Bool
    /// The Message-ID header value, without angle brackets; the same for every attempt.
    public var messageID: String
    public var createdAt: Date
    public var status: OutboxStatus
    /// Attempts made since the message was written (or since an admin's retry).
    public var attempts: Int
    /// When it is due (pending or failed); `nil` once sent or dead.
    public var nextAttemptAt: Date?
    public var lastAttemptAt: Date?
    /// An attempt was claimed and its outcome is not recorded yet.
    public var inFlight: Bool
    public var lastError: String?
    public var sentAt: Date?
    /// When the body was removed, `mail.keep_sent_text` after the message was sent (`body` is empty
    /// then); `nil` while it is kept.
    public var textRemovedAt: Date?
    /// The channel of the last attempt.
    public var channel: String?
    /// How many (assignment, stage) marks this message carries.
    public var stageCount: Int

    static let columns = """
        id, idempotency_key, kind, recipient_nip, mail_from, mail_to, mail_cc, subject,
        (SELECT t.body FROM outbox_text t WHERE t.outbox_id = outbox.id) AS body, message_id, created_at,
        status, attempts, next_attempt_at, last_attempt_at, in_flight, last_error, sent_at, text_removed_at, channel,
        (SELECT COUNT(*) FROM outbox_stage s WHERE s.outbox_id = outbox.id) AS stage_count
        """

    init(row: Row) throws {
        id = row["id"]
        idempotencyKey = row["idempotency_key"]
        kind = row["kind"]
        recipientNIP = row["recipient_nip"]
        from = try AddressCoding.decodeOne(row["mail_from"], column: "mail_from", id: id)
        to = try AddressCoding.decodeList(row["mail_to"], column: "mail_to", id: id)
        cc = try AddressCoding.decodeList(row["mail_cc"], column: "mail_cc", id: id)
        subject = row["subject"]
        let text: String? = row["body"]
        body = text ?? ""
        hasText = text != nil
        messageID = row["message_id"]
        createdAt = row["created_at"]
        let statusText: String = row["status"]
        guard let status = OutboxStatus(rawValue: statusText) else {
            throw OutboxError(.corruptRow, "outbox message \(id): unknown status '\(statusText)'")
        }
        self.status = status
        attempts = row["attempts"]
        nextAttemptAt = row["next_attempt_at"]
        lastAttemptAt = row["last_attempt_at"]
        inFlight = row["in_flight"]
        lastError = row["last_error"]
        sentAt = row["sent_at"]
        textRemovedAt = row["text_removed_at"]
        channel = row["channel"]
        stageCount = row["stage_count"]
    }
}

/// An error of the outbox store, with a stable code.
public struct OutboxError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable {
        /// A draft cannot be written (empty key, no recipient, an address without '@').
        case invalidDraft = "invalid_draft"
        /// A stored row cannot be read back (bad JSON, unknown status or stage).
        case corruptRow = "corrupt_row"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// Addresses as stored: `{"email":…,"name":…}` objects (sorted keys), lists as JSON arrays.
enum AddressCoding {
    static func encode(_ address: MailAddress) -> String {
        "{\"email\":\(quoted(address.email)),\"name\":\(quoted(address.name))}"
    }

    static func encode(_ list: [MailAddress]) -> String {
        "[" + list.map(encode).joined(separator: ",") + "]"
    }

    static func decodeOne(_ text: String, column: String, id: Int64) throws -> MailAddress {
        do {
            return try JSONDecoder().decode(MailAddress.self, from: Data(text.utf8))
        } catch {
            throw OutboxError(.corruptRow, "outbox message \(id): \(column) is not an address object: \(error)")
        }
    }

    static func decodeList(_ text: String, column: String, id: Int64) throws -> [MailAddress] {
        do {
            return try JSONDecoder().decode([MailAddress].self, from: Data(text.utf8))
        } catch {
            throw OutboxError(.corruptRow, "outbox message \(id): \(column) is not a list of addresses: \(error)")
        }
    }

    /// A JSON string literal (RFC 8259 escapes).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
