/// One journal entry as journald's native protocol carries it: a list of fields, each a valid
/// name and a value of arbitrary bytes. The same name may appear more than once.
///
/// ``encoded()`` gives the datagram payload: `NAME=value\n` for plain values, and for values with
/// a newline or other binary content `NAME\n`, the value's length as a 64-bit little-endian
/// integer, the value, `\n` (the protocol's binary-safe form).
public struct JournalEntry: Sendable, Equatable {
    /// One field.
    public struct Field: Sendable, Equatable {
        /// The field name.
        public let name: JournalFieldName
        /// The raw value.
        public let value: [UInt8]
    }

    /// The fields in the order they are sent.
    public private(set) var fields: [Field] = []

    /// An empty entry.
    public init() {}

    /// Appends a field with a text value (sent as UTF-8).
    public mutating func append(_ name: JournalFieldName, _ value: String) {
        fields.append(Field(name: name, value: Array(value.utf8)))
    }

    /// Appends a field with a binary value.
    public mutating func append(_ name: JournalFieldName, bytes value: [UInt8]) {
        fields.append(Field(name: name, value: value))
    }

    /// The first value of the field with that name, as UTF-8 text.
    public func value(of name: String) -> String? {
        fields.first { $0.name.rawValue == name }.map { String(decoding: $0.value, as: UTF8.self) }
    }

    /// Whether `value` must use the binary-safe form: it contains a newline or any other control
    /// character except tab (journald ends a plain field at the first newline).
    public static func needsBinaryEncoding(_ value: [UInt8]) -> Bool {
        value.contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }
    }

    /// The native-protocol payload.
    public func encoded() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(fields.reduce(0) { $0 + $1.name.rawValue.utf8.count + $1.value.count + 10 })
        for field in fields {
            output.append(contentsOf: field.name.rawValue.utf8)
            if JournalEntry.needsBinaryEncoding(field.value) {
                output.append(UInt8(ascii: "\n"))
                var length = UInt64(field.value.count).littleEndian
                withUnsafeBytes(of: &length) { output.append(contentsOf: $0) }
                output.append(contentsOf: field.value)
            } else {
                output.append(UInt8(ascii: "="))
                output.append(contentsOf: field.value)
            }
            output.append(UInt8(ascii: "\n"))
        }
        return output
    }
}

extension JournalFieldName {
    /// `MESSAGE`: the human-readable message.
    public static let message = JournalFieldName(known: "MESSAGE")
    /// `PRIORITY`: the syslog priority, 0–7.
    public static let priority = JournalFieldName(known: "PRIORITY")
    /// `SYSLOG_IDENTIFIER`: the program name, e.g. `kinerjad`.
    public static let syslogIdentifier = JournalFieldName(known: "SYSLOG_IDENTIFIER")
    /// `MESSAGE_ID`: the event type, 32 lowercase hex characters.
    public static let messageID = JournalFieldName(known: "MESSAGE_ID")
    /// `CODE_FILE`: the source file of the log call.
    public static let codeFile = JournalFieldName(known: "CODE_FILE")
    /// `CODE_LINE`: the source line of the log call.
    public static let codeLine = JournalFieldName(known: "CODE_LINE")
    /// `CODE_FUNC`: the function of the log call.
    public static let codeFunction = JournalFieldName(known: "CODE_FUNC")

    fileprivate init(known name: String) {
        self.init(validating: name)!
    }
}
