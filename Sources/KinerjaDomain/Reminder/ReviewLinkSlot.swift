/// Where a personal link to the web front goes in a stored message: `{tautan}`, the reviewer's links
/// (a slot of kind `review`, naming cycles), or the atasan's link to a follow-up task's page (kind
/// `followup`, naming tasks).
///
/// The outbox never holds a working token: the sweep or the follow-up pass writes a slot naming what
/// the message links to, and the delivery makes the links (a new token per id, its SHA-256 committed
/// before the message is handed to the mail system) and fills the slot only in the text it sends.
/// Everywhere else (preview, `reminders show`, the journal channel) the slot reads as its kind's
/// `displayText`.
///
/// The slot is framed by U+0001, a character no value can bring into a message (`inline` turns every
/// control character of a name or label into a space), so a person's name can never imitate one.
public enum ReviewLinkSlot {
    static let frame: Character = "\u{1}"

    /// What a slot links to; its tag is what the slot starts with.
    public enum Kind: String, Sendable, CaseIterable {
        /// The reviewer's review page, one link per cycle.
        case review = "tautan:"
        /// The atasan's page of a follow-up task, one link per task.
        case followup = "tindaklanjut:"

        /// What a slot of this kind reads as where no link is made.
        public var displayText: String {
            switch self {
            case .review: ReviewLinkSlot.displayText
            case .followup: "[tautan pribadi pencatatan tindak lanjut, dibuat saat pesan dikirim]"
            }
        }
    }

    /// What a review slot reads as where no link is made.
    public static let displayText = "[tautan pribadi penilai, dibuat saat pesan dikirim]"

    /// What `{tautan}` reads as in a copy to the atasan or unit head: the copy never carries the
    /// reviewer's link.
    public static let copyText = "(tautan pribadi untuk mengisi penilaian dikirim hanya kepada penilai)"

    /// The slot for the links of `cycles` (ids, in the order the digest lists them).
    public static func slot(cycles: [Int64]) -> String {
        slot(.review, ids: cycles)
    }

    /// The slot for the links of follow-up tasks `ids`.
    public static func slot(followups ids: [Int64]) -> String {
        slot(.followup, ids: ids)
    }

    static func slot(_ kind: Kind, ids: [Int64]) -> String {
        String(frame) + kind.rawValue + ids.map(String.init).joined(separator: ",") + String(frame)
    }

    /// Whether `text` holds at least one slot.
    public static func hasSlot(_ text: String) -> Bool {
        text.contains(frame)
    }

    /// The cycle ids of every review slot in `text`, in order, each once.
    public static func cycles(in text: String) -> [Int64] {
        ids(.review, in: text)
    }

    /// The ids of every slot of `kind` in `text`, in order, each once.
    public static func ids(_ kind: Kind, in text: String) -> [Int64] {
        var seen = Set<Int64>(), out: [Int64] = []
        _ = fill(text) { slotKind, ids in
            if slotKind == kind { for id in ids where seen.insert(id).inserted { out.append(id) } }
            return ""
        }
        return out
    }

    /// `text` with every review slot replaced by `replacement(cycle ids)`; slots of other kinds are
    /// kept as they are.
    public static func fill(_ text: String, _ replacement: ([Int64]) -> String) -> String {
        fill(text, .review, replacement)
    }

    /// `text` with every slot of `kind` replaced by `replacement(ids)`; slots of other kinds are kept.
    public static func fill(_ text: String, _ kind: Kind, _ replacement: ([Int64]) -> String) -> String {
        fill(text) { slotKind, ids in slotKind == kind ? replacement(ids) : slot(slotKind, ids: ids) }
    }

    /// `text` with every slot replaced by `replacement(kind, ids)`; a frame that is not a well-formed
    /// slot is dropped.
    public static func fill(_ text: String, _ replacement: (Kind, [Int64]) -> String) -> String {
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
            if let kind = Kind.allCases.first(where: { inner.hasPrefix($0.rawValue) }) {
                let ids = inner.dropFirst(kind.rawValue.count).split(separator: ",").compactMap { Int64($0) }
                out += replacement(kind, ids)
            }
            rest = after[after.index(after: close)...]
        }
        out += rest
        return out
    }

    /// `text` with every slot as its kind's `displayText`.
    public static func display(_ text: String) -> String {
        fill(text) { kind, _ in kind.displayText }
    }

    /// The text of a slot once its links are made: the URL alone for one cycle; for several, one line
    /// per cycle (`  - Siklus 2026-Q2: https://…`). `links` are (cycle label, URL) in the slot's order.
    public static func linkText(_ links: [(label: String, url: String)]) -> String {
        if links.count == 1 { return links[0].url }
        return links.map { "\n  - Siklus \($0.label): \($0.url)" }.joined()
    }
}
