/// Where `{tautan}`, the reviewer's personal link to the web front, goes in a stored message.
///
/// The outbox never holds a working token: the sweep writes a slot naming the cycles whose links the
/// message carries, and the delivery makes the links (a new token per cycle, its SHA-256 committed
/// before the message is handed to the mail system) and fills the slot only in the text it sends.
/// Everywhere else (preview, `reminders show`, the journal channel) the slot reads as `displayText`.
///
/// The slot is framed by U+0001, a character no value can bring into a message (`inline` turns every
/// control character of a name or label into a space), so a person's name can never imitate one.
public enum ReviewLinkSlot {
    static let frame: Character = "\u{1}"
    static let tag = "tautan:"

    /// What a slot reads as where no link is made.
    public static let displayText = "[tautan pribadi penilai, dibuat saat pesan dikirim]"

    /// What `{tautan}` reads as in a copy to the atasan or unit head: the copy never carries the
    /// reviewer's link.
    public static let copyText = "(tautan pribadi untuk mengisi penilaian dikirim hanya kepada penilai)"

    /// The slot for the links of `cycles` (ids, in the order the digest lists them).
    public static func slot(cycles: [Int64]) -> String {
        String(frame) + tag + cycles.map(String.init).joined(separator: ",") + String(frame)
    }

    /// Whether `text` holds at least one slot.
    public static func hasSlot(_ text: String) -> Bool {
        text.contains(frame)
    }

    /// The cycle ids of every slot in `text`, in order, each once.
    public static func cycles(in text: String) -> [Int64] {
        var seen = Set<Int64>(), out: [Int64] = []
        _ = fill(text) { ids in
            for id in ids where seen.insert(id).inserted { out.append(id) }
            return ""
        }
        return out
    }

    /// `text` with every slot replaced by `replacement(cycle ids)`; a frame that is not a well-formed
    /// slot is dropped.
    public static func fill(_ text: String, _ replacement: ([Int64]) -> String) -> String {
        guard hasSlot(text) else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: frame) {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: frame) else {
                out += after
                return out
            }
            let inner = after[..<close]
            if inner.hasPrefix(tag) {
                let ids = inner.dropFirst(tag.count).split(separator: ",").compactMap { Int64($0) }
                out += replacement(ids)
            }
            rest = after[after.index(after: close)...]
        }
        out += rest
        return out
    }

    /// `text` with every slot as `displayText`.
    public static func display(_ text: String) -> String {
        fill(text) { _ in displayText }
    }

    /// The text of a slot once its links are made: the URL alone for one cycle; for several, one line
    /// per cycle (`  - Siklus 2026-Q2: https://…`). `links` are (cycle label, URL) in the slot's order.
    public static func linkText(_ links: [(label: String, url: String)]) -> String {
        if links.count == 1 { return links[0].url }
        return links.map { "\n  - Siklus \($0.label): \($0.url)" }.joined()
    }
}
