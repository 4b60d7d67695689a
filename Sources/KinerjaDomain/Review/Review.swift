import Foundation

/// One reviewer's review of one subject in one role.
///
/// Rule implemented: docs/domain-rules.md "1–5 per value per reviewer, with an optional comment" and "The
/// supervisor gives the hasil kerja rating": `hasilKerja` is required for the `atasan` role and not
/// allowed for any other role (see `hasilKerjaProblem`).
public struct Review: Sendable, Hashable, Codable {
    public var scores: BerAKHLAKScores
    /// Free text; `nil` when none was given (never an empty string).
    public var comment: String?
    /// The hasil kerja rating, given by the atasan only.
    public var hasilKerja: Rating?

    public init(scores: BerAKHLAKScores, comment: String? = nil, hasilKerja: Rating? = nil) {
        self.scores = scores
        let trimmed = comment?.trimmed
        self.comment = trimmed?.isEmpty == false ? trimmed : nil
        self.hasilKerja = hasilKerja
    }

    /// Longest comment accepted, in characters.
    public static let maxCommentLength = 2000

    /// Why `hasilKerja` does not fit `role`, or `nil` when it does.
    public static func hasilKerjaProblem(role: ReviewerRole, hasilKerja: Rating?) -> String? {
        switch (role, hasilKerja) {
        case (.atasan, nil):
            return "hasil_kerja is required for the atasan role (\(Rating.spellings))"
        case (.atasan, _), (_, nil):
            return nil
        case (_, .some):
            return "hasil_kerja is given only by the atasan; this review is in the \(role.rawValue) role"
        }
    }
}

/// How a submitted review names its assignment: by the store's id, by (reviewer, subject, role), or
/// both (then the store checks they agree). At least one is present.
public struct AssignmentReference: Sendable, Hashable, Codable, CustomStringConvertible {
    public var id: Int64?
    public var key: AssignmentKey?

    public init(id: Int64? = nil, key: AssignmentKey? = nil) {
        precondition(id != nil || key != nil, "an assignment reference needs an id or a key")
        self.id = id
        self.key = key
    }

    public var description: String {
        switch (id, key) {
        case let (id?, key?): return "assignment \(id) (\(key))"
        case let (id?, nil): return "assignment \(id)"
        case let (nil, key?): return key.description
        default: return "no assignment"
        }
    }
}

/// A validated review from a file or a command, with the line it came from (0 when not from a file).
public struct ReviewSubmission: Sendable, Hashable, Codable {
    public var line: Int
    public var reference: AssignmentReference
    public var review: Review
    /// When the reviewer submitted it, if the file says (history replays); otherwise the store
    /// records the time of import.
    public var submittedAt: Date?

    public init(line: Int, reference: AssignmentReference, review: Review, submittedAt: Date? = nil) {
        self.line = line
        self.reference = reference
        self.review = review
        self.submittedAt = submittedAt
    }
}
