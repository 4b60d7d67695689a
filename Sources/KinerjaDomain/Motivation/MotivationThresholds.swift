/// `declining_trend`: the perilaku mean or the predikat fell in each of the last `periods` closed
/// periods. A fall of the mean counts when it is at least `minimumFall` (so noise of a few hundredths
/// does not count); a fall of the predikat is any step down. Defaults: 2 periods, 0.05.
public struct DecliningTrendThresholds: Sendable, Hashable, Codable {
    public var periods: Int = 2
    public var minimumFall: Double = 0.05

    public init(periods: Int = 2, minimumFall: Double = 0.05) {
        self.periods = periods
        self.minimumFall = minimumFall
    }

    enum CodingKeys: String, CodingKey { case periods, minimumFall = "minimum_fall" }
}

/// `recognition_gap`: the self-assessment mean exceeds the atasan's mean by at least `margin` in at
/// least `minimumPeriods` of the last `window` closed periods. Defaults: 0.75 points, 2 of 3.
public struct RecognitionGapThresholds: Sendable, Hashable, Codable {
    public var margin: Double = 0.75
    public var window: Int = 3
    public var minimumPeriods: Int = 2

    public init(margin: Double = 0.75, window: Int = 3, minimumPeriods: Int = 2) {
        self.margin = margin
        self.window = window
        self.minimumPeriods = minimumPeriods
    }

    enum CodingKeys: String, CodingKey { case margin, window, minimumPeriods = "minimum_periods" }
}

/// `disengaged`: the own self-assessment was missing, or more than `lateGraceDays` days late, in at
/// least `minimumPeriods` of the last `window` closed periods. Defaults: 2 of 3, no grace.
public struct DisengagedThresholds: Sendable, Hashable, Codable {
    public var window: Int = 3
    public var minimumPeriods: Int = 2
    public var lateGraceDays: Int = 0

    public init(window: Int = 3, minimumPeriods: Int = 2, lateGraceDays: Int = 0) {
        self.window = window
        self.minimumPeriods = minimumPeriods
        self.lateGraceDays = lateGraceDays
    }

    enum CodingKeys: String, CodingKey {
        case window, minimumPeriods = "minimum_periods", lateGraceDays = "late_grace_days"
    }
}

/// `feedback_drop`: the rekan or the bawahan mean of the latest closed period is at least `margin`
/// below that of the period before, both from at least the anonymity minimum of reviewers. Default 0.5.
public struct FeedbackDropThresholds: Sendable, Hashable, Codable {
    public var margin: Double = 0.5

    public init(margin: Double = 0.5) { self.margin = margin }
}

/// `stalled_development`: the latest closed period's predikat is `predikatAtMost` or lower, and no
/// training is recorded in the `trainingMonths` months up to the end of that period (a training exactly
/// that many months ago still counts as recent). Defaults: Butuh Perbaikan, 12 months.
public struct StalledDevelopmentThresholds: Sendable, Hashable, Codable {
    public var predikatAtMost: Predikat = .butuhPerbaikan
    public var trainingMonths: Int = 12

    public init(predikatAtMost: Predikat = .butuhPerbaikan, trainingMonths: Int = 12) {
        self.predikatAtMost = predikatAtMost
        self.trainingMonths = trainingMonths
    }

    enum CodingKeys: String, CodingKey { case predikatAtMost = "predikat_at_most", trainingMonths = "training_months" }
}

/// `perfunctory_reviewer`: over the last `window` closed periods a reviewer gave at least
/// `minimumReviews` reviews (other than self), and either at least `uniformShare` of them have the same
/// score on all seven values, or (when `flagNeverCommenting`) none has a comment. Defaults: 2 periods,
/// 5 reviews, 0.8, true.
public struct PerfunctoryReviewerThresholds: Sendable, Hashable, Codable {
    public var window: Int = 2
    public var minimumReviews: Int = 5
    public var uniformShare: Double = 0.8
    public var flagNeverCommenting: Bool = true

    public init(window: Int = 2, minimumReviews: Int = 5, uniformShare: Double = 0.8, flagNeverCommenting: Bool = true) {
        self.window = window
        self.minimumReviews = minimumReviews
        self.uniformShare = uniformShare
        self.flagNeverCommenting = flagNeverCommenting
    }

    enum CodingKeys: String, CodingKey {
        case window, minimumReviews = "minimum_reviews", uniformShare = "uniform_share"
        case flagNeverCommenting = "flag_never_commenting"
    }
}

