/// Weights of the reviewer roles in the 360-degree perilaku mean (config).
///
/// Rule implemented: docs/domain-rules.md "the perilaku rating comes from the weighted 360 mean with configurable
/// weights"; weights of roles without a usable aggregate are dropped and the rest renormalised to sum
/// to 1. The defaults (self 0.1, atasan 0.5, rekan 0.2, bawahan 0.2) are a starting point for
/// configuration, not a regulation. Encoded with the role names (`self`, `atasan`, `rekan`, `bawahan`).
public struct RoleWeights: Sendable, Hashable, Codable {
    public var selfAssessment: Double
    public var atasan: Double
    public var rekan: Double
    public var bawahan: Double

    public init(selfAssessment: Double = 0.1, atasan: Double = 0.5, rekan: Double = 0.2, bawahan: Double = 0.2) {
        self.selfAssessment = selfAssessment
        self.atasan = atasan
        self.rekan = rekan
        self.bawahan = bawahan
    }

    enum CodingKeys: String, CodingKey {
        case selfAssessment = "self", atasan, rekan, bawahan
    }

    public subscript(role: ReviewerRole) -> Double {
        switch role {
        case .selfAssessment: return selfAssessment
        case .atasan: return atasan
        case .rekan: return rekan
        case .bawahan: return bawahan
        }
    }

    /// What is wrong, one sentence per problem naming the key; empty when valid (every weight finite
    /// and ≥ 0, at least one > 0).
    public var problems: [String] {
        var result: [String] = []
        for role in ReviewerRole.allCases where !(self[role].isFinite && self[role] >= 0) {
            result.append("weight '\(role.rawValue)' must be a number ≥ 0, found \(self[role])")
        }
        if result.isEmpty, ReviewerRole.allCases.allSatisfy({ self[$0] == 0 }) {
            result.append("at least one role weight must be greater than 0")
        }
        return result
    }
}

/// Thresholds that turn the weighted 360 mean (1–5) into a perilaku rating (config).
///
/// Rule implemented: docs/domain-rules.md "perilaku rating … by configurable thresholds". Boundaries are
/// inclusive lower bounds: mean ≥ `diAtasFrom` is Di Atas; `sesuaiFrom` ≤ mean < `diAtasFrom` is
/// Sesuai; mean < `sesuaiFrom` is Di Bawah. Comparisons allow 1e-9 for floating-point rounding, so a
/// mean that is mathematically equal to a threshold counts as reaching it. Defaults: 4.25 and 3.0.
public struct PerilakuThresholds: Sendable, Hashable, Codable {
    public var diAtasFrom: Double
    public var sesuaiFrom: Double

    public init(diAtasFrom: Double = 4.25, sesuaiFrom: Double = 3.0) {
        self.diAtasFrom = diAtasFrom
        self.sesuaiFrom = sesuaiFrom
    }

    static let tolerance = 1e-9

    public func rating(for mean: Double) -> Rating {
        if mean + Self.tolerance >= diAtasFrom { return .diAtas }
        if mean + Self.tolerance >= sesuaiFrom { return .sesuai }
        return .diBawah
    }

    /// What is wrong; empty when 1 ≤ sesuaiFrom ≤ diAtasFrom ≤ 5.
    public var problems: [String] {
        guard sesuaiFrom.isFinite, diAtasFrom.isFinite, 1 <= sesuaiFrom, sesuaiFrom <= diAtasFrom,
              diAtasFrom <= 5 else {
            return ["thresholds must satisfy 1 ≤ sesuaiFrom ≤ diAtasFrom ≤ 5, found sesuaiFrom \(sesuaiFrom), diAtasFrom \(diAtasFrom)"]
        }
        return []
    }
}

/// How results are computed when a cycle closes (config).
///
/// Rule implemented: docs/domain-rules.md "Anonymity: peer and subordinate scores are shown only as aggregates of
/// at least 3 reviewers (config)": below `anonymityMinimum` a rekan or bawahan aggregate is hidden and
/// not used in the weighted mean.
public struct ResultPolicy: Sendable, Hashable, Codable {
    public var weights: RoleWeights
    public var thresholds: PerilakuThresholds
    public var anonymityMinimum: Int

    public init(weights: RoleWeights = RoleWeights(), thresholds: PerilakuThresholds = PerilakuThresholds(),
                anonymityMinimum: Int = 3) {
        self.weights = weights
        self.thresholds = thresholds
        self.anonymityMinimum = anonymityMinimum
    }

    /// All problems of the policy; empty when valid.
    public var problems: [String] {
        weights.problems + thresholds.problems
            + (anonymityMinimum >= 1 ? [] : ["anonymityMinimum must be 1 or more, found \(anonymityMinimum)"])
    }
}
