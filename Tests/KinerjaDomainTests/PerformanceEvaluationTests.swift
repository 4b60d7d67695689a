import Foundation
import Testing
@testable import KinerjaDomain

@Suite("Results, predikat and distribution")
struct PerformanceEvaluationTests {
    @Test(arguments: [
        (Rating.diAtas, Rating.diBawah, Predikat.kurang),
        (.diAtas, .sesuai, .baik),
        (.diAtas, .diAtas, .sangatBaik),
        (.sesuai, .diBawah, .kurang),
        (.sesuai, .sesuai, .baik),
        (.sesuai, .diAtas, .baik),
        (.diBawah, .diBawah, .sangatKurang),
        (.diBawah, .sesuai, .butuhPerbaikan),
        (.diBawah, .diAtas, .butuhPerbaikan),
    ])
    func predikatMatrix(hasil: Rating, perilaku: Rating, expected: Predikat) {
        #expect(Predikat(hasilKerja: hasil, perilaku: perilaku) == expected)
    }

    @Test func predikatNames() {
        #expect(Predikat.kurang.name == "Kurang/Misconduct")
        #expect(Predikat.allCases.sorted().first == .sangatKurang && Predikat.allCases.sorted().last == .sangatBaik)
    }

    static func reviews(_ role: ReviewerRole, _ scores: [Int], count: Int = 1, base: Int = 100) -> [RoleScores] {
        (0..<count).map { _ in RoleScores(role: role, scores: try! BerAKHLAKScores(scores)) }
    }

    static let all4 = [4, 4, 4, 4, 4, 4, 4]
    static let all5 = [5, 5, 5, 5, 5, 5, 5]
    static let all3 = [3, 3, 3, 3, 3, 3, 3]
    static let all2 = [2, 2, 2, 2, 2, 2, 2]

    @Test func weightedMeanAllRoles() {
        let r = PerformanceEvaluation.perilaku(
            reviews: Self.reviews(.selfAssessment, Self.all5) + Self.reviews(.atasan, Self.all4)
                + Self.reviews(.rekan, Self.all3, count: 3) + Self.reviews(.bawahan, Self.all2, count: 4, base: 200),
            policy: ResultPolicy())
        // 0.1·5 + 0.5·4 + 0.2·3 + 0.2·2 = 3.5
        #expect(abs(r.weightedMean! - 3.5) < 1e-12)
        #expect(r.computedRating == .sesuai)
        #expect(r.roles.map(\.role) == [.selfAssessment, .atasan, .rekan, .bawahan])
        #expect(r.aggregate(.bawahan)?.reviewerCount == 4)
    }

    struct MissingCase: Sendable {
        let roles: [ReviewerRole]
        let expectedMean: Double
        let expectedWeights: [ReviewerRole: Double]
    }

