import Foundation

/// Who reviews a subject, in a 360-degree evaluation.
///
/// Rule implemented: docs/domain-rules.md reviewer roles `self`, `atasan` (supervisor), `rekan` (peers in the same
/// unit), `bawahan` (direct subordinates). The public (`masyarakat`) is heard at unit level through the
/// SKM survey and never has an assignment, so it is not a case here. Raw values are the contract names.
public enum ReviewerRole: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable {
    case selfAssessment = "self"
    case atasan
    case rekan
    case bawahan

    /// Case-insensitive, trimmed role name; `nil` otherwise.
    public init?(parsing text: String) {
        self.init(rawValue: text.trimmed.lowercased())
    }

    /// Roles whose reviews are shown only as aggregates of enough reviewers (anonymity).
    public var isAnonymous: Bool { self == .rekan || self == .bawahan }

    /// Sort order used in lists: self, atasan, rekan, bawahan.
    var order: Int {
        switch self {
        case .selfAssessment: return 0
        case .atasan: return 1
        case .rekan: return 2
        case .bawahan: return 3
        }
    }
}

/// The identity of an assignment within a cycle: one per (subject, reviewer, role).
public struct AssignmentKey: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var subject: NIP
    public var reviewer: NIP
    public var role: ReviewerRole

    public init(subject: NIP, reviewer: NIP, role: ReviewerRole) {
        self.subject = subject
        self.reviewer = reviewer
        self.role = role
    }

    /// Ordered by subject, then role (self, atasan, rekan, bawahan), then reviewer.
    public static func < (a: AssignmentKey, b: AssignmentKey) -> Bool {
        (a.subject, a.role.order, a.reviewer) < (b.subject, b.role.order, b.reviewer)
    }

    public var description: String { "\(role.rawValue) review of \(subject) by \(reviewer)" }
}

/// A review to be written in a cycle: who reviews whom, in which role, by when.
///
/// Rule implemented: docs/domain-rules.md "opening [a cycle] creates review assignments; each assignment has a
/// due date".
public struct Assignment: Sendable, Hashable, Codable {
    public var key: AssignmentKey
    public var due: Date

    public init(key: AssignmentKey, due: Date) {
        self.key = key
        self.due = due
    }

    public var subject: NIP { key.subject }
    public var reviewer: NIP { key.reviewer }
    public var role: ReviewerRole { key.role }
}
