import Foundation
import KinerjaDomain
import KinerjaStore
import Varlink

/// Handlers of the "Web links" block of io.kinerjad.Admin.
extension AdminService {
    static let linkHandlers: [String: Handler] = [
        "ReviewLink": { service, call, reply in
            guard let reviewer = try service.nip(call, "reviewer") else { throw AdminError.invalidInput(["reviewer: required"]) }
            let outcome = try await MakeReviewLink(runtime: service.runtime)(
                reviewer: reviewer, cycle: try service.cycleReference(call, "cycle"),
                revoke: call.parameters["revoke"]?.boolValue ?? false, by: call.peerDescription)
            try await reply.reply([
                "url": outcome.url.map { .string($0) } ?? .null,
                "cycle": .string(outcome.cycle.period.code),
                "reviewer_name": outcome.grant?.reviewerName.map { .string($0) } ?? .null,
                "expires_at": service.encoding.time(outcome.grant?.expiresAt),
                "revoked": .int(Int64(outcome.revoked)),
            ])
        },
        "SurveyLink": { service, call, reply in
            let unit = call.parameters["unit"]?.stringValue ?? ""
            guard !unit.isEmpty else { throw AdminError.invalidInput(["unit: required"]) }
            let period = try Self.surveyPeriod(call)
            let outcome = try await MakeSurveyLink(runtime: service.runtime)(
                unit: unit, period: period, revoke: call.parameters["revoke"]?.boolValue ?? false, by: call.peerDescription)
            try await reply.reply([
                "url": outcome.url.map { .string($0) } ?? .null,
                "unit": .string(unit),
                "unit_name": outcome.unitName.map { .string($0) } ?? .null,
                "period": .string(outcome.period.code),
                "revoked": .int(Int64(outcome.revoked)),
            ])
        },
        "SurveyStats": { service, call, reply in
            let unit = call.parameters["unit"]?.stringValue ?? ""
            guard !unit.isEmpty else { throw AdminError.invalidInput(["unit: required"]) }
            let period = try Self.surveyPeriod(call) ?? MakeSurveyLink.currentPeriod(service.runtime)
            let zone = service.runtime.config.cycles.zone
            guard let stats = try await service.runtime.withDatabase({ db in try db.skmStats(unit: unit, period: period, in: zone) }) else {
                throw AdminError.notFound("unit", unit)
            }
            let total = { (source: String) in Int64(stats.days.reduce(0) { $0 + ($1.bySource[source] ?? 0) }) }
            try await reply.reply([
                "unit": .string(unit),
                "unit_name": .string(stats.unitName),
                "period": .string(period.code),
                "days": .array(stats.days.map { d in
                    .object(["day": .string(d.day), "web": .int(Int64(d.bySource["web"] ?? 0)),
                             "import": .int(Int64(d.bySource["import"] ?? 0)), "total": .int(Int64(d.total))])
                }),
                "web": .int(total("web")),
                "import": .int(total("import")),
                "respondents": .int(Int64(stats.ikm?.respondents ?? 0)),
                "ikm": stats.ikm.map { .double($0.ikmRounded) } ?? .null,
                "mutu": stats.ikm.map { .string($0.mutu.rawValue) } ?? .null,
            ])
        },
    ]

    /// The optional `period` parameter of the survey methods.
    static func surveyPeriod(_ call: VarlinkCall) throws -> Period? {
        guard let text = call.parameters["period"]?.stringValue else { return nil }
        do { return try Period(parsing: text) } catch { throw AdminError.invalidInput(["period: \(error)"]) }
    }
}