/// How severe a flag is: from how far past its threshold it is and how many rules hold at once.
///
/// Each finding has a ratio: how far past its threshold, 1.0 exactly at it (see each rule). Ratio
/// ≥ `criticalRatio` is critical, ≥ `warningRatio` warning, else info. Then, when several rules hold
/// for the same person, every one of their flags is raised to at least warning (`warningWhenRules`
/// rules) or critical (`criticalWhenRules`). Defaults: 1.5, 2.0, 2 rules, 3 rules.
public struct SeverityPolicy: Sendable, Hashable, Codable {
    public var warningRatio: Double = 1.5
    public var criticalRatio: Double = 2.0
    public var warningWhenRules: Int = 2
    public var criticalWhenRules: Int = 3

    public init(warningRatio: Double = 1.5, criticalRatio: Double = 2.0, warningWhenRules: Int = 2, criticalWhenRules: Int = 3) {
        self.warningRatio = warningRatio
        self.criticalRatio = criticalRatio
        self.warningWhenRules = warningWhenRules
        self.criticalWhenRules = criticalWhenRules
    }

    enum CodingKeys: String, CodingKey {
        case warningRatio = "warning_ratio", criticalRatio = "critical_ratio"
        case warningWhenRules = "warning_when_rules", criticalWhenRules = "critical_when_rules"
    }

    /// The severity from a ratio alone.
    public func severity(ratio: Double) -> FlagSeverity {
        if ratio + MotivationRules.tolerance >= criticalRatio { return .critical }
        if ratio + MotivationRules.tolerance >= warningRatio { return .warning }
        return .info
    }

    /// The least severity when `rules` rules hold for the same person.
    public func floor(rules: Int) -> FlagSeverity {
        if rules >= criticalWhenRules { return .critical }
        if rules >= warningWhenRules { return .warning }
        return .info
    }
}

/// The recommended follow-up per rule and severity (config `motivation.follow_up`).
///
/// Rule implemented: docs/domain-rules.md "Follow-up (tindak lanjut): low predikat or an open flag leads to a
/// recommended action (dialog kinerja, coaching/mentoring, training)". Defaults: a dialog kinerja
/// first; coaching when the pattern is strong; training and mentoring for stalled development;
/// training in giving feedback for a perfunctory reviewer.
public struct FollowUpTable: Sendable, Hashable, Codable {
    public var table: [MotivationRule: [FlagSeverity: FollowUpAction]]

    public init(_ table: [MotivationRule: [FlagSeverity: FollowUpAction]] = FollowUpTable.defaults) {
        self.table = table
    }

    public init(from decoder: any Decoder) throws {
        table = try [MotivationRule: [FlagSeverity: FollowUpAction]](from: decoder)
    }

    public func encode(to encoder: any Encoder) throws { try table.encode(to: encoder) }

    public static let defaults: [MotivationRule: [FlagSeverity: FollowUpAction]] = [
        .decliningTrend: [.info: .dialogKinerja, .warning: .coaching, .critical: .coaching],
        .recognitionGap: [.info: .dialogKinerja, .warning: .dialogKinerja, .critical: .coaching],
        .disengaged: [.info: .dialogKinerja, .warning: .dialogKinerja, .critical: .coaching],
        .feedbackDrop: [.info: .dialogKinerja, .warning: .coaching, .critical: .coaching],
        .stalledDevelopment: [.info: .training, .warning: .training, .critical: .mentoring],
        .perfunctoryReviewer: [.info: .dialogKinerja, .warning: .training, .critical: .training],
    ]

    /// The action for `rule` at `severity` (every cell must be filled; see `problems`).
    public func action(_ rule: MotivationRule, _ severity: FlagSeverity) -> FollowUpAction {
        table[rule]?[severity] ?? Self.defaults[rule]![severity]!
    }

    /// Missing cells, one sentence each naming the key; empty when every rule has every severity.
    public var problems: [String] {
        MotivationRule.allCases.flatMap { rule in
            FlagSeverity.allCases.compactMap { s in
                table[rule]?[s] == nil ? "motivation.follow_up.\(rule.rawValue).\(s.rawValue) is missing" : nil
            }
        }
    }
}

