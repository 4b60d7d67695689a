/// Why a JSON text was rejected, and where: `offset` is the byte offset (from 0) in the input.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong.
    public enum Reason: Sendable, Hashable {
        case unexpectedEnd
        case unexpectedByte(UInt8)
        case invalidNumber
        case numberOutOfRange
        case invalidEscape
        case invalidUnicodeEscape
        case unpairedSurrogate
        case controlCharacterInString
        case invalidUTF8
        case duplicateKey(String)
        case tooDeep(limit: Int)
        case trailingData
    }

    /// Byte offset (0-based) at which the problem was found.
    public var offset: Int
    /// What was wrong there.
    public var reason: Reason

    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        "invalid JSON at byte \(offset): \(reasonText)"
    }

    private var reasonText: String {
        switch reason {
        case .unexpectedEnd: return "unexpected end of input"
        case .unexpectedByte(let byte):
            if byte >= 0x20 && byte < 0x7F {
                return "unexpected character '\(Character(Unicode.Scalar(byte)))'"
            }
            return "unexpected byte 0x\(String(byte, radix: 16, uppercase: true))"
        case .invalidNumber: return "malformed number"
        case .numberOutOfRange: return "number out of range"
        case .invalidEscape: return "invalid escape sequence in string"
        case .invalidUnicodeEscape: return "invalid \\u escape in string"
        case .unpairedSurrogate: return "unpaired UTF-16 surrogate in \\u escape"
        case .controlCharacterInString: return "unescaped control character in string"
        case .invalidUTF8: return "invalid UTF-8 in string"
        case .duplicateKey(let key): return "duplicate object key \"\(key)\""
        case .tooDeep(let limit): return "nesting deeper than \(limit) levels"
        case .trailingData: return "unexpected data after the JSON value"
        }
    }
}
