import Foundation
import KinerjaDomain
import KinerjaStore

/// Fills `{tautan}` in a reminder or escalation when it is rendered for sending (see `ReviewLinkSlot`):
/// a new token per cycle the message lists, whose SHA-256 is committed before the text exists, so a
/// message handed to the mail system always carries links that open. A daemon killed after the commit
/// and before the hand-off leaves links nobody holds; one killed during the hand-off sends the message
/// again (same Message-ID) with new links, while the first copy's links keep working (reminder links
/// never revoke each other; `kinerjactl reviews link` makes one that revokes them all).
struct ReminderLinks {
    let runtime: DaemonRuntime

    /// `{tautan}` without `web.public_base_url`: no URL that would not open, but whom to ask.
    static func unavailableText(contact: String) -> String {
        "Pengisian penilaian melalui web belum tersedia; silakan menghubungi \(contact)."
    }

    /// `{tautan}` when none of the message's cycles can get a link any more (closed since the sweep).
    static func closedText(contact: String) -> String {
        "(Siklus penilaian ini sudah ditutup; tautan pengisian tidak lagi tersedia. Informasi: \(contact).)"
    }

    /// The body of `message` as sent: every review slot filled with the reviewer's new links (slots of
    /// other kinds are kept). Throws when
    /// the links cannot be stored (the attempt then fails and is retried; nothing is sent).
    func body(of message: OutboxMessage) async throws -> String {
        let body = message.body, web = runtime.config.web
        let cycles = ReviewLinkSlot.cycles(in: body)
        guard !cycles.isEmpty else { return body }
        guard let base = web.publicBaseURL, let reviewer = message.recipientNIP.flatMap({ NIP($0) }) else {
            return ReviewLinkSlot.fill(body) { _ in Self.unavailableText(contact: web.contact) }
        }
        let now = runtime.now()
        let tokens = Dictionary(uniqueKeysWithValues: cycles.map { ($0, WebToken.generate()) })
        let expires = web.linkLifetime.map { now.addingTimeInterval(TimeInterval($0.components.seconds)) }
        let hashes = tokens.mapValues(\.sha256)
        let stored = try await runtime.withDatabase { db in
            try db.addReminderLinks(reviewer: reviewer, tokens: hashes, expiresAt: expires, now: now, by: "outbox \(message.id)")
        }
        runtime.logger.info("Review links made for outbox message \(message.id)", metadata: [
            "outbox_id": "\(message.id)", "nip": "\(reviewer)", "count": "\(stored.count)",
        ])
        return ReviewLinkSlot.fill(body) { ids in
            let links = ids.compactMap { id -> (label: String, url: String)? in
                guard let label = stored[id], let token = tokens[id] else { return nil }
                return (label, "\(base)/r/\(token.text)")
            }
            return links.isEmpty ? Self.closedText(contact: web.contact) : ReviewLinkSlot.linkText(links)
        }
    }
}