/// Every threshold of the motivation rules (config `motivation`), with documented defaults.
public struct MotivationThresholds: Sendable, Hashable, Codable {
    /// Fewest rekan or bawahan reviewers whose aggregate a rule may use; keep it equal to the results'
    /// anonymity minimum. Default 3 (docs/domain-rules.md "Anonymity").
    public var anonymityMinimum: Int = 3
    /// How many most recent closed periods the analysis reads (and the loader loads); bounds how far
    /// back a flag's window can start and how long the evidence series is. Default 8.
    public var historyPeriods: Int = 8
    public var decliningTrend = DecliningTrendThresholds()
    public var recognitionGap = RecognitionGapThresholds()
    public var disengaged = DisengagedThresholds()
    public var feedbackDrop = FeedbackDropThresholds()
    public var stalledDevelopment = StalledDevelopmentThresholds()
    public var perfunctoryReviewer = PerfunctoryReviewerThresholds()
    public var severity = SeverityPolicy()
    public var followUp = FollowUpTable()

    public init() {}

    enum CodingKeys: String, CodingKey {
        case anonymityMinimum = "anonymity_minimum", historyPeriods = "history_periods"
        case decliningTrend = "declining_trend", recognitionGap = "recognition_gap", disengaged
        case feedbackDrop = "feedback_drop", stalledDevelopment = "stalled_development"
        case perfunctoryReviewer = "perfunctory_reviewer", severity, followUp = "follow_up"
    }

    /// What is wrong, one sentence per problem naming the config key; empty when valid.
    public var problems: [String] {
        var p: [String] = []
        func need(_ ok: Bool, _ key: String, _ rule: String, _ found: CustomStringConvertible) {
            if !ok { p.append("motivation.\(key) must be \(rule), found \(found)") }
        }
        need(anonymityMinimum >= 1, "anonymity_minimum", "1 or more", anonymityMinimum)
        need(historyPeriods >= 2, "history_periods", "2 or more", historyPeriods)
        need(decliningTrend.periods >= 1, "declining_trend.periods", "1 or more", decliningTrend.periods)
        need(decliningTrend.periods < historyPeriods, "declining_trend.periods", "less than history_periods",
             decliningTrend.periods)
        need(decliningTrend.minimumFall.isFinite && decliningTrend.minimumFall >= 0, "declining_trend.minimum_fall",
             "a number ≥ 0", decliningTrend.minimumFall)
        need(recognitionGap.margin.isFinite && recognitionGap.margin > 0, "recognition_gap.margin", "a number > 0",
             recognitionGap.margin)
        for (key, window, minimum) in [("recognition_gap", recognitionGap.window, recognitionGap.minimumPeriods),
                                       ("disengaged", disengaged.window, disengaged.minimumPeriods)] {
            need(window >= 1 && window <= historyPeriods, "\(key).window", "1…history_periods (\(historyPeriods))", window)
            need(minimum >= 1 && minimum <= window, "\(key).minimum_periods", "1…window (\(window))", minimum)
        }
        need(perfunctoryReviewer.window >= 1 && perfunctoryReviewer.window <= historyPeriods,
             "perfunctory_reviewer.window", "1…history_periods (\(historyPeriods))", perfunctoryReviewer.window)
        need(disengaged.lateGraceDays >= 0, "disengaged.late_grace_days", "0 or more", disengaged.lateGraceDays)
        need(feedbackDrop.margin.isFinite && feedbackDrop.margin > 0, "feedback_drop.margin", "a number > 0",
             feedbackDrop.margin)
        need(stalledDevelopment.trainingMonths >= 1, "stalled_development.training_months", "1 or more",
             stalledDevelopment.trainingMonths)
        need(perfunctoryReviewer.minimumReviews >= 1, "perfunctory_reviewer.minimum_reviews", "1 or more",
             perfunctoryReviewer.minimumReviews)
        need(perfunctoryReviewer.uniformShare > 0 && perfunctoryReviewer.uniformShare <= 1,
             "perfunctory_reviewer.uniform_share", "a share in (0, 1]", perfunctoryReviewer.uniformShare)
        need(severity.warningRatio >= 1 && severity.warningRatio <= severity.criticalRatio, "severity",
             "1 ≤ warning_ratio ≤ critical_ratio",
             "warning_ratio \(severity.warningRatio), critical_ratio \(severity.criticalRatio)")
        need(severity.warningWhenRules >= 2 && severity.warningWhenRules <= severity.criticalWhenRules, "severity",
             "2 ≤ warning_when_rules ≤ critical_when_rules",
             "warning_when_rules \(severity.warningWhenRules), critical_when_rules \(severity.criticalWhenRules)")
        return p + followUp.problems
    }
}
