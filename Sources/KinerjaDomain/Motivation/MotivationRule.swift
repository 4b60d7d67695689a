/// The low-motivation rules. Raw values are the contract names (docs/domain-rules.md "Low-motivation flags").
public enum MotivationRule: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CodingKeyRepresentable {
    /// Predikat or perilaku mean fell in each of the last K closed periods.
    case decliningTrend = "declining_trend"
    /// The self-assessment exceeds the atasan's by a margin in most recent periods.
    case recognitionGap = "recognition_gap"
    /// The own self-assessment is late or missing in most recent periods.
    case disengaged
    /// The rekan or bawahan mean dropped by a margin (only from enough reviewers).
    case feedbackDrop = "feedback_drop"
    /// A low predikat and no training in the last N months.
    case stalledDevelopment = "stalled_development"
    /// A reviewer (not a subject) whose reviews look like a formality.
    case perfunctoryReviewer = "perfunctory_reviewer"

    /// Whether the flag's subject is a reviewer rather than the person evaluated.
    public var flagsReviewer: Bool { self == .perfunctoryReviewer }

    /// A one-line English title.
    public var title: String {
        switch self {
        case .decliningTrend: return "Declining performance trend"
        case .recognitionGap: return "Effort not reflected in the evaluation (recognition gap)"
        case .disengaged: return "Disengaged from the evaluation"
        case .feedbackDrop: return "Drop in feedback from peers or subordinates"
        case .stalledDevelopment: return "Stalled development"
        case .perfunctoryReviewer: return "Reviews given as a formality"
        }
    }

    public static func < (a: MotivationRule, b: MotivationRule) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// How urgent a flag is. Ordered info < warning < critical.
public enum FlagSeverity: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CodingKeyRepresentable {
    case info
    case warning
    case critical

    public static func < (a: FlagSeverity, b: FlagSeverity) -> Bool { a.rank < b.rank }

    var rank: Int {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .critical: return 2
        }
    }
}

/// A follow-up (tindak lanjut) PermenPANRB 6/2022 expects from the atasan or the organisation.
public enum FollowUpAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// A performance conversation between atasan and employee.
    case dialogKinerja = "dialog_kinerja"
    /// Coaching by the atasan towards a performance goal.
    case coaching
    /// Mentoring by an experienced colleague.
    case mentoring
    /// Training (pelatihan / pengembangan kompetensi).
    case training

    /// The Indonesian name.
    public var name: String {
        switch self {
        case .dialogKinerja: return "Dialog kinerja"
        case .coaching: return "Coaching"
        case .mentoring: return "Mentoring"
        case .training: return "Pelatihan"
        }
    }
}
