import Foundation
import KinerjaDomain
import KinerjaStore
import Varlink

/// The `CycleReport` reply: per unit completion, predikat distribution with shares, IKM and mutu,
/// the whole cycle's totals, and the units whose distribution breaks the caps of their
/// organisation's predikat (`DistributionCheck` in KinerjaDomain holds the rule).
struct CycleReportBuilder {
    let results: DaemonConfig.Results
    let encoding: ControlEncoding

    func reply(_ data: CycleReportData) throws -> [String: JSONValue] {
        var total = UnitFigures(unit: "TOTAL", name: "All units", employees: 0, assignments: 0, submitted: 0, late: 0,
                                results: 0, predikat: [:], ikm: nil)
        var respondents = 0
        var sums = [Int](repeating: 0, count: 9)
        for u in data.units {
            total.employees += u.employees
            total.assignments += u.assignments
            total.submitted += u.submitted
            total.late += u.late
            total.results += u.results
            for (p, n) in u.predikat { total.predikat[p, default: 0] += n }
            if let ikm = u.ikm {
                respondents += ikm.respondents
                for (i, mean) in ikm.elementMeans.enumerated() where i < 9 {
                    sums[i] += Int((mean * Double(ikm.respondents)).rounded())
                }
            }
        }
        // Pooled over every respondent: the IKM of all responses together.
        total.ikm = IKMResult.compute(unit: "TOTAL", period: data.cycle.period, respondents: respondents, elementSums: sums)
        var breaches: [DistributionBreach] = []
        let distributions = data.units.map { UnitDistribution(unit: $0.unit, counts: $0.predikat) }
        for distribution in distributions {
            breaches += DistributionCheck.breaches([distribution], organisation: results.organisation(of: distribution.unit),
                                                   caps: results.caps, minimumUnitSize: results.minimumUnitSize)
        }
        // Only a closed cycle has predikat to check.
        let unchecked = data.cycle.status == .closed
            ? DistributionCheck.unchecked(distributions, organisation: results.organisation(of:), caps: results.caps,
                                          minimumUnitSize: results.minimumUnitSize)
            : []
        return [
            "cycle": try encoding.value(data.cycle),
            "units": .array(data.units.map { unitReport($0, organisation: results.organisation(of: $0.unit)) }),
            "total": unitReport(total, organisation: results.organisationPredikat),
            "breaches": .array(breaches.map { b in
                .object([
                    "unit": .string(b.unit), "predikat": .string(b.predikat.rawValue), "count": .int(Int64(b.count)),
                    "total": .int(Int64(b.total)), "share": .double(b.share), "cap": .double(b.cap),
                    "allowed": .int(Int64(b.allowedCount)), "message": .string(b.description),
                ])
            }),
            "caps_unchecked": .array(unchecked.map { u in
                .object(["unit": .string(u.unit), "rated": .int(Int64(u.rated)), "reason": .string(u.reason)])
            }),
            "caps_checked": .int(Int64(data.cycle.status == .closed ? distributions.count - unchecked.count : 0)),
        ]
    }

    func unitReport(_ u: UnitFigures, organisation: OrganisationPredikat) -> JSONValue {
        let rated = u.predikat.values.reduce(0, +)
        var object: [String: JSONValue] = [
            "unit": .string(u.unit), "name": .string(u.name), "organisation_predikat": .string(organisation.rawValue),
            "employees": .int(Int64(u.employees)), "assignments": .int(Int64(u.assignments)),
            "submitted": .int(Int64(u.submitted)), "late": .int(Int64(u.late)),
            "completion": .double(u.assignments == 0 ? 0 : Double(u.submitted) / Double(u.assignments)),
            "results": .int(Int64(u.results)),
            "predikat": .array(Predikat.allCases.reversed().map { p in
                let n = u.predikat[p] ?? 0
                return .object(["predikat": .string(p.rawValue), "name": .string(p.name), "count": .int(Int64(n)),
                                "share": .double(rated == 0 ? 0 : Double(n) / Double(rated))])
            }),
            "respondents": .int(Int64(u.ikm?.respondents ?? 0)),
        ]
        if let ikm = u.ikm {
            object["ikm"] = .double(ikm.ikmRounded)
            object["mutu"] = .string(ikm.mutu.rawValue)
        }
        return .object(object)
    }
}
