import Foundation
import KinerjaDomain
import KinerjaStore

/// A flag's follow-up step (acknowledge, resolve, dismiss): the store checks the transition and
/// records it with the actor in the flag's history; the change is logged with the flag's fields.
struct ChangeFlag {
    let runtime: DaemonRuntime

    /// Applies `action` to flag `id`; `actor` goes into the flag's history, `peer` into the log.
    func callAsFunction(_ id: Int64, _ action: FlagAction, resolution: FlagResolution?, note: String,
                        by actor: FlagActor, peer: String) async throws -> FlagDetail {
        let now = runtime.now()
        let detail = try await runtime.withDatabase { db in
            try db.changeFlag(id: id, action: action, resolution: resolution, note: note, by: actor, at: now)
        }
        runtime.logger.notice("Motivation flag \(id) \(detail.flag.status.rawValue) by \(actor.name)", metadata: [
            "flag_id": "\(id)", "nip": "\(detail.flag.nip)", "unit": "\(detail.flag.unit ?? "-")", "rule": "\(detail.flag.rule.rawValue)",
            "status": "\(detail.flag.status.rawValue)", "peer": "\(peer)",
        ])
        return detail
    }
}
