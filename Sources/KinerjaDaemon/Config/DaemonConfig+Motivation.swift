import Foundation
import KinerjaDomain

extension DaemonConfig {
    /// `motivation:` — the thresholds of the six low-motivation rules, the severity policy and the
    /// follow-up table (the rules themselves are in KinerjaDomain/Motivation). Every key is documented in
    /// config/kinerjad.yaml; the defaults are `MotivationThresholds()`.
    public struct Motivation: Sendable, Equatable {
        public var thresholds = MotivationThresholds()
    }

    static let followUpChoices = FollowUpAction.allCases.map { ($0.rawValue, $0) }

    /// Reads `motivation:`; call after `results:` (the anonymity minimum defaults to the results' one
    /// and may not be lower).
    mutating func readMotivation(from root: ConfigReader) {
        let m = root.section("motivation")
        var t = motivation.thresholds
        t.anonymityMinimum = m.int("anonymity_minimum", default: results.anonymityMinimum, range: 1...20)
        if t.anonymityMinimum < results.anonymityMinimum {
            m.problem("anonymity_minimum", "must be at least results.anonymity_minimum (\(results.anonymityMinimum)): "
                      + "a flag may not show an aggregate of fewer reviewers than a report may")
        }
        t.historyPeriods = m.int("history_periods", default: t.historyPeriods, range: 2...60)

        let d = m.section("declining_trend")
        t.decliningTrend.periods = d.int("periods", default: t.decliningTrend.periods, range: 1...59)
        t.decliningTrend.minimumFall = d.double("minimum_fall", default: t.decliningTrend.minimumFall, range: 0...4)

        let g = m.section("recognition_gap")
        t.recognitionGap.margin = g.double("margin", default: t.recognitionGap.margin, range: 0.01...4)
        t.recognitionGap.window = g.int("window", default: t.recognitionGap.window, range: 1...60)
        t.recognitionGap.minimumPeriods = g.int("minimum_periods", default: t.recognitionGap.minimumPeriods, range: 1...60)

        let e = m.section("disengaged")
        t.disengaged.window = e.int("window", default: t.disengaged.window, range: 1...60)
        t.disengaged.minimumPeriods = e.int("minimum_periods", default: t.disengaged.minimumPeriods, range: 1...60)
        t.disengaged.lateGraceDays = e.int("late_grace_days", default: t.disengaged.lateGraceDays, range: 0...365)

        let f = m.section("feedback_drop")
        t.feedbackDrop.margin = f.double("margin", default: t.feedbackDrop.margin, range: 0.01...4)

        let s = m.section("stalled_development")
        t.stalledDevelopment.predikatAtMost = s.choice("predikat_at_most", default: t.stalledDevelopment.predikatAtMost,
                                                       Predikat.allCases.map { ($0.rawValue, $0) })
        t.stalledDevelopment.trainingMonths = s.int("training_months", default: t.stalledDevelopment.trainingMonths, range: 1...120)

        let p = m.section("perfunctory_reviewer")
        t.perfunctoryReviewer.window = p.int("window", default: t.perfunctoryReviewer.window, range: 1...60)
        t.perfunctoryReviewer.minimumReviews = p.int("minimum_reviews", default: t.perfunctoryReviewer.minimumReviews, range: 1...10_000)
        t.perfunctoryReviewer.uniformShare = p.double("uniform_share", default: t.perfunctoryReviewer.uniformShare, range: 0.01...1)
        t.perfunctoryReviewer.flagNeverCommenting = p.bool("flag_never_commenting", default: t.perfunctoryReviewer.flagNeverCommenting)

        let v = m.section("severity")
        t.severity.warningRatio = v.double("warning_ratio", default: t.severity.warningRatio, range: 1...100)
        t.severity.criticalRatio = v.double("critical_ratio", default: t.severity.criticalRatio, range: 1...100)
        t.severity.warningWhenRules = v.int("warning_when_rules", default: t.severity.warningWhenRules, range: 2...6)
        t.severity.criticalWhenRules = v.int("critical_when_rules", default: t.severity.criticalWhenRules, range: 2...6)

        // follow_up: RULE: {info: ACTION, warning: ACTION, critical: ACTION}; a cell left out keeps its default.
        let u = m.section("follow_up")
        var table = t.followUp.table
        for rule in MotivationRule.allCases {
            let row = u.section(rule.rawValue)
            for severity in FlagSeverity.allCases {
                table[rule, default: [:]][severity] = row.choice(severity.rawValue, default: t.followUp.action(rule, severity),
                                                                 Self.followUpChoices)
            }
        }
        t.followUp = FollowUpTable(table)

        // Whole-section rules (windows within the history, minimum ≤ window, warning ≤ critical, …).
        for problem in t.problems {
            let (path, message) = Self.splitProblem(problem)
            m.problem(path, message)
        }
        motivation.thresholds = t
    }

    /// `motivation.disengaged.window must be …` → (`disengaged.window`, `must be …`).
    static func splitProblem(_ text: String) -> (String, String) {
        guard let space = text.firstIndex(of: " ") else { return ("", text) }
        var path = String(text[..<space])
        if path.hasPrefix("motivation.") { path.removeFirst("motivation.".count) }
        return (path, String(text[text.index(after: space)...]))
    }
}
