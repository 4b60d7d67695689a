import Foundation
import Testing
@testable import KinerjaDomain

@Suite("Motivation analysis: severity, combination, thresholds, sparkline")
struct MotivationAnalysisTests {
    typealias F = MotivationFixture

    @Test(arguments: [(1.0, FlagSeverity.info), (1.49, .info), (1.5 - 1e-12, .warning), (1.5, .warning),
                      (1.99, .warning), (2.0, .critical), (7.0, .critical)])
    func severityFromRatio(ratio: Double, expected: FlagSeverity) {
        #expect(SeverityPolicy().severity(ratio: ratio) == expected)
    }

    @Test func severityFloorFromRuleCount() {
        let s = SeverityPolicy()
        #expect(s.floor(rules: 1) == .info && s.floor(rules: 2) == .warning && s.floor(rules: 3) == .critical)
        #expect(s.floor(rules: 6) == .critical)
    }

    /// Subject 1: declining_trend (info) and recognition_gap (info); subject 2: disengaged (info) only.
    static func rows() -> [SubjectPeriodRecord] {
        let s2 = TestData.nip(2)
        return [
            F.rec("2026-Q2", mean: 4.2, own: 4.0, atasan: 3.9),
            F.rec("2026-Q3", mean: 4.0, own: 4.6, atasan: 3.5),
            F.rec("2026-Q4", mean: 3.7, own: 4.7, atasan: 3.6),
            SubjectPeriodRecord(subject: s2, period: F.q("2026-Q3"), selfAssessment: .missing),
            SubjectPeriodRecord(subject: s2, period: F.q("2026-Q4"), selfAssessment: .late(days: 4)),
        ]
    }

    @Test func twoRulesRaiseBothToWarning() throws {
        let findings = MotivationAnalysis.analyze(subjectRows: Self.rows(), lastTraining: [:], reviewerRows: [],
                                                  context: F.context, thresholds: F.defaults)
        #expect(findings.map(\.rule) == [.decliningTrend, .recognitionGap, .disengaged])
        let declining = findings[0], gap = findings[1], disengaged = findings[2]
        #expect(declining.baseSeverity == .info && declining.severity == .warning)
        #expect(declining.concurrentRules == [.recognitionGap] && gap.concurrentRules == [.decliningTrend])
        #expect(declining.followUp == .coaching) // the table's warning cell for declining_trend
        #expect(gap.severity == .warning && gap.followUp == .dialogKinerja)
        #expect(disengaged.subject == TestData.nip(2) && disengaged.severity == .info && disengaged.concurrentRules.isEmpty)
    }

    @Test func threeRulesIncludingPerfunctoryReviewingAreCritical() {
        let reviewerRows = [ReviewerPeriodActivity(reviewer: F.subject, period: F.q("2026-Q4"), reviews: 6,
                                                   uniformReviews: 6, commentedReviews: 2)]
        let findings = MotivationAnalysis.analyze(subjectRows: Self.rows(), lastTraining: [:], reviewerRows: reviewerRows,
                                                  context: F.context, thresholds: F.defaults)
        let mine = findings.filter { $0.subject == F.subject }
        #expect(mine.map(\.rule) == [.decliningTrend, .recognitionGap, .perfunctoryReviewer])
        #expect(mine.allSatisfy { $0.severity == .critical })
        #expect(mine.first { $0.rule == .perfunctoryReviewer }?.followUp == .training)
        #expect(mine.first { $0.rule == .recognitionGap }?.followUp == .coaching)
    }

    @Test func baseSeverityIsKeptWhenHigherThanTheFloor() throws {
        var rows = Self.rows()
        // The decline now runs four periods (2025-Q4 → 2026-Q4): ratio 2, critical on its own.
        rows.append(F.rec("2025-Q4", mean: 4.6))
        rows.append(F.rec("2026-Q1", mean: 4.4))
        let findings = MotivationAnalysis.analyze(subjectRows: rows, lastTraining: [:], reviewerRows: [],
                                                  context: F.context, thresholds: F.defaults)
        let declining = try #require(findings.first { $0.rule == .decliningTrend })
        #expect(declining.ratio == 2 && declining.baseSeverity == .critical && declining.severity == .critical)
        #expect(declining.window.start == F.q("2025-Q4"))
        #expect(findings.first { $0.rule == .recognitionGap }?.severity == .warning)
    }

    @Test func analysisIsDeterministicAndGroupsRowsInBulk() {
        var rows = Self.rows()
        // Many unflagged subjects around them.
        for n in 10..<200 {
            for (i, p) in F.periods.enumerated() {
                rows.append(SubjectPeriodRecord(subject: TestData.nip(n), period: p, predikat: .baik,
                                                perilakuMean: 3.8 + Double((n + i) % 3) * 0.1, selfMean: 4.0, atasanMean: 3.9,
                                                selfAssessment: .onTime, rekan: AnonymousAggregate(mean: 4.0, reviewerCount: 3)))
            }
        }
        let training = Dictionary(uniqueKeysWithValues: (10..<200).map { (TestData.nip($0), CalendarDate(iso: "2026-06-01")!) })
        let reference = MotivationAnalysis.analyze(subjectRows: rows, lastTraining: training, reviewerRows: [],
                                                   context: F.context, thresholds: F.defaults)
        #expect(reference.map(\.subject) == [F.subject, F.subject, TestData.nip(2)])
        let again = MotivationAnalysis.analyze(subjectRows: rows.shuffled(), lastTraining: training, reviewerRows: [],
                                               context: F.context, thresholds: F.defaults)
        #expect(again == reference)
        #expect(reference.map(\.identity) == reference.map(\.identity).sorted())
    }

