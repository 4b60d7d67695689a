/// One field value as `journalctl -o json` prints it.
///
/// journalctl prints a plain UTF-8 value as a JSON string, a value that is not printable text
/// (invalid UTF-8, or control characters such as a newline) as an array of byte numbers, a field
/// that occurs several times in one entry as an array of such values, and a value it left out
/// (larger than its print limit without `--all`) as `null`.
public enum JournalValue: Sendable, Equatable, Decodable, CustomStringConvertible {
    case text(String)
    case bytes([UInt8])
    case multiple([JournalValue])
    case omitted

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .omitted
        } else if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if let bytes = try? container.decode([UInt8].self) {
            self = .bytes(bytes)
        } else {
            self = .multiple(try container.decode([JournalValue].self))
        }
    }

    /// The value as text: a string as it is, bytes decoded as UTF-8 (`nil` when they are not
    /// UTF-8); `nil` for several values or an omitted one.
    public var string: String? {
        switch self {
        case .text(let text): text
        case .bytes(let bytes): String(validating: bytes, as: UTF8.self)
        case .multiple, .omitted: nil
        }
    }

    /// The raw bytes of a single value; `nil` for several values or an omitted one.
    public var data: [UInt8]? {
        switch self {
        case .text(let text): Array(text.utf8)
        case .bytes(let bytes): bytes
        case .multiple, .omitted: nil
        }
    }

    /// Every value as text (one for a single value; those that decode, for several).
    public var strings: [String] {
        switch self {
        case .multiple(let values): values.compactMap(\.string)
        default: string.map { [$0] } ?? []
        }
    }

    public var description: String {
        switch self {
        case .text(let text): text.debugDescription
        case .bytes(let bytes): string?.debugDescription ?? "\(bytes.count) bytes"
        case .multiple(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .omitted: "(omitted)"
        }
    }
}

/// One journal entry read back with ``JournalNamespace/entries(matching:fields:)``.
public struct JournalRecord: Sendable, Decodable, CustomStringConvertible {
    /// Every field journalctl printed, including journald's trusted `_*` and `__*` fields.
    public let fields: [String: JournalValue]

    public init(from decoder: any Decoder) throws {
        fields = try decoder.singleValueContainer().decode([String: JournalValue].self)
    }

    /// The field's value as text (see ``JournalValue/string``).
    public subscript(_ name: String) -> String? {
        fields[name]?.string
    }

    /// The field's value as journalctl printed it.
    public func value(_ name: String) -> JournalValue? {
        fields[name]
    }

    public var description: String {
        fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
