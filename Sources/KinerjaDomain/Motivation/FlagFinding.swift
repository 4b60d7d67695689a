/// The periods a flag is about: from the first period of the pattern to the latest closed period.
///
/// `start` stays the same while the pattern keeps holding period after period (it is where the
/// current run of the pattern began, within the history read), so it anchors the flag's identity.
public struct PeriodWindow: Sendable, Hashable, Codable, CustomStringConvertible {
    public var start: Period
    public var end: Period

    public init(start: Period, end: Period) {
        self.start = start
        self.end = end
    }

    /// `2025-Q1..2025-Q3`, or one code when both ends are the same.
    public var description: String { start == end ? start.code : "\(start.code)..\(end.code)" }
}

/// The stable identity of a flag: subject (the reviewer, for `perfunctory_reviewer`), rule and the
/// window's start. Re-running the analysis finds the same identity while the pattern continues.
public struct FlagIdentity: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var subject: NIP
    public var rule: MotivationRule
    public var windowStart: Period

    public init(subject: NIP, rule: MotivationRule, windowStart: Period) {
        self.subject = subject
        self.rule = rule
        self.windowStart = windowStart
    }

    /// `declining_trend/198001012005011001/2025-Q1`: a text key for a unique index.
    public var key: String { "\(rule.rawValue)/\(subject)/\(windowStart.code)" }
    public var description: String { key }

    public static func < (a: FlagIdentity, b: FlagIdentity) -> Bool {
        (a.subject, a.rule, a.windowStart) < (b.subject, b.rule, b.windowStart)
    }
}

/// One number (or label) observed in one period, e.g. `self_mean` 4.6 in 2025-Q2.
///
/// Names used: `perilaku_mean`, `predikat` (value = rank 0 Sangat Kurang … 4 Sangat Baik, text = the
/// name), `self_mean`, `atasan_mean`, `self_minus_atasan`, `self_assessment` (text: on_time, late,
/// missing, not_assigned; value: days late), `rekan_mean`, `rekan_reviewers`, `bawahan_mean`,
/// `bawahan_reviewers`, `reviews`, `uniform_reviews`, `commented_reviews`, `uniform_share`,
/// `months_since_training`.
public struct EvidenceMeasurement: Sendable, Hashable, Codable {
    public var period: Period
    public var name: String
    public var value: Double?
    public var text: String?

    public init(period: Period, name: String, value: Double? = nil, text: String? = nil) {
        self.period = period
        self.name = name
        self.value = value
        self.text = text
    }
}

/// An observed number set against the threshold it crossed.
public struct EvidenceComparison: Sendable, Hashable, Codable {
    public enum Relation: String, Sendable, Hashable, Codable {
        /// The rule holds when observed ≥ threshold.
        case atLeast = "at_least"
        /// The rule holds when observed ≤ threshold.
        case atMost = "at_most"
    }

    /// What was measured, e.g. `fall_of_perilaku_mean`, `periods_with_gap`.
    public var quantity: String
    /// The period concerned, when the number belongs to one.
    public var period: Period?
    public var observed: Double
    public var relation: Relation
    public var threshold: Double
    /// The config key of the threshold, e.g. `motivation.declining_trend.minimum_fall`.
    public var thresholdKey: String

    public init(quantity: String, period: Period? = nil, observed: Double, relation: Relation = .atLeast,
                threshold: Double, thresholdKey: String) {
        self.quantity = quantity
        self.period = period
        self.observed = observed
        self.relation = relation
        self.threshold = threshold
        self.thresholdKey = thresholdKey
    }
}

/// A series of values over periods for a sparkline, with the scale it is drawn on.
public struct EvidenceSeries: Sendable, Hashable, Codable {
    public var name: String
    public var lower: Double
    public var upper: Double
    public var periods: [Period]
    /// One value per period, `nil` where there is none (or too few reviewers to show one).
    public var values: [Double?]

    /// The series drawn with `Sparkline` on its scale.
    public var sparkline: String { Sparkline.render(values, range: lower...upper) }
}

/// Why a flag was raised, for an admin who does not read code.
///
/// Privacy: rekan and bawahan numbers appear only as aggregates of at least the anonymity
/// minimum, never an individual reviewer's scores about the subject.
public struct FlagEvidence: Sendable, Hashable, Codable {
    /// The periods whose numbers decided, oldest first.
    public var periods: [Period]
    public var measurements: [EvidenceMeasurement]
    public var comparisons: [EvidenceComparison]
    /// The relevant scores over the history read.
    public var series: EvidenceSeries
    /// A short readable explanation in English.
    public var explanation: String
    /// The same in Bahasa Indonesia.
    public var penjelasan: String
}

/// A rule that holds for a person, with its evidence, severity and recommended follow-up.
public struct FlagFinding: Sendable, Hashable, Codable {
    public var rule: MotivationRule
    /// The person evaluated, or the reviewer for `perfunctory_reviewer`.
    public var subject: NIP
    public var window: PeriodWindow
    /// How far past the threshold (1.0 exactly at it; see each rule).
    public var ratio: Double
    /// The severity from `ratio` alone.
    public var baseSeverity: FlagSeverity
    /// The severity after combining with the other rules holding for the same person.
    public var severity: FlagSeverity
    /// The other rules holding for the same person (filled by `MotivationAnalysis.combine`).
    public var concurrentRules: [MotivationRule]
    public var evidence: FlagEvidence
    public var followUp: FollowUpAction

    public var identity: FlagIdentity { FlagIdentity(subject: subject, rule: rule, windowStart: window.start) }
}
