import Foundation
import KinerjaDomain
import KinerjaStore
import Varlink

/// The atasan's follow-up page on io.kinerjad.Review: a follow-up link's token opens its one task;
/// recording goes through the same use case as the admin's door (`RecordFollowup`).
extension ReviewService {
    func followupGrant(_ call: VarlinkCall) async throws -> FollowupRecord {
        let hash = try token(call, kind: "followup").sha256
        guard let record = try await runtime.withDatabase({ db in try db.followupLink(tokenHash: hash) }) else {
            throw refused("followup", "unknown or revoked")
        }
        return record
    }

    func followupPage(_ call: VarlinkCall) async throws -> [String: JSONValue] {
        let f = try await followupGrant(call)
        let today = CalendarDate(runtime.now(), in: runtime.config.cycles.zone)
        let (unitName, trainings) = try await runtime.withDatabase { db in (try db.unitName(f.unit), try db.followupTrainings(f.id)) }
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        return [
            "subject_name": .string(f.subjectName ?? f.subject.description), "unit_name": text(unitName),
            "title": .string(f.rule.judul), "seen": .string(f.seen), "recommendation": .string(f.recommendation.name),
            "due_date": .string(f.due.description), "days_left": .int(Int64(f.due.daysSinceEpoch - today.daysSinceEpoch)),
            "status": .string(f.status.rawValue), "editable": .bool(f.status.awaitsOutcome), "today": .string(today.description),
            "max_note_length": .int(Int64(FollowupOutcome.maxNoteLength)),
            "held_on": text(f.outcome?.heldOn.description), "action": text(f.outcome?.action.rawValue),
            "note": text(f.outcome?.note), "next_check": text(f.outcome?.nextCheck?.description),
            "trainings": .array(trainings.map { t in
                .object(["title": .string(t.course.title), "code": .string(t.course.code), "provider": .string(t.course.provider),
                         "mode": .string(t.course.mode.rawValue), "hours": .double(t.course.hours), "reason": .string(t.reason)])
            }),
        ]
    }

    func recordFollowup(_ call: VarlinkCall) async throws -> [String: JSONValue] {
        let f = try await followupGrant(call)
        guard f.status.awaitsOutcome else { throw Self.readOnly("the outcome of this follow-up is recorded already") }
        let p = call.parameters
        let fields = RecordFollowup.Fields(heldOn: p["held_on"]?.stringValue ?? "", action: p["action"]?.stringValue ?? "",
                                           note: p["note"]?.stringValue ?? "", nextCheck: p["next_check"]?.stringValue)
        let actor = "atasan \(f.appraiser?.description ?? "-") (web link)"
        let record = try await RecordFollowup(runtime: runtime)(id: f.id, fields, by: actor, via: "web")
        return ["status": .string(record.status.rawValue)]
    }
}
