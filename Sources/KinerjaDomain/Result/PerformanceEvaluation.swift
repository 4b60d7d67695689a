/// One reviewer's scores for a subject, as input to the result computation (docs/domain-rules.md "Perilaku kerja
/// is scored on the 7 BerAKHLAK values … per reviewer"). Who the reviewer is does not enter the result
/// (each value counts once, by its role), so the close does not look reviewers up to build these.
public struct RoleScores: Sendable, Hashable, Codable {
    public var role: ReviewerRole
    public var scores: BerAKHLAKScores

    public init(role: ReviewerRole, scores: BerAKHLAKScores) {
        self.role = role
        self.scores = scores
    }
}

/// The aggregate of one role's reviews of a subject.
///
/// Rule implemented: docs/domain-rules.md "Anonymity": for `rekan` and `bawahan`, when fewer than the minimum of
/// reviewers submitted, `isHidden` is true and the means are `nil` (only the count is shown).
public struct RoleAggregate: Sendable, Hashable, Codable {
    public var role: ReviewerRole
    public var reviewerCount: Int
    /// Mean over the role's reviewers of their mean over the seven values; `nil` when hidden.
    public var mean: Double?
    /// Mean per BerAKHLAK value; `nil` when hidden.
    public var valueMeans: [BerAKHLAKValue: Double]?
    public var isHidden: Bool
}

/// The perilaku side of a subject's result (docs/domain-rules.md "weighted 360 mean with configurable weights and
/// thresholds"), the weights renormalised over the roles present when a role has no usable aggregate.
public struct PerilakuResult: Sendable, Hashable, Codable {
    /// One aggregate per role that has at least one review, in the order self, atasan, rekan, bawahan.
    public var roles: [RoleAggregate]
    /// The weighted 360 mean (1–5), `nil` when no role with a positive weight is usable.
    public var weightedMean: Double?
    /// The weights actually applied, renormalised to sum to 1 (empty when `weightedMean` is `nil`).
    public var appliedWeights: [ReviewerRole: Double]
    /// The rating from the thresholds, `nil` when there is no weighted mean.
    public var computedRating: Rating?

    /// The aggregate of `role`, if any review was given in it.
    public func aggregate(_ role: ReviewerRole) -> RoleAggregate? { roles.first { $0.role == role } }
}

/// The atasan's override of the computed perilaku rating; the reason is required.
///
/// Rule implemented: docs/domain-rules.md "the supervisor may override it with a recorded reason".
public struct PerilakuOverride: Sendable, Hashable, Codable {
    public var rating: Rating
    public var reason: String

    /// Throws when the reason is empty after trimming.
    public init(rating: Rating, reason: String) throws(OverrideError) {
        let trimmed = reason.trimmed
        guard !trimmed.isEmpty else { throw OverrideError.missingReason }
        self.rating = rating
        self.reason = trimmed
    }
}

/// Why an override is refused (docs/domain-rules.md: the override needs "a recorded reason").
public enum OverrideError: Error, Sendable, Hashable, CustomStringConvertible {
    case missingReason
    public var description: String { "overriding the perilaku rating requires a reason" }
}

/// A subject's result for a cycle.
///
/// Rule implemented: docs/domain-rules.md "Ratings" and the predikat matrix: perilaku rating = override if any,
/// else the computed rating; predikat = matrix(hasil kerja, perilaku), `nil` while either is missing.
public struct PerformanceResult: Sendable, Hashable, Codable {
    public var subject: NIP
    public var perilaku: PerilakuResult
    public var perilakuOverride: PerilakuOverride?
    /// The rating that counts: the override's, else the computed one.
    public var perilakuRating: Rating?
    public var hasilKerja: Rating?
    public var predikat: Predikat?

    /// Why there is no perilaku rating when the atasan's review is missing.
    public static let noAtasanReview = "no atasan review: a perilaku rating needs the atasan's scores "
        + "(self, rekan and bawahan reviews alone never give one)"

