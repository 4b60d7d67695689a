import Foundation

/// A strict JSON (RFC 8259) parser over UTF-8 bytes.
///
/// It rejects trailing data, duplicate object keys, lone surrogates and invalid UTF-8, and limits
/// nesting depth so hostile input cannot exhaust the stack.
public struct JSONParser: Sendable {
    /// Default limit for nested arrays and objects.
    public static let defaultMaxDepth = 128

    /// Arrays and objects may nest at most this deep.
    public var maxDepth: Int

    public init(maxDepth: Int = JSONParser.defaultMaxDepth) {
        self.maxDepth = maxDepth
    }

    /// Parses one JSON value that must span all of `bytes` (surrounding whitespace allowed).
    public func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        var cursor = Cursor(bytes: bytes, maxDepth: maxDepth)
        cursor.skipWhitespace()
        let value = try cursor.parseValue(depth: 0)
        cursor.skipWhitespace()
        if cursor.position < bytes.count {
            throw JSONParseError(offset: cursor.position, reason: .trailingData)
        }
        return value
    }

    /// Parses UTF-8 bytes.
    public func parse<Bytes: Sequence<UInt8>>(bytes: Bytes) throws(JSONParseError) -> JSONValue {
        let array = Array(bytes)
        do {
            return try array.withUnsafeBytes { raw in try parse(raw) }
        } catch let error as JSONParseError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    /// Parses a string.
    public func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(bytes: Array(text.utf8))
    }
}

extension JSONValue {
    /// Parses JSON text (see ``JSONParser``).
    public init(parsing text: String, maxDepth: Int = JSONParser.defaultMaxDepth) throws(JSONParseError) {
        self = try JSONParser(maxDepth: maxDepth).parse(text)
    }

    /// Parses UTF-8 JSON bytes (see ``JSONParser``).
    public init<Bytes: Sequence<UInt8>>(
        parsing bytes: Bytes, maxDepth: Int = JSONParser.defaultMaxDepth
    ) throws(JSONParseError) {
        self = try JSONParser(maxDepth: maxDepth).parse(bytes: bytes)
    }
}

private struct Cursor {
    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    var position = 0

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    var atEnd: Bool { position >= bytes.count }

