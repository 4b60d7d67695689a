/// Decodes an `application/x-www-form-urlencoded` body (the HTML form encoding): `name=value` pairs
/// joined by `&`, `+` for a space, `%XX` escapes, UTF-8. Pure and total: malformed input gives an
/// error naming the byte offset, never a crash (a fuzz target checks this).
public enum FormDecoder {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "form body, byte \(offset): \(reason)" }
    }

    /// Fields in order; a name may repeat. At most `maxFields` fields.
    public static func decode(_ body: some Collection<UInt8>, maxFields: Int = 200) throws(Failure) -> [(name: String, value: String)] {
        let bytes = Array(body)
        var fields: [(String, String)] = []
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                guard fields.count < maxFields else { throw Failure(offset: start, reason: "more than \(maxFields) fields") }
                let part = bytes[start..<end]
                let eq = part.firstIndex(of: UInt8(ascii: "=")) ?? end
                let name = try unescape(bytes, start..<eq)
                let value = eq < end ? try unescape(bytes, (eq + 1)..<end) : ""
                fields.append((name, value))
            }
            start = end + 1
        }
        return fields
    }

    static func unescape(_ bytes: [UInt8], _ range: Range<Int>) throws(Failure) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var i = range.lowerBound
        while i < range.upperBound {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
                i += 1
            } else if b == UInt8(ascii: "%") {
                guard i + 2 < range.upperBound, let hi = hex(bytes[i + 1]), let lo = hex(bytes[i + 2]) else {
                    throw Failure(offset: i, reason: "'%' is not followed by two hexadecimal digits")
                }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(b)
                i += 1
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw Failure(offset: range.lowerBound, reason: "not valid UTF-8") }
        return text
    }

    static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// Decoded form fields with look-up by name (the first occurrence wins).
public struct FormFields: Sendable {
    public let fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)]) {
        self.fields = fields
    }

    public subscript(name: String) -> String? { fields.first { $0.name == name }?.value }
}
