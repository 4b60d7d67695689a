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
            var period: Period?
            if let text = call.parameters["period"]?.stringValue {
                do { period = try Period(parsing: text) } catch { throw AdminError.invalidInput(["period: \(error)"]) }
            }
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
    ]
}
