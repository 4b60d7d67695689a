import Testing
@testable import KinerjaDomain

/// Eight closed quarters 2025-Q1 … 2026-Q4, analysed on 2027-01-10.
enum MotivationFixture {
    static let periods: [Period] = (2025...2026).flatMap { y in (1...4).map { try! Period(kind: .quarterly, year: y, index: $0) } }
    static let asOf = CalendarDate(iso: "2027-01-10")!
    static let context = MotivationContext(closedPeriods: periods, asOf: asOf)
    static let subject = TestData.nip(1)
    static let defaults = MotivationThresholds()

    static func q(_ code: String) -> Period { try! Period(parsing: code) }

    static func rec(_ code: String, predikat: Predikat? = nil, mean: Double? = nil, own: Double? = nil,
                    atasan: Double? = nil, selfStatus: SelfAssessmentStatus? = nil,
                    rekan: (Double, Int)? = nil, bawahan: (Double, Int)? = nil) -> SubjectPeriodRecord {
        SubjectPeriodRecord(subject: subject, period: q(code), predikat: predikat, perilakuMean: mean, selfMean: own,
                            atasanMean: atasan, selfAssessment: selfStatus,
                            rekan: rekan.map { AnonymousAggregate(mean: $0.0, reviewerCount: $0.1) },
                            bawahan: bawahan.map { AnonymousAggregate(mean: $0.0, reviewerCount: $0.1) })
    }

    static func history(_ records: [SubjectPeriodRecord], lastTraining: String? = nil) -> SubjectHistory {
        SubjectHistory(subject: subject, records: records, lastTraining: lastTraining.map { CalendarDate(iso: $0)! })
    }

    /// The context ending at `last` (for identity checks over time).
    static func context(endingAt last: String) -> MotivationContext {
        MotivationContext(closedPeriods: periods.filter { $0 <= q(last) }, asOf: asOf)
    }
}

@Suite("Motivation rules")
struct MotivationRulesTests {
    typealias F = MotivationFixture

    // MARK: declining_trend

    static func decline(_ means: [String: Double], thresholds: MotivationThresholds = F.defaults,
                        context: MotivationContext = F.context) -> FlagFinding? {
        MotivationRules.decliningTrend(F.history(means.map { F.rec($0.key, mean: $0.value) }), context: context,
                                       thresholds: thresholds)
    }

    @Test func decliningTrendPositive() throws {
        let f = try #require(Self.decline(["2026-Q2": 4.2, "2026-Q3": 4.0, "2026-Q4": 3.7]))
        #expect(f.rule == .decliningTrend && f.subject == F.subject)
        #expect(f.window == PeriodWindow(start: F.q("2026-Q2"), end: F.q("2026-Q4")))
        #expect(f.ratio == 1 && f.baseSeverity == .info && f.followUp == .dialogKinerja)
        #expect(f.evidence.periods == [F.q("2026-Q2"), F.q("2026-Q3"), F.q("2026-Q4")])
        let falls = f.evidence.comparisons.filter { $0.quantity == "fall_of_perilaku_mean" }
        #expect(falls.map(\.period) == [F.q("2026-Q3"), F.q("2026-Q4")])
        #expect(abs(falls[1].observed - 0.3) < 1e-9 && falls[1].threshold == 0.05)
        #expect(falls[0].thresholdKey == "motivation.declining_trend.minimum_fall")
        #expect(f.evidence.explanation.contains("2026-Q2 4.20 → 2026-Q3 4.00 → 2026-Q4 3.70"))
        #expect(f.evidence.penjelasan.contains("2026-Q2 4,20 → 2026-Q3 4,00 → 2026-Q4 3,70"))
        #expect(f.evidence.series.name == "perilaku_mean" && f.evidence.series.sparkline.count == 8)
        #expect(f.identity.key == "declining_trend/\(F.subject)/2026-Q2")
    }

    @Test func decliningTrendLongerRunIsMoreSevereAndKeepsItsStart() throws {
        let means = ["2026-Q1": 4.4, "2026-Q2": 4.2, "2026-Q3": 4.0, "2026-Q4": 3.7]
        let f = try #require(Self.decline(means))
        #expect(f.ratio == 1.5 && f.baseSeverity == .warning && f.followUp == .coaching)
        #expect(f.window.start == F.q("2026-Q1"))
        // A period earlier the same run had already held, from the same start: the same flag.
        let earlier = try #require(Self.decline(means, context: F.context(endingAt: "2026-Q3")))
        #expect(earlier.identity == f.identity && earlier.window.end == F.q("2026-Q3"))
    }

