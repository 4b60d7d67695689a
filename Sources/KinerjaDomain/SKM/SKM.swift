/// The nine elements of the public satisfaction survey (Survei Kepuasan Masyarakat).
///
/// Rule implemented: PermenPANRB 14/2017, Lampiran: U1–U9, each answered 1–4.
public enum SKMElement: Int, Sendable, Hashable, Codable, CaseIterable {
    case u1 = 1, u2, u3, u4, u5, u6, u7, u8, u9

    /// Column name in import files (`u1` … `u9`).
    public var column: String { "u\(rawValue)" }

    /// The element's name in the regulation.
    public var name: String {
        switch self {
        case .u1: return "Persyaratan"
        case .u2: return "Sistem, Mekanisme, dan Prosedur"
        case .u3: return "Waktu Penyelesaian"
        case .u4: return "Biaya/Tarif"
        case .u5: return "Produk Spesifikasi Jenis Pelayanan"
        case .u6: return "Kompetensi Pelaksana"
        case .u7: return "Perilaku Pelaksana"
        case .u8: return "Penanganan Pengaduan, Saran dan Masukan"
        case .u9: return "Sarana dan Prasarana"
        }
    }
}

/// One respondent's answers for a unit and period (PermenPANRB 14/2017: nine elements scored 1–4).
public struct SKMResponse: Sendable, Hashable, Codable {
    public static let range = 1...4

    public var unit: String
    public var period: Period
    /// Answers to U1…U9, each 1–4.
    public private(set) var answers: [Int]
    /// The respondent's optional fields (age band, sex, education, occupation, service used).
    public var respondent = SKMRespondent()

    /// Throws when there are not nine answers or one is outside 1–4.
    public init(unit: String, period: Period, answers: [Int]) throws(SKMError) {
        guard answers.count == 9 else { throw SKMError.wrongCount(answers.count) }
        if let i = answers.firstIndex(where: { !Self.range.contains($0) }) {
            throw SKMError.outOfRange(element: SKMElement.allCases[i], answer: answers[i])
        }
        self.unit = unit
        self.period = period
        self.answers = answers
    }

    public subscript(element: SKMElement) -> Int { answers[element.rawValue - 1] }
}

/// Why an SKM response is invalid (PermenPANRB 14/2017: nine answers, each 1–4).
public enum SKMError: Error, Sendable, Hashable, CustomStringConvertible {
    case wrongCount(Int)
    case outOfRange(element: SKMElement, answer: Int)

    public var description: String {
        switch self {
        case .wrongCount(let n): return "expected 9 answers (u1–u9), found \(n)"
        case .outOfRange(let e, let a): return "\(e.column) (\(e.name)) must be 1–4, found \(a)"
        }
    }
}

/// Service quality grade (mutu pelayanan) from the IKM.
///
/// Rule implemented: PermenPANRB 14/2017 conversion table, as in docs/domain-rules.md: A ≥ 88.31, B ≥ 76.61,
/// C ≥ 65.00, else D. The IKM is rounded to two decimals (half away from zero) before it is
/// classified, as it is published: the table's own intervals (… 76.60 | 76.61 …) are two-decimal
/// values, and a published 88.31 must be an A.
public enum Mutu: String, Sendable, Hashable, Codable, CaseIterable {
    case a = "A", b = "B", c = "C", d = "D"

    /// The performance wording of the regulation (kinerja unit pelayanan).
    public var kinerja: String {
        switch self {
        case .a: return "Sangat Baik"
        case .b: return "Baik"
        case .c: return "Kurang Baik"
        case .d: return "Tidak Baik"
        }
    }

    /// The grade of an IKM value (25–100).
    public init(ikm: Double) {
        let rounded = IKMResult.roundedToHundredths(ikm)
        if rounded >= 88.31 - 1e-9 {
            self = .a
        } else if rounded >= 76.61 - 1e-9 {
            self = .b
        } else if rounded >= 65.00 - 1e-9 {
            self = .c
        } else {
            self = .d
        }
    }
}

/// The IKM (indeks kepuasan masyarakat) of one unit and period.
///
/// Rule implemented: PermenPANRB 14/2017 and docs/domain-rules.md: the mean of each element over the respondents
/// (nilai rata-rata per unsur), IKM = mean of the nine element means × 25 (range 25–100). The
/// regulation's worked example weights each element by 0.111; the exact 1/9 is used here, which is
/// what "mean of the element means" says.
public struct IKMResult: Sendable, Hashable, Codable {
    public var unit: String
    public var period: Period
    public var respondents: Int
    /// Mean answer per element U1…U9 (1–4).
    public var elementMeans: [Double]
    /// IKM, unrounded (25–100).
    public var ikm: Double
    /// IKM rounded to two decimals, as published.
    public var ikmRounded: Double { Self.roundedToHundredths(ikm) }
    public var mutu: Mutu

    /// The IKM of a set of answer rows (each nine answers 1–4); `nil` without respondents.
    public static func compute(unit: String, period: Period, answers: [[Int]]) -> IKMResult? {
        guard !answers.isEmpty else { return nil }
        var sums = [Int](repeating: 0, count: 9)
        for row in answers {
            for (i, a) in row.prefix(9).enumerated() { sums[i] += a }
        }
        let n = Double(answers.count)
        let means = sums.map { Double($0) / n }
        // Mean of means × 25, computed from the integer total for exactness: Σ sums / (9 n) × 25.
        let ikm = Double(sums.reduce(0, +)) * 25 / (9 * n)
        return IKMResult(unit: unit, period: period, respondents: answers.count, elementMeans: means,
                         ikm: ikm, mutu: Mutu(ikm: ikm))
    }

    /// One result per (unit, period) present in `responses`, sorted by unit then period.
    public static func results(_ responses: [SKMResponse]) -> [IKMResult] {
        struct Key: Hashable { var unit: String; var period: Period }
        var groups: [Key: [[Int]]] = [:]
        for r in responses { groups[Key(unit: r.unit, period: r.period), default: []].append(r.answers) }
        return groups.keys
            .sorted { ($0.unit, $0.period.start, $0.period.kind.months) < ($1.unit, $1.period.start, $1.period.kind.months) }
            .compactMap { compute(unit: $0.unit, period: $0.period, answers: groups[$0]!) }
    }

    static func roundedToHundredths(_ x: Double) -> Double {
        // The nudge keeps values such as 88.305 (stored as 88.30499…) on their decimal side.
        ((x * 100) + (x >= 0 ? 1e-7 : -1e-7)).rounded(.toNearestOrAwayFromZero) / 100
    }
}
