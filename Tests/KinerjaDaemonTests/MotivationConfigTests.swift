import Foundation
import KinerjaDomain
import Testing
@testable import KinerjaDaemon

@Suite("Configuration: motivation thresholds, follow-up table, motivation-analysis job")
struct MotivationConfigTests {
    func problems(_ yaml: String) -> [ConfigProblem] {
        do {
            _ = try DaemonConfig.parse(yaml: yaml, file: "/etc/kinerjad/test.yaml")
            return []
        } catch {
            return error.problems
        }
    }

    @Test("defaults are MotivationThresholds(); the job runs daily and is a known job")
    func defaults() throws {
        let config = try DaemonConfig.parse(yaml: "", file: "/x.yaml")
        #expect(config.motivation.thresholds == MotivationThresholds())
        #expect(DaemonConfig.knownJobs.contains("motivation-analysis"))
        let calendar = try #require(config.jobs.schedule["motivation-analysis"])
        #expect(calendar == "*-*-* 03:00:00 Asia/Jakarta")
    }

    @Test("every key is read: thresholds, severity, follow-up cells")
    func values() throws {
        let c = try DaemonConfig.parse(yaml: """
            motivation:
              anonymity_minimum: 4
              history_periods: 6
              declining_trend: {periods: 3, minimum_fall: 0.1}
              recognition_gap: {margin: 1, window: 4, minimum_periods: 3}
              disengaged: {window: 2, minimum_periods: 1, late_grace_days: 3}
              feedback_drop: {margin: 0.8}
              stalled_development: {predikat_at_most: kurang, training_months: 24}
              perfunctory_reviewer: {window: 3, minimum_reviews: 8, uniform_share: 0.9, flag_never_commenting: false}
              severity: {warning_ratio: 1.2, critical_ratio: 3, warning_when_rules: 3, critical_when_rules: 4}
              follow_up:
                declining_trend: {info: coaching}
                stalled_development: {critical: training}
            """, file: "/x.yaml")
        let t = c.motivation.thresholds
        #expect(t.anonymityMinimum == 4 && t.historyPeriods == 6)
        #expect(t.decliningTrend == DecliningTrendThresholds(periods: 3, minimumFall: 0.1))
        #expect(t.recognitionGap == RecognitionGapThresholds(margin: 1, window: 4, minimumPeriods: 3))
        #expect(t.disengaged == DisengagedThresholds(window: 2, minimumPeriods: 1, lateGraceDays: 3))
        #expect(t.feedbackDrop.margin == 0.8)
        #expect(t.stalledDevelopment == StalledDevelopmentThresholds(predikatAtMost: .kurang, trainingMonths: 24))
        #expect(t.perfunctoryReviewer == PerfunctoryReviewerThresholds(window: 3, minimumReviews: 8, uniformShare: 0.9, flagNeverCommenting: false))
        #expect(t.severity == SeverityPolicy(warningRatio: 1.2, criticalRatio: 3, warningWhenRules: 3, criticalWhenRules: 4))
        #expect(t.followUp.action(.decliningTrend, .info) == .coaching)
        #expect(t.followUp.action(.decliningTrend, .warning) == .coaching) // default kept
        #expect(t.followUp.action(.stalledDevelopment, .critical) == .training)
        #expect(t.followUp.action(.recognitionGap, .critical) == .coaching) // default kept
    }

    @Test("the anonymity minimum follows results.anonymity_minimum and may not go below it")
    func anonymityMinimum() throws {
        let c = try DaemonConfig.parse(yaml: "results:\n  anonymity_minimum: 5\n", file: "/x.yaml")
        #expect(c.motivation.thresholds.anonymityMinimum == 5)
        let p = problems("results:\n  anonymity_minimum: 5\nmotivation:\n  anonymity_minimum: 3\n")
        #expect(p.count == 1 && p[0].keyPath == "motivation.anonymity_minimum" && p[0].line == 4)
        #expect(p[0].message.contains("results.anonymity_minimum (5)"))
    }

    @Test("bad values and cross-key rules name the key")
    func problemsNameTheKey() {
        let p = problems("""
            motivation:
              history_periods: 3
              recognition_gap: {window: 5, minimum_periods: 2}
              severity: {warning_ratio: 2.5, critical_ratio: 2}
              follow_up:
                disengaged: {warning: pray}
              feedback_drop: {margin: -1}
              perfunctory_reviewer: {uniform_shares: 0.5}
            """)
        let paths = Set(p.map(\.keyPath))
        #expect(paths.contains("motivation.recognition_gap.window"), "\(p)")
        #expect(paths.contains("motivation.severity"), "\(p)")
        #expect(paths.contains("motivation.follow_up.disengaged.warning"), "\(p)")
        #expect(paths.contains("motivation.feedback_drop.margin"), "\(p)")
        #expect(paths.contains("motivation.perfunctory_reviewer.uniform_shares"), "\(p)")
        #expect(p.first { $0.keyPath == "motivation.follow_up.disengaged.warning" }?.message.contains("dialog_kinerja, coaching") == true)
    }

    @Test("the job can be unscheduled; an unknown job name is refused")
    func schedule() throws {
        let c = try DaemonConfig.parse(yaml: "jobs:\n  schedule:\n    motivation-analysis: \"off\"\n", file: "/x.yaml")
        #expect(c.jobs.schedule["motivation-analysis"] == nil)
        #expect(problems("jobs:\n  schedule:\n    motivation-analyses: daily\n").first?.keyPath == "jobs.schedule.motivation-analyses")
    }
}
