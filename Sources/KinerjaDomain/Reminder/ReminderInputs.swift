import Foundation

/// One review still owed: an open assignment without a submitted review, as one row of a set-based
/// query (assignments of open cycles left-joined to reviews, joined to the subject's name).
public struct OwedReview: Sendable, Hashable, Codable {
    /// The store's assignment id (half of the idempotency key).
    public var assignmentID: Int64
    /// The store's cycle id; digests group by it.
    public var cycleID: Int64
    /// How the cycle is named to people, e.g. its period code `2026-Q1`.
    public var cycleLabel: String
    public var reviewer: NIP
    public var subject: NIP
    /// The subject's name as shown in the digest.
    public var subjectName: String
    public var role: ReviewerRole
    public var due: Date
    /// For an atasan review written by an acting (Plt/Plh) or outside appraiser, which.
    public var atasanSource: AtasanSource?

    public init(assignmentID: Int64, cycleID: Int64, cycleLabel: String, reviewer: NIP, subject: NIP,
                subjectName: String, role: ReviewerRole, due: Date, atasanSource: AtasanSource? = nil) {
        self.atasanSource = atasanSource
        self.assignmentID = assignmentID
        self.cycleID = cycleID
        self.cycleLabel = cycleLabel
        self.reviewer = reviewer
        self.subject = subject
        self.subjectName = subjectName
        self.role = role
        self.due = due
    }
}

/// How to reach a person who may receive a reminder or a copy, as one row of a query over the
/// employees who owe reviews, their atasan and their unit heads.
public struct ReminderContact: Sendable, Hashable, Codable {
    public var nip: NIP
    public var name: String
    /// `nil` or empty when the employee has no address (then they are listed in the admin digest).
    public var email: String?
    public var unit: String
    /// The employee's atasan langsung.
    public var supervisor: NIP?
    /// The head (kepala) of the employee's unit.
    public var unitHead: NIP?

    public init(nip: NIP, name: String, email: String?, unit: String, supervisor: NIP? = nil, unitHead: NIP? = nil) {
        self.nip = nip
        self.name = name
        self.email = email
        self.unit = unit
        self.supervisor = supervisor
        self.unitHead = unitHead
    }

    /// The address, trimmed; `nil` when absent or blank.
    public var address: String? {
        guard let e = email, let first = e.unicodeScalars.first, let last = e.unicodeScalars.last else { return nil }
        if first.properties.isWhitespace || last.properties.isWhitespace {
            let t = e.trimmed
            return t.isEmpty ? nil : t
        }
        return e
    }
}