    @Test func decliningTrendNegative() {
        #expect(Self.decline(["2026-Q2": 4.2, "2026-Q3": 4.3, "2026-Q4": 3.7]) == nil)
        #expect(Self.decline(["2026-Q2": 4.0, "2026-Q3": 4.0, "2026-Q4": 3.9]) == nil)
        #expect(Self.decline(["2026-Q3": 4.0, "2026-Q4": 3.7]) == nil)
    }

    @Test func decliningTrendAtTheThreshold() {
        #expect(Self.decline(["2026-Q2": 4.00, "2026-Q3": 3.95, "2026-Q4": 3.90]) != nil)
        #expect(Self.decline(["2026-Q2": 4.00, "2026-Q3": 3.96, "2026-Q4": 3.92]) == nil)
        var three = F.defaults
        three.decliningTrend.periods = 3
        #expect(Self.decline(["2026-Q2": 4.2, "2026-Q3": 4.0, "2026-Q4": 3.7], thresholds: three) == nil)
        #expect(Self.decline(["2026-Q1": 4.4, "2026-Q2": 4.2, "2026-Q3": 4.0, "2026-Q4": 3.7], thresholds: three)?.ratio == 1)
    }

    @Test func decliningTrendMissingPeriods() {
        // A gap breaks the run; no record in the latest period means no flag.
        #expect(Self.decline(["2026-Q1": 4.6, "2026-Q2": 4.2, "2026-Q4": 3.7]) == nil)
        #expect(Self.decline(["2026-Q1": 4.6, "2026-Q2": 4.2, "2026-Q3": 4.0]) == nil)
    }

    @Test func decliningTrendOnPredikat() throws {
        let h = F.history([F.rec("2026-Q2", predikat: .baik), F.rec("2026-Q3", predikat: .butuhPerbaikan),
                           F.rec("2026-Q4", predikat: .sangatKurang)])
        let f = try #require(MotivationRules.decliningTrend(h, context: F.context, thresholds: F.defaults))
        #expect(f.evidence.series.name == "predikat")
        #expect(f.evidence.comparisons.contains { $0.quantity == "consecutive_falls_of_predikat" && $0.observed == 2 })
        #expect(f.evidence.explanation.contains("2026-Q2 Baik → 2026-Q3 Butuh Perbaikan → 2026-Q4 Sangat Kurang"))
    }

    // MARK: recognition_gap

    static func gaps(_ pairs: [String: (Double?, Double?)], thresholds: MotivationThresholds = F.defaults,
                     context: MotivationContext = F.context) -> FlagFinding? {
        MotivationRules.recognitionGap(F.history(pairs.map { F.rec($0.key, own: $0.value.0, atasan: $0.value.1) }),
                                       context: context, thresholds: thresholds)
    }

    @Test func recognitionGapPositive() throws {
        let f = try #require(Self.gaps(["2026-Q2": (4.0, 3.8), "2026-Q3": (4.6, 3.5), "2026-Q4": (4.7, 3.6)]))
        #expect(f.window == PeriodWindow(start: F.q("2026-Q3"), end: F.q("2026-Q4")))
        #expect(abs(f.ratio - 1.1 / 0.75) < 1e-9 && f.baseSeverity == .info)
        #expect(f.evidence.periods == [F.q("2026-Q2"), F.q("2026-Q3"), F.q("2026-Q4")])
        #expect(f.evidence.comparisons.contains { $0.quantity == "periods_with_gap" && $0.observed == 2 && $0.threshold == 2 })
        #expect(f.evidence.explanation.contains("2026-Q3 self 4.60 vs atasan 3.50 (+1.10)"))
        #expect(f.evidence.penjelasan.contains("2026-Q4 diri 4,70 vs atasan 3,60 (+1,10)"))
        #expect(Set(f.evidence.measurements.map(\.name)) == ["self_mean", "atasan_mean", "self_minus_atasan"])
    }

    @Test func recognitionGapNegative() {
        #expect(Self.gaps(["2026-Q2": (4.0, 3.8), "2026-Q3": (4.0, 3.9), "2026-Q4": (4.7, 3.6)]) == nil)
        #expect(Self.gaps(["2026-Q3": (3.0, 4.6), "2026-Q4": (3.1, 4.7)]) == nil) // the atasan rates higher
    }

