/// A rating against expectation, used for both hasil kerja and perilaku kerja.
///
/// Rule implemented: PermenPANRB 6/2022 and docs/domain-rules.md "Ratings: hasil kerja and perilaku kerja are
/// each Di Atas / Sesuai / Di Bawah Ekspektasi". Ordered Di Bawah < Sesuai < Di Atas. Raw values are
/// the file/JSON names.
public enum Rating: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CodingKeyRepresentable {
    case diBawah = "di_bawah"
    case sesuai
    case diAtas = "di_atas"

    /// The official wording (`Di Atas Ekspektasi`).
    public var name: String {
        switch self {
        case .diBawah: return "Di Bawah Ekspektasi"
        case .sesuai: return "Sesuai Ekspektasi"
        case .diAtas: return "Di Atas Ekspektasi"
        }
    }

    /// Accepts the raw value and what people type: `Di Atas`, `di atas ekspektasi`, `DiAtas`,
    /// `di-bawah`, `Sesuai Ekspektasi` (case, spaces, `_` and `-` ignored; `ekspektasi` optional).
    public init?(parsing text: String) {
        var key = String(text.lowercased().filter { $0.isLetter })
        if key.hasSuffix("ekspektasi") { key.removeLast("ekspektasi".count) }
        switch key {
        case "dibawah": self = .diBawah
        case "sesuai": self = .sesuai
        case "diatas": self = .diAtas
        default: return nil
        }
    }

    public static func < (a: Rating, b: Rating) -> Bool { a.rank < b.rank }

    var rank: Int {
        switch self {
        case .diBawah: return 0
        case .sesuai: return 1
        case .diAtas: return 2
        }
    }

    /// The accepted values, for messages.
    public static let spellings = "di_atas, sesuai, di_bawah (or Di Atas/Sesuai/Di Bawah Ekspektasi)"
}