    func fail(_ reason: JSONParseError.Reason, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? position, reason: reason)
    }

    func unexpected() -> JSONParseError {
        atEnd ? fail(.unexpectedEnd) : fail(.unexpectedByte(bytes[position]))
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard !atEnd else { throw fail(.unexpectedEnd) }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw unexpected()
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = literal.utf8Start
        for index in 0..<literal.utf8CodeUnitCount {
            guard position < bytes.count else { throw fail(.unexpectedEnd) }
            guard bytes[position] == start[index] else { throw unexpected() }
            position += 1
        }
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        if depth > maxDepth { throw fail(.tooDeep(limit: maxDepth)) }
        position += 1  // {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if !atEnd && bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard !atEnd, bytes[position] == UInt8(ascii: "\"") else { throw unexpected() }
            let keyOffset = position
            let key = try parseString()
            skipWhitespace()
            guard !atEnd, bytes[position] == UInt8(ascii: ":") else { throw unexpected() }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            if members.updateValue(value, forKey: key) != nil {
                throw fail(.duplicateKey(key), at: keyOffset)
            }
            skipWhitespace()
            guard !atEnd else { throw fail(.unexpectedEnd) }
            switch bytes[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            default: throw unexpected()
            }
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        if depth > maxDepth { throw fail(.tooDeep(limit: maxDepth)) }
        position += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if !atEnd && bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard !atEnd else { throw fail(.unexpectedEnd) }
            switch bytes[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(elements)
            default: throw unexpected()
            }
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        var isInteger = true
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard !atEnd, isDigit(bytes[position]) else { throw fail(.invalidNumber, at: atEnd ? position : position) }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if !atEnd && isDigit(bytes[position]) { throw fail(.invalidNumber) }
        } else {
            while !atEnd && isDigit(bytes[position]) { position += 1 }
        }
        if !atEnd && bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard !atEnd, isDigit(bytes[position]) else { throw fail(.invalidNumber) }
            while !atEnd && isDigit(bytes[position]) { position += 1 }
        }
        if !atEnd && (bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")) {
            isInteger = false
            position += 1
            if !atEnd && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) {
                position += 1
            }
            guard !atEnd, isDigit(bytes[position]) else { throw fail(.invalidNumber) }
            while !atEnd && isDigit(bytes[position]) { position += 1 }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if isInteger, let value = Int64(text) {
            return .int(value)
        }
        guard let value = Double(text), value.isFinite else {
            throw fail(.numberOutOfRange, at: start)
        }
        return .double(value)
    }

    func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    mutating func parseString() throws(JSONParseError) -> String {
        position += 1  // opening quote
        var result = ""
        var segmentStart = position
        while true {
            guard position < bytes.count else { throw fail(.unexpectedEnd) }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                try appendSegment(from: segmentStart, to: position, into: &result)
                position += 1
                return result
            }
            if byte < 0x20 {
                throw fail(.controlCharacterInString)
            }
            if byte == UInt8(ascii: "\\") {
                try appendSegment(from: segmentStart, to: position, into: &result)
                try parseEscape(into: &result)
                segmentStart = position
                continue
            }
            position += 1
        }
    }

    func appendSegment(from start: Int, to end: Int, into result: inout String) throws(JSONParseError) {
        guard end > start else { return }
        let segment = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        guard let text = String(validating: segment, as: UTF8.self) else {
            throw fail(.invalidUTF8, at: firstInvalidUTF8Offset(start: start, end: end))
        }
        result += text
    }

    /// The offset of the first byte that does not begin a valid UTF-8 sequence in `start..<end`.
    func firstInvalidUTF8Offset(start: Int, end: Int) -> Int {
        var offset = start
        var lastGood = start
        var decoder = UTF8()
        var iterator = UnsafeRawBufferPointer(rebasing: bytes[start..<end]).makeIterator()
        var consumed = 0
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                consumed += UTF8.width(scalar)
                lastGood = start + consumed
            case .emptyInput:
                break loop
            case .error:
                offset = lastGood
                return offset
            }
        }
        return lastGood
    }

    mutating func parseEscape(into result: inout String) throws(JSONParseError) {
        let escapeStart = position
        position += 1  // backslash
        guard position < bytes.count else { throw fail(.unexpectedEnd) }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): result.append("\"")
        case UInt8(ascii: "\\"): result.append("\\")
        case UInt8(ascii: "/"): result.append("/")
        case UInt8(ascii: "b"): result.append("\u{08}")
        case UInt8(ascii: "f"): result.append("\u{0C}")
        case UInt8(ascii: "n"): result.append("\n")
        case UInt8(ascii: "r"): result.append("\r")
        case UInt8(ascii: "t"): result.append("\t")
        case UInt8(ascii: "u"):
            let unit = try parseHex4(escapeStart: escapeStart)
            if UTF16.isLeadSurrogate(unit) {
                guard position + 1 < bytes.count,
                    bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                else { throw fail(.unpairedSurrogate, at: escapeStart) }
                let trailStart = position
                position += 2
                let trail = try parseHex4(escapeStart: trailStart)
                guard UTF16.isTrailSurrogate(trail) else { throw fail(.unpairedSurrogate, at: trailStart) }
                let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(trail) - 0xDC00)
                result.unicodeScalars.append(Unicode.Scalar(value)!)
            } else if UTF16.isTrailSurrogate(unit) {
                throw fail(.unpairedSurrogate, at: escapeStart)
            } else {
                result.unicodeScalars.append(Unicode.Scalar(unit)!)
            }
        default:
            throw fail(.invalidEscape, at: escapeStart)
        }
    }

    mutating func parseHex4(escapeStart: Int) throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard position < bytes.count else { throw fail(.unexpectedEnd) }
            let byte = bytes[position]
            let digit: UInt16
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt16(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt16(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt16(byte - UInt8(ascii: "A") + 10)
            default: throw fail(.invalidUnicodeEscape, at: escapeStart)
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