    @Test("rows sorted by person are read in place; the findings equal those of any other order")
    func sortedRowsGiveTheSameFindings() {
        var rows = Self.rows()
        for n in 10..<60 {
            for (i, p) in F.periods.enumerated() {
                rows.append(SubjectPeriodRecord(subject: TestData.nip(n), period: p, predikat: .butuhPerbaikan,
                                                perilakuMean: 4.5 - Double(i) * Double(n % 3) * 0.2, selfAssessment: n % 4 == 0 ? .missing : .onTime))
            }
        }
        let reviewers = (10..<40).flatMap { n in
            F.periods.map { ReviewerPeriodActivity(reviewer: TestData.nip(n), period: $0, reviews: 4, uniformReviews: n % 2 * 4,
                                                   commentedReviews: n % 3) }
        }
        let sorted = rows.sorted { $0.subject < $1.subject }, sortedReviewers = reviewers.sorted { $0.reviewer < $1.reviewer }
        let inPlace = MotivationAnalysis.analyze(subjectRows: sorted, lastTraining: [:], reviewerRows: sortedReviewers,
                                                 context: F.context, thresholds: F.defaults)
        let grouped = MotivationAnalysis.analyze(subjectRows: rows.shuffled(), lastTraining: [:], reviewerRows: reviewers.shuffled(),
                                                 context: F.context, thresholds: F.defaults)
        #expect(inPlace == grouped)
        #expect(Set(inPlace.map(\.rule)).isSuperset(of: [.decliningTrend, .disengaged, .stalledDevelopment, .perfunctoryReviewer]))
        // Runs are found in place: each person's rows form one group, visited once, in order.
        var visited: [NIP] = []
        MotivationAnalysis.forEachGroup(sorted, by: \.subject) { nip, group in
            #expect(group.allSatisfy { $0.subject == nip })
            visited.append(nip)
        }
        #expect(visited == Array(Set(rows.map(\.subject))).sorted())
    }

    @Test func findingsEncodeAsJSON() throws {
        let findings = MotivationAnalysis.analyze(subjectRows: Self.rows(), lastTraining: [:], reviewerRows: [],
                                                  context: F.context, thresholds: F.defaults)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(findings[0]), as: UTF8.self)
        #expect(text.contains(#""rule":"declining_trend""#))
        #expect(text.contains(#""severity":"warning""#))
        #expect(text.contains(#""followUp":"coaching""#))
        #expect(text.contains(#""subject":"\#(F.subject)""#))
        #expect(try JSONDecoder().decode(FlagFinding.self, from: Data(text.utf8)) == findings[0])
    }

    // MARK: thresholds

    @Test func defaultThresholdsAreValid() {
        #expect(MotivationThresholds().problems.isEmpty)
    }

    @Test func thresholdProblemsNameTheKey() {
        var t = MotivationThresholds()
        t.anonymityMinimum = 0
        t.recognitionGap.minimumPeriods = 4
        t.feedbackDrop.margin = -1
        t.perfunctoryReviewer.uniformShare = 1.5
        t.severity.warningRatio = 3
        t.followUp.table[.disengaged]?[.critical] = nil
        let p = t.problems
        #expect(p.contains("motivation.anonymity_minimum must be 1 or more, found 0"))
        #expect(p.contains("motivation.recognition_gap.minimum_periods must be 1…window (3), found 4"))
        #expect(p.contains("motivation.feedback_drop.margin must be a number > 0, found -1.0"))
        #expect(p.contains { $0.hasPrefix("motivation.perfunctory_reviewer.uniform_share") })
        #expect(p.contains { $0.hasPrefix("motivation.severity must be 1 ≤ warning_ratio ≤ critical_ratio") })
        #expect(p.contains("motivation.follow_up.disengaged.critical is missing"))
        #expect(p.count == 6)
    }

    @Test func ruleNamesAreTheContract() {
        #expect(MotivationRule.allCases.map(\.rawValue) == [
            "declining_trend", "recognition_gap", "disengaged", "feedback_drop", "stalled_development", "perfunctory_reviewer",
        ])
        #expect(FollowUpAction.allCases.map(\.rawValue) == ["dialog_kinerja", "coaching", "mentoring", "training"])
    }

    // MARK: sparkline

    @Test func sparkline() {
        #expect(Sparkline.render([1, 2, 3, 4, 5], range: 1...5) == "▁▃▅▆█")
        #expect(Sparkline.render([3.0, nil, 5.0], range: 1...5) == "▅·█")
        #expect(Sparkline.render([2, 2, 2]) == "▄▄▄")
        #expect(Sparkline.render([10, 0]) == "█▁")
        #expect(Sparkline.render([7.0, -3.0], range: 1...5) == "█▁")
        #expect(Sparkline.render([Double?]([nil, nil])) == "··")
        #expect(Sparkline.render([Double]()) == "")
    }
}
