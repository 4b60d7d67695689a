import Logging

/// A journal `MESSAGE_ID`: a 128-bit id written as 32 lowercase hexadecimal characters, naming
/// an event type so that `journalctl MESSAGE_ID=…` finds it and the journal catalog explains it.
///
/// Attach it to a log call with ``metadataKey``:
/// ```swift
/// static let cycleOpened: MessageID = "4f2a0c1e9b7d4e6a8c3b5d7f9e1a2c4b"
/// logger.notice("cycle opened", metadata: [MessageID.metadataKey: .messageID(.cycleOpened)])
/// ```
public struct MessageID: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The swift-log metadata key that ``JournalLogHandler`` turns into `MESSAGE_ID`.
    public static let metadataKey = "message_id"

    /// The id as 32 lowercase hexadecimal characters.
    public let hex: String

    /// Validates `text`: exactly 32 hexadecimal characters (upper case is accepted and lowered).
    /// - Throws: ``SystemdError`` (`invalidMessageID`) saying what is wrong and where.
    public init(hex text: String) throws(SystemdError) {
        if let problem = MessageID.problem(with: text) {
            throw SystemdError(.invalidMessageID, "message id \"\(text)\" \(problem)")
        }
        self.hex = text.lowercased()
    }

    /// Validates `text`, returning `nil` when it is not 32 hexadecimal characters.
    /// (There is no unlabelled `init(_:)`: with a literal argument Swift would pick the literal
    /// initializer, which stops the program on an invalid id.)
    public init?(validating text: String) {
        guard MessageID.problem(with: text) == nil else { return nil }
        self.hex = text.lowercased()
    }

    /// A literal id. An invalid literal is a programming error and stops the program with the reason.
    public init(stringLiteral value: String) {
        if let problem = MessageID.problem(with: value) {
            preconditionFailure("message id literal \"\(value)\" \(problem)")
        }
        self.hex = value.lowercased()
    }

    public var description: String { hex }

    /// Why `text` is not a message id, or `nil` when it is one.
    public static func problem(with text: String) -> String? {
        let bytes = Array(text.utf8)
        if bytes.count != 32 {
            return "has \(bytes.count) bytes; a message id is 32 hexadecimal characters"
        }
        if let index = bytes.firstIndex(where: { !isHexDigit($0) }) {
            return "has a non-hexadecimal character at position \(index + 1)"
        }
        return nil
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"):
            true
        default:
            false
        }
    }
}

extension Logger.MetadataValue {
    /// The metadata value for a ``MessageID``: its 32 hex characters.
    public static func messageID(_ id: MessageID) -> Logger.MetadataValue {
        .string(id.hex)
    }
}
