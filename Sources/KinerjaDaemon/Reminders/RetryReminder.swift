import Foundation
import KinerjaDomain
import KinerjaStore

/// Making a failed or dead outbox message due again (`kinerjactl reminders retry`): attempts reset,
/// the next delivery run sends it. A sent message is refused (it is never sent twice); a pending one
/// is left as it is.
struct RetryReminder {
    let runtime: DaemonRuntime

    /// Retries message `id`; returns it as stored and whether it was changed.
    func callAsFunction(_ id: Int64, by actor: String) async throws -> (message: OutboxMessage, retried: Bool) {
        let now = runtime.now(), zone = runtime.config.cycles.zone
        switch try await runtime.withDatabase({ db in try db.retryOutboxMessage(id: id, now: now) }) {
        case .notFound:
            throw NotFound("reminder", "\(id)")
        case .alreadySent(let message):
            throw Refusal("reminder \(id) was sent at \(message.sentAt.map { Timestamp.format($0, in: zone) } ?? "?"); it is not sent twice")
        case .alreadyPending(let message):
            return (message, false)
        case .retried(let message):
            runtime.logger.notice("Reminder mail \(id) made due again by an admin", metadata: [
                "message_id": "\(MessageIDs.mailRetried)", "outbox_id": "\(id)", "peer": "\(actor)",
                "to": "\(message.to.map(\.description).joined(separator: ", "))", "subject": "\(message.subject)",
            ])
            return (message, true)
        }
    }
}
