/// Writes ``JSONValue``s as JSON text (UTF-8).
public struct JSONSerializer: Sendable {
    /// How the text is laid out.
    public struct Options: Sendable, Hashable {
        /// Write object keys in ascending order of their UTF-8 bytes (stable output for tests and diffs).
        public var sortedKeys: Bool
        /// Indent nested values by two spaces, one member per line, `"key": value`.
        public var prettyPrinted: Bool

        public init(sortedKeys: Bool = false, prettyPrinted: Bool = false) {
            self.sortedKeys = sortedKeys
            self.prettyPrinted = prettyPrinted
        }

        /// Compact, keys in dictionary order: what goes on the wire.
        public static let compact = Options()
        /// Sorted keys, indented: what a person reads.
        public static let pretty = Options(sortedKeys: true, prettyPrinted: true)
    }

    public var options: Options

    public init(options: Options = .compact) {
        self.options = options
    }

    /// Appends the JSON text of `value` to `output`.
    ///
    /// Non-finite doubles (which JSON cannot express) are written as `null`.
    public func write(_ value: JSONValue, into output: inout [UInt8]) {
        write(value, indent: 0, into: &output)
    }

    /// The JSON text of `value` as UTF-8 bytes.
    public func serialize(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        write(value, into: &output)
        return output
    }

    private func write(_ value: JSONValue, indent: Int, into output: inout [UInt8]) {
        switch value {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let flag):
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number):
            output.append(contentsOf: String(number).utf8)
        case .double(let number):
            writeDouble(number, into: &output)
        case .string(let text):
            writeString(text, into: &output)
        case .array(let elements):
            if elements.isEmpty {
                output.append(contentsOf: "[]".utf8)
                return
            }
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent: indent + 1, into: &output)
                write(element, indent: indent + 1, into: &output)
            }
            newline(indent: indent, into: &output)
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty {
                output.append(contentsOf: "{}".utf8)
                return
            }
            output.append(UInt8(ascii: "{"))
            var keys = Array(members.keys)
            if options.sortedKeys {
                keys.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            }
            for (index, key) in keys.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent: indent + 1, into: &output)
                writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                if options.prettyPrinted { output.append(UInt8(ascii: " ")) }
                write(members[key]!, indent: indent + 1, into: &output)
            }
            newline(indent: indent, into: &output)
            output.append(UInt8(ascii: "}"))
        }
    }

    private func newline(indent: Int, into output: inout [UInt8]) {
        guard options.prettyPrinted else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }

    private func writeDouble(_ number: Double, into output: inout [UInt8]) {
        guard number.isFinite else {
            output.append(contentsOf: "null".utf8)
            return
        }
        // Swift prints the shortest text that reads back as the same Double ("1.0", "3.141592653589793",
        // "1e-05", "1e+20"), all of which are valid JSON numbers.
        output.append(contentsOf: number.description.utf8)
    }

    private func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // Most strings (names, NIPs, dates) need no escape: their bytes go in as one copy.
        if !text.utf8.contains(where: Self.needsEscape) {
            output.append(contentsOf: text.utf8)
            output.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
            case 0x0A: output.append(contentsOf: #"\n"#.utf8)
            case 0x0D: output.append(contentsOf: #"\r"#.utf8)
            case 0x09: output.append(contentsOf: #"\t"#.utf8)
            case 0x08: output.append(contentsOf: #"\b"#.utf8)
            case 0x0C: output.append(contentsOf: #"\f"#.utf8)
            case 0x00..<0x20:
                output.append(contentsOf: #"\u00"#.utf8)
                output.append(hexDigit(byte >> 4))
                output.append(hexDigit(byte & 0x0F))
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Whether a byte is written escaped: a quote, a backslash or a control character.
    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// How many bytes the compact text of `value` takes (`serialize(value).count` with `.compact`),
    /// counted without writing it.
    public static func compactByteCount(_ value: JSONValue) -> Int {
        switch value {
        case .null: return 4
        case .bool(let flag): return flag ? 4 : 5
        case .int(let number): return String(number).utf8.count
        case .double(let number): return number.isFinite ? number.description.utf8.count : 4
        case .string(let text): return stringByteCount(text)
        case .array(let elements):
            return elements.isEmpty ? 2 : 1 + elements.reduce(elements.count) { $0 + compactByteCount($1) }
        case .object(let members):
            return members.isEmpty ? 2 : 1 + members.reduce(members.count) { $0 + stringByteCount($1.key) + 1 + compactByteCount($1.value) }
        }
    }

    /// A string's bytes written: its quotes, and each escaped byte as its escape (`\n`: 2, `\u001f`: 6).
    static func stringByteCount(_ text: String) -> Int {
        var count = 2
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x0A, 0x0D, 0x09, 0x08, 0x0C: count += 2
            case 0x00..<0x20: count += 6
            default: count += 1
            }
        }
        return count
    }

    private func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}

extension JSONValue {
    /// The JSON text as UTF-8 bytes.
    public func serialized(_ options: JSONSerializer.Options = .compact) -> [UInt8] {
        JSONSerializer(options: options).serialize(self)
    }

    /// The JSON text as a string.
    public func serializedString(_ options: JSONSerializer.Options = .compact) -> String {
        String(decoding: serialized(options), as: UTF8.self)
    }
}
