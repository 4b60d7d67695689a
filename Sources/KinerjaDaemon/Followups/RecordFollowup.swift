import Foundation
import KinerjaDomain
import KinerjaStore

/// Records a follow-up's outcome: the one implementation behind the atasan's web page
/// (`io.kinerjad.Review.RecordFollowup`) and the admin's `kinerjactl followups record`.
/// Refuses, naming the field, a malformed or impossible outcome and a task that no longer awaits one.
struct RecordFollowup {
    let runtime: DaemonRuntime

    struct Fields: Sendable {
        var heldOn: String
        var action: String
        var note: String
        var nextCheck: String?
    }

    func callAsFunction(id: Int64, _ fields: Fields, by actor: String, via: String) async throws -> FollowupRecord {
        let now = runtime.now()
        let today = CalendarDate(now, in: runtime.config.cycles.zone)
        guard let (current, _) = try await runtime.withDatabase({ db in try db.followup(id: id) }) else {
            throw NotFound("follow-up", "\(id)")
        }
        let outcome: FollowupOutcome
        switch FollowupOutcome.parse(heldOn: fields.heldOn, action: fields.action, note: fields.note, nextCheck: fields.nextCheck,
                                     createdOn: current.createdOn, today: today) {
        case .success(let o): outcome = o
        case .failure(let error): throw Refusal(error.problems)
        }
        let result = try await runtime.withDatabase { db in
            try db.recordFollowupOutcome(id: id, outcome, by: actor, via: via, now: now)
        }
        switch result {
        case .notFound: throw NotFound("follow-up", "\(id)")
        case .notAwaiting(let status):
            throw Refusal("id: follow-up \(id) is \(status.rawValue); its outcome is recorded already")
        case .recorded(let record):
            var metadata = FollowupPass.metadata(record)
            metadata["message_id"] = "\(MessageIDs.followupHeld)"
            metadata["via"] = "\(via)"
            metadata["action"] = "\(outcome.action.rawValue)"
            runtime.logger.notice("Follow-up \(id) held on \(outcome.heldOn) (\(outcome.action.rawValue)), recorded via \(via)",
                                  metadata: metadata)
            return record
        }
    }
}