    @Test func recognitionGapAtTheThreshold() {
        #expect(Self.gaps(["2026-Q3": (4.25, 3.5), "2026-Q4": (4.25, 3.5)])?.ratio == 1)
        #expect(Self.gaps(["2026-Q3": (4.24, 3.5), "2026-Q4": (4.25, 3.5)]) == nil)
    }

    @Test func recognitionGapMissingPeriods() throws {
        // No record in Q3, the atasan's review missing in Q1: the other two of the last three still count.
        let f = try #require(Self.gaps(["2026-Q1": (4.5, nil), "2026-Q2": (4.6, 3.5), "2026-Q4": (4.7, 3.6)]))
        #expect(f.window.start == F.q("2026-Q2"))
        #expect(Self.gaps(["2026-Q1": (4.5, nil), "2026-Q4": (4.7, 3.6)]) == nil)
    }

    @Test func recognitionGapIdentityIsStableWhileItHolds() throws {
        let pairs: [String: (Double?, Double?)] = ["2026-Q2": (4.6, 3.5), "2026-Q3": (4.6, 3.5), "2026-Q4": (4.6, 3.8)]
        let atQ3 = try #require(Self.gaps(pairs, context: F.context(endingAt: "2026-Q3")))
        let atQ4 = try #require(Self.gaps(pairs, context: F.context(endingAt: "2026-Q4")))
        #expect(atQ3.identity == atQ4.identity && atQ4.window.start == F.q("2026-Q2"))
    }

    // MARK: disengaged

    static func statuses(_ s: [String: SelfAssessmentStatus?], thresholds: MotivationThresholds = F.defaults) -> FlagFinding? {
        MotivationRules.disengaged(F.history(s.map { F.rec($0.key, selfStatus: $0.value) }), context: F.context,
                                   thresholds: thresholds)
    }

    @Test func disengagedPositive() throws {
        let f = try #require(Self.statuses(["2026-Q2": .onTime, "2026-Q3": .missing, "2026-Q4": .late(days: 5)]))
        #expect(f.window == PeriodWindow(start: F.q("2026-Q3"), end: F.q("2026-Q4")) && f.ratio == 1)
        #expect(f.evidence.penjelasan.contains("2026-Q3 tidak diisi; 2026-Q4 terlambat 5 hari"))
        #expect(f.evidence.explanation.contains("2026-Q3 missing; 2026-Q4 5 days late"))
        #expect(f.evidence.measurements.map(\.text) == ["on_time", "missing", "late"])
        let all = try #require(Self.statuses(["2026-Q2": .missing, "2026-Q3": .missing, "2026-Q4": .missing]))
        #expect(all.ratio == 1.5 && all.baseSeverity == .warning)
    }

    @Test func disengagedNegative() {
        #expect(Self.statuses(["2026-Q2": .onTime, "2026-Q3": .onTime, "2026-Q4": .late(days: 2)]) == nil)
        // Late long ago does not count: only the last three periods.
        #expect(Self.statuses(["2026-Q1": .missing, "2026-Q2": .missing, "2026-Q3": .onTime, "2026-Q4": .onTime]) == nil)
    }

    @Test func disengagedAtTheThreshold() {
        var grace = F.defaults
        grace.disengaged.lateGraceDays = 2
        #expect(Self.statuses(["2026-Q3": .late(days: 2), "2026-Q4": .late(days: 2)], thresholds: grace) == nil)
        #expect(Self.statuses(["2026-Q3": .late(days: 3), "2026-Q4": .late(days: 2)], thresholds: grace) == nil)
        #expect(Self.statuses(["2026-Q3": .late(days: 3), "2026-Q4": .late(days: 3)], thresholds: grace) != nil)
        #expect(Self.statuses(["2026-Q3": .late(days: 1), "2026-Q4": .late(days: 1)]) != nil)
    }

    @Test func disengagedMissingPeriods() {
        // Not assigned (nil) and no record at all count neither way.
        #expect(Self.statuses(["2026-Q2": nil, "2026-Q4": .missing]) == nil)
        #expect(Self.statuses(["2026-Q2": .missing, "2026-Q3": nil, "2026-Q4": .missing]) != nil)
    }

    // MARK: feedback_drop

    static func feedback(_ records: [SubjectPeriodRecord], thresholds: MotivationThresholds = F.defaults) -> FlagFinding? {
        MotivationRules.feedbackDrop(F.history(records), context: F.context, thresholds: thresholds)
    }

