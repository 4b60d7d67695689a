/// A journal field name that satisfies journald's rules: only `A`–`Z`, `0`–`9` and `_`, not
/// starting with `_` (reserved for fields journald adds itself) or a digit, at most 64 characters.
/// journald silently drops fields whose names break these rules, so names are checked here.
public struct JournalFieldName: Hashable, Sendable, CustomStringConvertible {
    /// The longest name journald accepts.
    public static let maximumLength = 64

    /// The validated name, e.g. `KINERJA_NIP`.
    public let rawValue: String

    /// Validates `name`.
    /// - Throws: ``SystemdError`` (`invalidFieldName`) naming the field and the rule it breaks.
    public init(_ name: String) throws(SystemdError) {
        if let problem = JournalFieldName.problem(with: name) {
            throw SystemdError(.invalidFieldName, "journal field name \"\(name)\" \(problem)")
        }
        self.rawValue = name
    }

    /// Validates `name`, returning `nil` when it breaks a rule.
    public init?(validating name: String) {
        guard JournalFieldName.problem(with: name) == nil else { return nil }
        self.rawValue = name
    }

    private init(unchecked name: String) {
        self.rawValue = name
    }

    public var description: String { rawValue }

    /// Why `name` is not a valid journal field name, or `nil` when it is.
    public static func problem(with name: String) -> String? {
        let bytes = Array(name.utf8)
        guard let first = bytes.first else { return "is empty" }
        if bytes.count > maximumLength {
            return "is \(bytes.count) bytes long; at most \(maximumLength) are allowed"
        }
        if first == UInt8(ascii: "_") { return "starts with \"_\", which is reserved for journald's own fields" }
        if isDigit(first) { return "starts with a digit" }
        if let index = bytes.firstIndex(where: { !isAllowed($0) }) {
            let offset = bytes.distance(from: bytes.startIndex, to: index)
            return "has a character other than A-Z, 0-9 and _ at byte \(offset)"
        }
        return nil
    }

    /// The `KINERJA_*` field for a swift-log metadata key: the key upper-cased, every character
    /// other than `A`–`Z`, `0`–`9` and `_` turned into `_`, after `prefix`, cut to 64 characters.
    ///
    /// `nip` → `KINERJA_NIP`, `cycle.id` → `KINERJA_CYCLE_ID`, `jumlah-pegawai` → `KINERJA_JUMLAH_PEGAWAI`.
    /// - Parameter prefix: a valid field name prefix; `KINERJA_` by default.
    public static func sanitized(metadataKey key: String, prefix: String = "KINERJA_") -> JournalFieldName {
        var name = prefix.unicodeScalars.map { sanitize($0) }
        name += key.unicodeScalars.map { sanitize($0) }
        if let first = name.first, first == "_" || (0x30...0x39).contains(first.value) {
            name.insert(contentsOf: ["K", "_"], at: 0)   // only reachable with a custom prefix
        } else if name.isEmpty {
            name = ["K"]
        }
        let text = String(String.UnicodeScalarView(name.prefix(maximumLength)))
        return JournalFieldName(unchecked: text)
    }

    private static func sanitize(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0x41...0x5A, 0x30...0x39, 0x5F: scalar                   // A-Z, 0-9, _
        case 0x61...0x7A: Unicode.Scalar(scalar.value - 0x20)!         // a-z → A-Z
        default: "_"
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || isDigit(byte) || byte == UInt8(ascii: "_")
    }
}