    /// Scores by role: self 5, atasan 4, rekan 3, bawahan 2 (each with 3 reviewers where anonymous).
    @Test(arguments: [
        MissingCase(roles: [.atasan], expectedMean: 4, expectedWeights: [.atasan: 1]),
        MissingCase(roles: [.selfAssessment, .atasan], expectedMean: (0.1 * 5 + 0.5 * 4) / 0.6,
                    expectedWeights: [.selfAssessment: 0.1 / 0.6, .atasan: 0.5 / 0.6]),
        MissingCase(roles: [.atasan, .rekan], expectedMean: (0.5 * 4 + 0.2 * 3) / 0.7,
                    expectedWeights: [.atasan: 0.5 / 0.7, .rekan: 0.2 / 0.7]),
        MissingCase(roles: [.selfAssessment, .rekan, .bawahan], expectedMean: (0.1 * 5 + 0.2 * 3 + 0.2 * 2) / 0.5,
                    expectedWeights: [.selfAssessment: 0.2, .rekan: 0.4, .bawahan: 0.4]),
    ])
    func weightedMeanWithMissingRoles(_ c: MissingCase) {
        let scores: [ReviewerRole: [Int]] = [.selfAssessment: Self.all5, .atasan: Self.all4, .rekan: Self.all3, .bawahan: Self.all2]
        let reviews = c.roles.flatMap { Self.reviews($0, scores[$0]!, count: $0.isAnonymous ? 3 : 1, base: 100 * ($0.order + 1)) }
        let r = PerformanceEvaluation.perilaku(reviews: reviews, policy: ResultPolicy())
        #expect(abs(r.weightedMean! - c.expectedMean) < 1e-12)
        #expect(Set(r.appliedWeights.keys) == Set(c.expectedWeights.keys))
        for (role, w) in c.expectedWeights { #expect(abs(r.appliedWeights[role]! - w) < 1e-12) }
        #expect(abs(r.appliedWeights.values.reduce(0, +) - 1) < 1e-12)
    }

    @Test func noUsableRole() {
        let r = PerformanceEvaluation.perilaku(reviews: Self.reviews(.rekan, Self.all4, count: 2), policy: ResultPolicy())
        #expect(r.weightedMean == nil && r.computedRating == nil && r.appliedWeights.isEmpty)
        let zeroWeight = ResultPolicy(weights: RoleWeights(selfAssessment: 0, atasan: 1, rekan: 0, bawahan: 0))
        let s = PerformanceEvaluation.perilaku(reviews: Self.reviews(.selfAssessment, Self.all4), policy: zeroWeight)
        #expect(s.weightedMean == nil)
        #expect(s.aggregate(.selfAssessment)?.mean == 4)
    }

    @Test func anonymityMinimum() {
        let reviews = Self.reviews(.atasan, Self.all4) + Self.reviews(.rekan, Self.all2, count: 2)
            + Self.reviews(.bawahan, Self.all5, count: 3, base: 300)
        let r = PerformanceEvaluation.perilaku(reviews: reviews, policy: ResultPolicy())
        let rekan = r.aggregate(.rekan)!
        #expect(rekan.isHidden && rekan.mean == nil && rekan.valueMeans == nil && rekan.reviewerCount == 2)
        let bawahan = r.aggregate(.bawahan)!
        #expect(!bawahan.isHidden && bawahan.mean == 5)
        // rekan not used: (0.5·4 + 0.2·5) / 0.7
        #expect(abs(r.weightedMean! - 3.0 / 0.7) < 1e-12)
        #expect(r.appliedWeights[.rekan] == nil)
        // A lower minimum lets the 2 peers count.
        let r2 = PerformanceEvaluation.perilaku(reviews: reviews, policy: ResultPolicy(anonymityMinimum: 2))
        #expect(r2.aggregate(.rekan)?.mean == 2)
        #expect(abs(r2.weightedMean! - (0.5 * 4 + 0.2 * 2 + 0.2 * 5) / 0.9) < 1e-12)
    }

    @Test func valueMeans() throws {
        let reviews = [
            RoleScores(role: .bawahan, scores: try BerAKHLAKScores([1, 2, 3, 4, 5, 5, 5])),
            RoleScores(role: .bawahan, scores: try BerAKHLAKScores([3, 2, 3, 4, 5, 5, 4])),
            RoleScores(role: .bawahan, scores: try BerAKHLAKScores([2, 2, 3, 4, 5, 5, 3])),
        ]
        let agg = PerformanceEvaluation.perilaku(reviews: reviews, policy: ResultPolicy()).aggregate(.bawahan)!
        #expect(agg.valueMeans?[.berorientasiPelayanan] == 2)
        #expect(agg.valueMeans?[.kolaboratif] == 4)
        #expect(abs(agg.mean! - 75.0 / 21) < 1e-12)
    }

    @Test(arguments: [
        (5.0, Rating.diAtas), (4.25, .diAtas), (4.2499, .sesuai), (4.25 - 1e-12, .diAtas),
        (3.0, .sesuai), (2.9999, .diBawah), (1.0, .diBawah),
    ])
    func thresholdsAtTheirEdges(mean: Double, expected: Rating) {
        #expect(PerilakuThresholds().rating(for: mean) == expected)
    }

    @Test func thresholdEdgeReachedThroughArithmetic() {
        // A weighted mean that is mathematically 4.25 reaches Di Atas.
        let policy = ResultPolicy(weights: RoleWeights(selfAssessment: 0.25, atasan: 0.75, rekan: 0, bawahan: 0),
                                  thresholds: PerilakuThresholds(diAtasFrom: 4.25, sesuaiFrom: 3.0))
        // self mean 5, atasan mean 4 → 0.25·5 + 0.75·4 = 4.25 exactly.
        let r = PerformanceEvaluation.perilaku(reviews: Self.reviews(.selfAssessment, Self.all5) + Self.reviews(.atasan, Self.all4),
                                               policy: policy)
        #expect(r.computedRating == .diAtas)
        // 0.1 + 0.2 weights renormalised produce inexact binary fractions; the tolerance keeps 3.0 at Sesuai.
        let p2 = ResultPolicy(weights: RoleWeights(selfAssessment: 0.1, atasan: 0.2, rekan: 0, bawahan: 0))
        let r2 = PerformanceEvaluation.perilaku(reviews: Self.reviews(.selfAssessment, Self.all3) + Self.reviews(.atasan, Self.all3),
                                                policy: p2)
        #expect(abs(r2.weightedMean! - 3) < 1e-12)
        #expect(r2.computedRating == .sesuai)
    }

    @Test func policyValidation() {
        #expect(ResultPolicy().problems.isEmpty)
        #expect(RoleWeights(selfAssessment: 0, atasan: 0, rekan: 0, bawahan: 0).problems.count == 1)
        #expect(RoleWeights(selfAssessment: -1).problems.count == 1)
        #expect(PerilakuThresholds(diAtasFrom: 3, sesuaiFrom: 4).problems.count == 1)
        #expect(ResultPolicy(anonymityMinimum: 0).problems.count == 1)
        let json = try! JSONEncoder().encode(RoleWeights())
        #expect(String(decoding: json, as: UTF8.self).contains("\"self\":0.1"))
    }

    @Test func overrideAndPredikat() throws {
        let subject = TestData.nip(1)
        let reviews = Self.reviews(.selfAssessment, Self.all4) + Self.reviews(.atasan, Self.all4)
        let plain = PerformanceEvaluation.evaluate(subject: subject, reviews: reviews, hasilKerja: .diAtas, policy: ResultPolicy())
        #expect(plain.perilaku.computedRating == .sesuai)
        #expect(plain.perilakuRating == .sesuai && plain.predikat == .baik && plain.missing.isEmpty)

        let override = try PerilakuOverride(rating: .diAtas, reason: "  memimpin penanganan banjir Cicaheum  ")
        #expect(override.reason == "memimpin penanganan banjir Cicaheum")
        let overridden = PerformanceEvaluation.evaluate(subject: subject, reviews: reviews, hasilKerja: .diAtas,
                                                        override: override, policy: ResultPolicy())
        #expect(overridden.perilaku.computedRating == .sesuai)
        #expect(overridden.perilakuRating == .diAtas && overridden.predikat == .sangatBaik)

        #expect(throws: OverrideError.missingReason) { try PerilakuOverride(rating: .diBawah, reason: " \n ") }

        let noHasil = PerformanceEvaluation.evaluate(subject: subject, reviews: reviews, hasilKerja: nil, policy: ResultPolicy())
        #expect(noHasil.predikat == nil && noHasil.missing == ["no hasil kerja rating from the atasan"])
        let noReviews = PerformanceEvaluation.evaluate(subject: subject, reviews: [], hasilKerja: .sesuai, policy: ResultPolicy())
        #expect(noReviews.predikat == nil && noReviews.missing == [PerformanceResult.noAtasanReview])
    }

    /// The minimum a perilaku rating needs is the atasan's review: self 3.00 alone used to give
    /// "sesuai"; now the mean is shown and the rating is missing, with the reason.
    @Test func selfReviewAloneNeverRates() {
        let subject = TestData.nip(1)
        let selfOnly = PerformanceEvaluation.evaluate(subject: subject, reviews: Self.reviews(.selfAssessment, Self.all3),
                                                      hasilKerja: nil, policy: ResultPolicy())
        #expect(selfOnly.perilaku.weightedMean == 3 && selfOnly.perilaku.computedRating == nil)
        #expect(selfOnly.predikat == nil)
        #expect(selfOnly.missing == ["no hasil kerja rating from the atasan", PerformanceResult.noAtasanReview])
        let peersAndSelf = PerformanceEvaluation.evaluate(
            subject: subject, reviews: Self.reviews(.selfAssessment, Self.all5) + Self.reviews(.rekan, Self.all4, count: 3),
            hasilKerja: .sesuai, policy: ResultPolicy())
        #expect(peersAndSelf.perilakuRating == nil && peersAndSelf.predikat == nil)
        let withAtasan = PerformanceEvaluation.evaluate(
            subject: subject, reviews: Self.reviews(.selfAssessment, Self.all3) + Self.reviews(.atasan, Self.all3),
            hasilKerja: .sesuai, policy: ResultPolicy())
        #expect(withAtasan.perilakuRating == .sesuai && withAtasan.predikat == .baik)
    }

    @Test func distributionBreaches() throws {
        let caps = DistributionCaps([
            .istimewa: [.sangatBaik: 0.25, .baik: 0.8],
            .baik: [.sangatBaik: 0.1, .baik: 0.7],
        ])
        #expect(caps.problems.isEmpty)
        var results: [(unit: String, predikat: Predikat)] = []
        // DLHK: 10 employees, 2 Sangat Baik (20 %), 7 Baik (70 %), 1 Butuh Perbaikan.
        results += Array(repeating: ("DLHK", .sangatBaik), count: 2) + Array(repeating: ("DLHK", .baik), count: 7)
            + [("DLHK", .butuhPerbaikan)]
        // BKPSDM: 4 employees, 1 Sangat Baik (25 %), 3 Baik (75 %).
        results += [("BKPSDM", .sangatBaik)] + Array(repeating: ("BKPSDM", .baik), count: 3)
        let distributions = UnitDistribution.tally(results)
        #expect(distributions.map(\.unit) == ["BKPSDM", "DLHK"])
        #expect(distributions[1].counts[.sangatKurang] == 0 && distributions[1].total == 10)

        // Istimewa: 25 % Sangat Baik is exactly at the cap — allowed.
        #expect(DistributionCheck.breaches(distributions, organisation: .istimewa, caps: caps).isEmpty)
        // Baik: Sangat Baik capped at 10 %, Baik at 70 %.
        let breaches = DistributionCheck.breaches(distributions, organisation: .baik, caps: caps)
        #expect(breaches.map { "\($0.unit):\($0.predikat.rawValue):\($0.count)/\($0.total):\($0.allowedCount)" } == [
            "BKPSDM:sangat_baik:1/4:0", "BKPSDM:baik:3/4:2", "DLHK:sangat_baik:2/10:1",
        ])
        #expect(breaches[2].description == "DLHK: Sangat Baik 2 of 10 (20.0%) exceeds the cap of 10.0% (at most 1)")
        // Small units can be left out.
        #expect(DistributionCheck.breaches(distributions, organisation: .baik, caps: caps, minimumUnitSize: 5).count == 1)
        // No caps for this organisation predikat: nothing to breach.
        #expect(DistributionCheck.breaches(distributions, organisation: .kurang, caps: caps).isEmpty)
        #expect(DistributionCaps([.baik: [.baik: 1.5]]).problems.count == 1)

        let json = try JSONEncoder().encode(caps)
        #expect(try JSONDecoder().decode(DistributionCaps.self, from: json) == caps)
        #expect(String(decoding: json, as: UTF8.self).contains("\"istimewa\""))
    }
}