    /// What is missing for a predikat (English sentences); empty when the predikat is known.
    public var missing: [String] {
        var result: [String] = []
        if hasilKerja == nil { result.append("no hasil kerja rating from the atasan") }
        if perilakuRating == nil {
            result.append(perilaku.aggregate(.atasan) == nil ? Self.noAtasanReview : "no usable perilaku scores")
        }
        return result
    }
}

/// Computes perilaku aggregates, ratings and predikat.
///
/// Rules implemented (docs/domain-rules.md "Domain rules"): per role, the mean of each reviewer's mean over the
/// seven values (equal to the mean of all the role's scores); anonymity minimum for rekan and bawahan;
/// weighted 360 mean over the usable roles with positive weight, weights renormalised; rating by
/// thresholds, only when the atasan (the pejabat penilai kinerja) has reviewed: the weighted mean
/// of self, rekan and bawahan alone is shown but never rated, so a self-review cannot rate itself;
/// override; predikat matrix. Linear in the number of reviews.
public enum PerformanceEvaluation {
    /// The perilaku result from one subject's reviews.
    public static func perilaku(reviews: [RoleScores], policy: ResultPolicy) -> PerilakuResult {
        var totals: [ReviewerRole: [Int]] = [:]
        var counts: [ReviewerRole: Int] = [:]
        for r in reviews {
            var t = totals[r.role] ?? [Int](repeating: 0, count: 7)
            for (i, s) in r.scores.ordered.enumerated() { t[i] += s }
            totals[r.role] = t
            counts[r.role, default: 0] += 1
        }
        var aggregates: [RoleAggregate] = []
        var usable: [(ReviewerRole, Double)] = []
        for role in ReviewerRole.allCases {
            guard let n = counts[role], let t = totals[role] else { continue }
            if role.isAnonymous && n < policy.anonymityMinimum {
                aggregates.append(RoleAggregate(role: role, reviewerCount: n, mean: nil, valueMeans: nil, isHidden: true))
                continue
            }
            var valueMeans: [BerAKHLAKValue: Double] = [:]
            for v in BerAKHLAKValue.allCases { valueMeans[v] = Double(t[v.position]) / Double(n) }
            let mean = Double(t.reduce(0, +)) / Double(7 * n)
            aggregates.append(RoleAggregate(role: role, reviewerCount: n, mean: mean, valueMeans: valueMeans,
                                            isHidden: false))
            if policy.weights[role] > 0 { usable.append((role, mean)) }
        }
        let weightSum = usable.reduce(0) { $0 + policy.weights[$1.0] }
        guard weightSum > 0 else {
            return PerilakuResult(roles: aggregates, weightedMean: nil, appliedWeights: [:], computedRating: nil)
        }
        var applied: [ReviewerRole: Double] = [:]
        var weighted = 0.0
        for (role, mean) in usable {
            let w = policy.weights[role] / weightSum
            applied[role] = w
            weighted += w * mean
        }
        // The minimum for a rating: the atasan's scores (see `PerformanceEvaluation`).
        let rated = counts[.atasan] != nil
        return PerilakuResult(roles: aggregates, weightedMean: weighted, appliedWeights: applied,
                              computedRating: rated ? policy.thresholds.rating(for: weighted) : nil)
    }

    /// The full result of one subject.
    public static func evaluate(subject: NIP, reviews: [RoleScores], hasilKerja: Rating?,
                                override: PerilakuOverride? = nil, policy: ResultPolicy) -> PerformanceResult {
        let perilaku = perilaku(reviews: reviews, policy: policy)
        let rating = override?.rating ?? perilaku.computedRating
        let predikat = hasilKerja.flatMap { h in rating.map { Predikat(hasilKerja: h, perilaku: $0) } }
        return PerformanceResult(subject: subject, perilaku: perilaku, perilakuOverride: override,
                                 perilakuRating: rating, hasilKerja: hasilKerja, predikat: predikat)
    }
}
