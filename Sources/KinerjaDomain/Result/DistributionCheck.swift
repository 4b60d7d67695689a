/// The organisation's own performance predikat (predikat kinerja organisasi, PermenPANRB 6/2022),
/// which sets how the predikat of its employees may be distributed.
public enum OrganisationPredikat: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable {
    case istimewa
    case baik
    case butuhPerbaikan = "butuh_perbaikan"
    case kurang
    case sangatKurang = "sangat_kurang"

    public var name: String {
        switch self {
        case .istimewa: return "Istimewa"
        case .baik: return "Baik"
        case .butuhPerbaikan: return "Butuh Perbaikan"
        case .kurang: return "Kurang"
        case .sangatKurang: return "Sangat Kurang"
        }
    }
}

/// Caps on the share of each employee predikat in a unit, per organisation predikat (config).
///
/// Rule implemented: docs/domain-rules.md "Organisation distribution (SE MenPANRB 3/2023): the share of each
/// predikat in a unit is capped according to the organisation's own predikat; the caps are config".
/// A cap is a maximum share 0…1; a predikat without a cap is not limited. Encoded as
/// `{ "istimewa": { "sangat_baik": 0.2, … }, … }`.
public struct DistributionCaps: Sendable, Hashable, Codable {
    public var table: [OrganisationPredikat: [Predikat: Double]]

    public init(_ table: [OrganisationPredikat: [Predikat: Double]]) {
        self.table = table
    }

    public init(from decoder: any Decoder) throws {
        table = try [OrganisationPredikat: [Predikat: Double]](from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try table.encode(to: encoder)
    }

    /// The caps that apply when the organisation's predikat is `organisation`.
    public func caps(for organisation: OrganisationPredikat) -> [Predikat: Double] {
        table[organisation] ?? [:]
    }

    /// What is wrong (every cap must be within 0…1); empty when valid.
    public var problems: [String] {
        var result: [String] = []
        for org in OrganisationPredikat.allCases {
            for p in Predikat.allCases {
                if let cap = table[org]?[p], !(cap.isFinite && cap >= 0 && cap <= 1) {
                    result.append("cap \(org.rawValue).\(p.rawValue) must be a share between 0 and 1, found \(cap)")
                }
            }
        }
        return result
    }
}

/// How the predikat of one unit's employees are distributed (SE MenPANRB 3/2023 distribution, per unit).
public struct UnitDistribution: Sendable, Hashable, Codable {
    public var unit: String
    public var total: Int
    /// Count per predikat (every predikat present, 0 when none).
    public var counts: [Predikat: Int]

    /// Share of `predikat` (0…1; 0 for an empty unit).
    public func share(_ predikat: Predikat) -> Double {
        total == 0 ? 0 : Double(counts[predikat] ?? 0) / Double(total)
    }

    /// One distribution per unit, sorted by unit code, from (unit, predikat) pairs.
    public static func tally(_ results: [(unit: String, predikat: Predikat)]) -> [UnitDistribution] {
        var byUnit: [String: [Predikat: Int]] = [:]
        for r in results { byUnit[r.unit, default: [:]][r.predikat, default: 0] += 1 }
        return byUnit.keys.sorted().map { unit in
            var counts = byUnit[unit]!
            for p in Predikat.allCases where counts[p] == nil { counts[p] = 0 }
            return UnitDistribution(unit: unit, total: counts.values.reduce(0, +), counts: counts)
        }
    }
}

/// A unit in which a predikat exceeds its cap (docs/domain-rules.md "a report shows breaches").
public struct DistributionBreach: Sendable, Hashable, Codable, CustomStringConvertible {
    public var unit: String
    public var predikat: Predikat
    public var count: Int
    public var total: Int
    public var share: Double
    public var cap: Double
    /// The most employees the cap allows with this total (⌊cap × total⌋).
    public var allowedCount: Int

    public var description: String {
        "\(unit): \(predikat.name) \(count) of \(total) (\(Self.percent(share))) exceeds the cap of "
            + "\(Self.percent(cap)) (at most \(allowedCount))"
    }

    static func percent(_ x: Double) -> String {
        let tenths = Int((x * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }
}

/// Checks each unit's predikat distribution against the caps for the organisation's predikat.
///
/// Rule implemented: SE MenPANRB 3/2023 as described in docs/domain-rules.md. A breach is a share strictly above
/// the cap (a share equal to the cap is allowed; 1e-9 tolerance for rounding). Units with fewer than
/// `minimumUnitSize` rated employees are skipped (in a unit of 2 any single Sangat Baik is 50 %).
public enum DistributionCheck {
    public static func breaches(_ distributions: [UnitDistribution], organisation: OrganisationPredikat,
                                caps: DistributionCaps, minimumUnitSize: Int = 1) -> [DistributionBreach] {
        let applicable = caps.caps(for: organisation)
        var result: [DistributionBreach] = []
        for d in distributions where d.total >= max(1, minimumUnitSize) {
            for p in Predikat.allCases.reversed() {
                guard let cap = applicable[p] else { continue }
                let count = d.counts[p] ?? 0
                let share = d.share(p)
                if share > cap + 1e-9 {
                    result.append(DistributionBreach(
                        unit: d.unit, predikat: p, count: count, total: d.total, share: share, cap: cap,
                        allowedCount: Int((cap * Double(d.total) + 1e-9).rounded(.down))))
                }
            }
        }
        return result
    }

    /// The units `breaches` does not check, each with the reason: fewer rated employees than
    /// `minimumUnitSize`, or no cap for its organisation's predikat. A report says "no unit exceeds
    /// its caps" only about the units that were checked.
    public static func unchecked(_ distributions: [UnitDistribution], organisation: (String) -> OrganisationPredikat,
                                 caps: DistributionCaps, minimumUnitSize: Int) -> [UncheckedUnit] {
        distributions.compactMap { d in
            if d.total < max(1, minimumUnitSize) {
                return UncheckedUnit(unit: d.unit, rated: d.total, reason: "only \(d.total) employee\(d.total == 1 ? "" : "s") "
                    + "with a predikat, fewer than results.distribution.minimum_unit_size (\(minimumUnitSize))")
            }
            let org = organisation(d.unit)
            if caps.caps(for: org).isEmpty {
                return UncheckedUnit(unit: d.unit, rated: d.total, reason: "no cap is set for organisation predikat \(org.rawValue)")
            }
            return nil
        }
    }
}

/// A unit whose distribution was not checked against the caps, and why.
public struct UncheckedUnit: Sendable, Hashable, Codable {
    public var unit: String
    /// Employees of the unit with a predikat.
    public var rated: Int
    public var reason: String
}
