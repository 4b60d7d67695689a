import Foundation
import KinerjaDomain
import KinerjaStore

/// Fills the follow-up slots of a message when it is rendered for sending (see `ReviewLinkSlot`): a new
/// token per task the message lists, whose SHA-256 is committed before the text exists, so a message
/// handed to the mail system always carries links that open and the outbox never holds one. A daemon
/// killed after the commit and before the hand-off leaves links nobody holds; one killed during the
/// hand-off sends the message again (same Message-ID) with new links, while the first copy's keep
/// working (follow-up links never revoke each other).
struct FollowupLinks {
    let runtime: DaemonRuntime

    /// A task's link without `web.public_base_url`: no URL that would not open, but whom to ask.
    static func unavailableText(contact: String) -> String {
        "melalui web belum tersedia; silakan menghubungi \(contact)."
    }

    /// A task's link when the task no longer exists (its flag was deleted since the pass).
    static func goneText(contact: String) -> String {
        "(tindak lanjut ini sudah dihapus; informasi: \(contact).)"
    }

    /// `body` (the text of `message`) with every follow-up slot filled with a new link. Throws when the
    /// links cannot be stored (the attempt then fails and is retried; nothing is sent).
    func fill(_ body: String, of message: OutboxMessage) async throws -> String {
        let web = runtime.config.web
        let ids = ReviewLinkSlot.ids(.followup, in: body)
        guard !ids.isEmpty else { return body }
        guard let base = web.publicBaseURL else {
            return ReviewLinkSlot.fill(body, .followup) { _ in Self.unavailableText(contact: web.contact) }
        }
        let now = runtime.now()
        let tokens = Dictionary(uniqueKeysWithValues: ids.map { ($0, WebToken.generate()) })
        let hashes = tokens.mapValues(\.sha256)
        let stored = try await runtime.withDatabase { db in try db.addFollowupLinks(tokens: hashes, now: now) }
        runtime.logger.info("Follow-up links made for outbox message \(message.id)", metadata: [
            "outbox_id": "\(message.id)", "count": "\(stored.count)",
        ])
        return ReviewLinkSlot.fill(body, .followup) { ids in
            let urls = ids.compactMap { id in stored.contains(id) ? tokens[id].map { "\(base)/f/\($0.text)" } : nil }
            return urls.isEmpty ? Self.goneText(contact: web.contact) : urls.joined(separator: " ")
        }
    }
}