    @Test func feedbackDropPositive() throws {
        let f = try #require(Self.feedback([F.rec("2026-Q3", rekan: (4.2, 4)), F.rec("2026-Q4", rekan: (3.5, 3))]))
        #expect(f.window == PeriodWindow(start: F.q("2026-Q3"), end: F.q("2026-Q4")))
        #expect(abs(f.ratio - 1.4) < 1e-9)
        #expect(Set(f.evidence.measurements.map(\.name)) == ["rekan_mean", "rekan_reviewers"])
        #expect(f.evidence.comparisons.filter { $0.quantity == "rekan_reviewers" }.map(\.observed) == [4, 3])
        #expect(f.evidence.explanation.contains("from 4.20 (2026-Q3, 4 reviewers) to 3.50 (2026-Q4, 3 reviewers), a drop of 0.70"))
        #expect(f.evidence.penjelasan.contains("rekan kerja turun dari 4,20 (2026-Q3, 4 penilai) menjadi 3,50 (2026-Q4, 3 penilai)"))
    }

    @Test func feedbackDropFromSubordinates() throws {
        let f = try #require(Self.feedback([F.rec("2026-Q3", rekan: (4.0, 3), bawahan: (4.5, 5)),
                                            F.rec("2026-Q4", rekan: (3.9, 3), bawahan: (3.4, 5))]))
        #expect(f.evidence.series.name == "bawahan_mean")
        #expect(!f.evidence.measurements.contains { $0.name.hasPrefix("rekan") })
    }

    @Test func feedbackDropNegative() {
        #expect(Self.feedback([F.rec("2026-Q3", rekan: (4.2, 4)), F.rec("2026-Q4", rekan: (3.9, 4))]) == nil)
        #expect(Self.feedback([F.rec("2026-Q3", rekan: (3.5, 4)), F.rec("2026-Q4", rekan: (4.2, 4))]) == nil)
    }

    @Test func feedbackDropAtTheThreshold() {
        #expect(Self.feedback([F.rec("2026-Q3", rekan: (4.0, 3)), F.rec("2026-Q4", rekan: (3.5, 3))])?.ratio == 1)
        #expect(Self.feedback([F.rec("2026-Q3", rekan: (4.0, 3)), F.rec("2026-Q4", rekan: (3.51, 3))]) == nil)
    }

    @Test func feedbackDropNeedsTheAnonymityMinimum() {
        // A large drop, but from 2 reviewers in one of the periods: nothing.
        #expect(Self.feedback([F.rec("2026-Q3", rekan: (4.8, 4)), F.rec("2026-Q4", rekan: (2.0, 2))]) == nil)
        #expect(Self.feedback([F.rec("2026-Q3", bawahan: (4.8, 2)), F.rec("2026-Q4", bawahan: (2.0, 5))]) == nil)
        var two = F.defaults
        two.anonymityMinimum = 2
        #expect(Self.feedback([F.rec("2026-Q3", rekan: (4.8, 4)), F.rec("2026-Q4", rekan: (2.0, 2))], thresholds: two) != nil)
    }

    @Test func feedbackDropMissingPeriods() throws {
        #expect(Self.feedback([F.rec("2026-Q2", rekan: (4.8, 4)), F.rec("2026-Q4", rekan: (3.0, 4))]) == nil)
        // The series hides periods with too few reviewers.
        let f = try #require(Self.feedback([F.rec("2026-Q2", rekan: (5.0, 2)), F.rec("2026-Q3", rekan: (4.2, 4)),
                                            F.rec("2026-Q4", rekan: (3.5, 3))]))
        #expect(f.evidence.series.values.suffix(3) == [nil, 4.2, 3.5])
    }

    // MARK: stalled_development

    static func stalled(_ records: [SubjectPeriodRecord], training: String?, thresholds: MotivationThresholds = F.defaults) -> FlagFinding? {
        MotivationRules.stalledDevelopment(F.history(records, lastTraining: training), context: F.context, thresholds: thresholds)
    }

    @Test func stalledDevelopmentPositive() throws {
        let f = try #require(Self.stalled([F.rec("2026-Q3", predikat: .baik), F.rec("2026-Q4", predikat: .butuhPerbaikan)],
                                          training: "2025-06-01"))
        #expect(f.window == PeriodWindow(start: F.q("2026-Q4"), end: F.q("2026-Q4")))
        #expect(abs(f.ratio - 19.0 / 12.0) < 1e-9 && f.baseSeverity == .warning && f.followUp == .training)
        #expect(f.evidence.comparisons.contains { $0.quantity == "months_since_training" && $0.observed == 19 })
        #expect(f.evidence.explanation.contains("last training: 2025-06-01, 19 months earlier"))
        #expect(f.evidence.penjelasan.contains("pelatihan terakhir: 1 Juni 2025, 19 bulan sebelumnya"))
    }

    @Test func stalledDevelopmentNegative() {
        #expect(Self.stalled([F.rec("2026-Q4", predikat: .baik)], training: nil) == nil)
        #expect(Self.stalled([F.rec("2026-Q4", predikat: .kurang)], training: "2026-03-01") == nil)
    }

    @Test func stalledDevelopmentAtTheThreshold() throws {
        // Exactly 12 months before 2027-01-10 still counts as recent.
        #expect(Self.stalled([F.rec("2026-Q4", predikat: .butuhPerbaikan)], training: "2026-01-10") == nil)
        let f = try #require(Self.stalled([F.rec("2026-Q4", predikat: .butuhPerbaikan)], training: "2026-01-09"))
        #expect(f.ratio == 1 && f.baseSeverity == .info)
        var strict = F.defaults
        strict.stalledDevelopment.predikatAtMost = .kurang
        #expect(Self.stalled([F.rec("2026-Q4", predikat: .butuhPerbaikan)], training: nil, thresholds: strict) == nil)
        #expect(Self.stalled([F.rec("2026-Q4", predikat: .kurang)], training: nil, thresholds: strict) != nil)
    }

    @Test func stalledDevelopmentWithoutTrainingAndALowRun() throws {
        let f = try #require(Self.stalled([F.rec("2026-Q3", predikat: .kurang), F.rec("2026-Q4", predikat: .sangatKurang)],
                                          training: nil))
        #expect(f.window.start == F.q("2026-Q3") && f.ratio == 1.5 && f.baseSeverity == .warning)
        #expect(f.evidence.measurements.contains { $0.name == "months_since_training" && $0.text == "none_recorded" })
        #expect(f.evidence.comparisons.contains { $0.quantity == "trainings_recorded" })
        #expect(f.evidence.penjelasan.contains("belum ada pelatihan tercatat"))
    }

    @Test func stalledDevelopmentMissingPeriods() {
        #expect(Self.stalled([F.rec("2026-Q3", predikat: .sangatKurang)], training: nil) == nil)
        #expect(Self.stalled([F.rec("2026-Q4", mean: 2.0)], training: nil) == nil)
    }

    // MARK: perfunctory_reviewer

    static let reviewer = TestData.nip(60)

    static func activity(_ rows: [String: (Int, Int, Int)], thresholds: MotivationThresholds = F.defaults) -> FlagFinding? {
        let history = ReviewerHistory(reviewer: reviewer, activity: rows.map {
            ReviewerPeriodActivity(reviewer: reviewer, period: F.q($0.key), reviews: $0.value.0,
                                   uniformReviews: $0.value.1, commentedReviews: $0.value.2)
        })
        return MotivationRules.perfunctoryReviewer(history, context: F.context, thresholds: thresholds)
    }

    @Test func perfunctoryReviewerPositive() throws {
        let f = try #require(Self.activity(["2026-Q3": (4, 4, 1), "2026-Q4": (4, 3, 1)]))
        #expect(f.subject == Self.reviewer && f.rule.flagsReviewer)
        #expect(f.window == PeriodWindow(start: F.q("2026-Q3"), end: F.q("2026-Q4")))
        #expect(abs(f.ratio - 0.875 / 0.8) < 1e-9)
        #expect(f.evidence.comparisons.contains { $0.quantity == "uniform_share" && $0.observed == 0.875 })
        #expect(!f.evidence.comparisons.contains { $0.quantity == "commented_reviews" })
        #expect(f.evidence.explanation.contains("7 of them (88%) give the same score on all seven BerAKHLAK values"))
        #expect(f.evidence.penjelasan.contains("7 di antaranya (88%)"))
    }

    @Test func perfunctoryReviewerNegative() {
        #expect(Self.activity(["2026-Q3": (5, 2, 3), "2026-Q4": (5, 3, 2)]) == nil)
    }

    @Test func perfunctoryReviewerAtTheThreshold() {
        #expect(Self.activity(["2026-Q4": (10, 8, 1)])?.ratio == 1)
        #expect(Self.activity(["2026-Q4": (10, 7, 1)]) == nil)
        // Fewer reviews than the minimum: nothing, however uniform and silent.
        #expect(Self.activity(["2026-Q3": (2, 2, 0), "2026-Q4": (2, 2, 0)]) == nil)
        #expect(Self.activity(["2026-Q3": (2, 2, 0), "2026-Q4": (3, 3, 0)]) != nil)
    }

    @Test func perfunctoryReviewerNeverCommenting() throws {
        let f = try #require(Self.activity(["2026-Q4": (6, 1, 0)]))
        #expect(f.ratio == 1 && f.evidence.comparisons.contains { $0.quantity == "commented_reviews" })
        #expect(f.evidence.penjelasan.contains("tidak satu pun disertai komentar"))
        var off = F.defaults
        off.perfunctoryReviewer.flagNeverCommenting = false
        #expect(Self.activity(["2026-Q4": (6, 1, 0)], thresholds: off) == nil)
        let both = try #require(Self.activity(["2026-Q4": (6, 6, 0)]))
        #expect(abs(both.ratio - 1.75) < 1e-9 && both.baseSeverity == .warning)
    }

    @Test func perfunctoryReviewerMissingPeriods() throws {
        let f = try #require(Self.activity(["2026-Q2": (3, 0, 3), "2026-Q4": (6, 6, 2)]))
        #expect(f.window.start == F.q("2026-Q4"))
        #expect(f.evidence.series.values.suffix(3) == [0, nil, 1])
        let names = Set(f.evidence.measurements.map(\.name))
        #expect(names.isSubset(of: ["reviews", "uniform_reviews", "commented_reviews", "uniform_share"]))
    }

    // MARK: privacy across the rules

    /// Every pattern holds, and the rekan and bawahan aggregates come from 2 reviewers (below the
    /// minimum of 3) with a large drop: no rule may use or show them.
    @Test(arguments: MotivationRule.allCases)
    func fewerReviewersThanTheAnonymityMinimum(rule: MotivationRule) {
        let records = [
            F.rec("2026-Q2", predikat: .baik, mean: 4.2, own: 4.6, atasan: 3.5, selfStatus: .missing,
                  rekan: (4.9, 2), bawahan: (4.9, 2)),
            F.rec("2026-Q3", predikat: .butuhPerbaikan, mean: 3.9, own: 4.6, atasan: 3.5, selfStatus: .missing,
                  rekan: (4.9, 2), bawahan: (4.9, 2)),
            F.rec("2026-Q4", predikat: .sangatKurang, mean: 3.5, own: 4.6, atasan: 3.5, selfStatus: .missing,
                  rekan: (1.2, 2), bawahan: (1.1, 2)),
        ]
        let history = F.history(records)
        let reviewerHistory = ReviewerHistory(reviewer: F.subject, activity: [
            ReviewerPeriodActivity(reviewer: F.subject, period: F.q("2026-Q4"), reviews: 6, uniformReviews: 6, commentedReviews: 0),
        ])
        let finding: FlagFinding?
        switch rule {
        case .decliningTrend: finding = MotivationRules.decliningTrend(history, context: F.context, thresholds: F.defaults)
        case .recognitionGap: finding = MotivationRules.recognitionGap(history, context: F.context, thresholds: F.defaults)
        case .disengaged: finding = MotivationRules.disengaged(history, context: F.context, thresholds: F.defaults)
        case .feedbackDrop: finding = MotivationRules.feedbackDrop(history, context: F.context, thresholds: F.defaults)
        case .stalledDevelopment: finding = MotivationRules.stalledDevelopment(history, context: F.context, thresholds: F.defaults)
        case .perfunctoryReviewer:
            finding = MotivationRules.perfunctoryReviewer(reviewerHistory, context: F.context, thresholds: F.defaults)
        }
        if rule == .feedbackDrop {
            #expect(finding == nil)
            return
        }
        guard let f = finding else {
            Issue.record("\(rule.rawValue) should hold on this history")
            return
        }
        let names = f.evidence.measurements.map(\.name) + f.evidence.comparisons.map(\.quantity) + [f.evidence.series.name]
        #expect(!names.contains { $0.contains("rekan") || $0.contains("bawahan") })
        for text in [f.evidence.explanation, f.evidence.penjelasan] {
            #expect(!text.contains("4.90") && !text.contains("4,90") && !text.contains("1.20") && !text.contains("1,20"))
        }
    }
}
