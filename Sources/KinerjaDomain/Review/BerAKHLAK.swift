/// The seven BerAKHLAK core values of ASN, on which perilaku kerja is scored.
///
/// Rule implemented: docs/domain-rules.md "Perilaku kerja is scored on the 7 BerAKHLAK values" (SE MenPANRB
/// 20/2021; PermenPANRB 6/2022). Raw values are the snake_case column names used in review files and
/// JSON; `name` is the Indonesian name shown to people. Declaration order is the official order.
public enum BerAKHLAKValue: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable {
    case berorientasiPelayanan = "berorientasi_pelayanan"
    case akuntabel
    case kompeten
    case harmonis
    case loyal
    case adaptif
    case kolaboratif

    /// The official name (`Berorientasi Pelayanan`).
    public var name: String {
        switch self {
        case .berorientasiPelayanan: return "Berorientasi Pelayanan"
        case .akuntabel: return "Akuntabel"
        case .kompeten: return "Kompeten"
        case .harmonis: return "Harmonis"
        case .loyal: return "Loyal"
        case .adaptif: return "Adaptif"
        case .kolaboratif: return "Kolaboratif"
        }
    }

    var position: Int {
        switch self {
        case .berorientasiPelayanan: return 0
        case .akuntabel: return 1
        case .kompeten: return 2
        case .harmonis: return 3
        case .loyal: return 4
        case .adaptif: return 5
        case .kolaboratif: return 6
        }
    }
}

/// One reviewer's scores on the seven BerAKHLAK values, each an integer 1–5.
///
/// Rule implemented: docs/domain-rules.md "1–5 per value per reviewer". Encoded as an object keyed by the value's
/// snake_case name.
public struct BerAKHLAKScores: Sendable, Hashable {
    /// Allowed score range.
    public static let range = 1...5

    /// The seven scores packed one per byte (value i in bits 8i…8i+7): no allocation per review,
    /// which matters with 150,000 reviews in a cycle.
    private(set) var packed: UInt64

    /// Scores in the official order (Berorientasi Pelayanan … Kolaboratif); throws when there are not
    /// exactly seven or one is outside 1–5.
    public init(_ ordered: [Int]) throws(ScoreError) {
        guard ordered.count == 7 else { throw ScoreError.wrongCount(ordered.count) }
        for (i, s) in ordered.enumerated() where !Self.range.contains(s) {
            throw ScoreError.outOfRange(value: BerAKHLAKValue.allCases[i], score: s)
        }
        var p: UInt64 = 0
        for (i, s) in ordered.enumerated() { p |= UInt64(s) << (8 * UInt64(i)) }
        packed = p
    }

    /// Scores already packed by `packed` (no check: only for values that came from `packed`).
    init(packed: UInt64) {
        self.packed = packed
    }

    /// Scores by value; every value must be present.
    public init(_ byValue: [BerAKHLAKValue: Int]) throws(ScoreError) {
        var ordered: [Int] = []
        for value in BerAKHLAKValue.allCases {
            guard let s = byValue[value] else { throw ScoreError.missing(value) }
            ordered.append(s)
        }
        try self.init(ordered)
    }

    /// The same score on every value.
    public init(uniform score: Int) throws(ScoreError) {
        try self.init([Int](repeating: score, count: 7))
    }

    public subscript(value: BerAKHLAKValue) -> Int { score(at: value.position) }

    private func score(at i: Int) -> Int { Int((packed >> (8 * UInt64(i))) & 0xFF) }

    /// Scores in the official order.
    public var ordered: [Int] { (0..<7).map(score(at:)) }

    /// Sum of the seven scores (7–35).
    public var total: Int { (0..<7).reduce(0) { $0 + score(at: $1) } }

    /// Mean of the seven scores (1–5).
    public var mean: Double { Double(total) / 7 }

    /// Whether all seven scores are equal (a sign of a perfunctory review).
    public var isUniform: Bool { (1..<7).allSatisfy { score(at: $0) == score(at: 0) } }
}

extension BerAKHLAKScores: Codable {
    public init(from decoder: any Decoder) throws {
        let byValue = try [BerAKHLAKValue: Int](from: decoder)
        do {
            try self.init(byValue)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var map: [BerAKHLAKValue: Int] = [:]
        for v in BerAKHLAKValue.allCases { map[v] = self[v] }
        try map.encode(to: encoder)
    }
}

/// Why a set of BerAKHLAK scores is invalid (seven values, each 1–5).
public enum ScoreError: Error, Sendable, Hashable, CustomStringConvertible {
    case wrongCount(Int)
    case missing(BerAKHLAKValue)
    case outOfRange(value: BerAKHLAKValue, score: Int)

    public var message: String {
        switch self {
        case .wrongCount(let n): return "expected 7 BerAKHLAK scores, found \(n)"
        case .missing(let v): return "the score for \(v.name) is missing"
        case .outOfRange(let v, let s): return "the score for \(v.name) must be 1–5, found \(s)"
        }
    }

    public var description: String { message }
}
