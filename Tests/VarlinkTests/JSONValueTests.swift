import Foundation
import Testing
import Varlink

@Suite struct JSONValueTests {
    @Test func parsesEveryKind() throws {
        let value = try JSONValue(parsing: #" {"n": null, "t": true, "f": false, "i": -42, "d": 2.5e3, "s": "x", "a": [1, [], {}]} "#)
        #expect(value["n"] == .null)
        #expect(value["t"]?.boolValue == true)
        #expect(value["f"]?.boolValue == false)
        #expect(value["i"] == .int(-42))
        #expect(value["d"] == .double(2500))
        #expect(value["s"]?.stringValue == "x")
        #expect(value["a"]?[0]?.intValue == 1)
        #expect(value["a"]?[1] == .array([]))
        #expect(value["a"]?[2] == .object([:]))
        #expect(value["a"]?[3] == nil)
        #expect(value["missing"] == nil)
    }

    @Test func numbers() throws {
        #expect(try JSONValue(parsing: "9223372036854775807") == .int(.max))
        #expect(try JSONValue(parsing: "-9223372036854775808") == .int(.min))
        #expect(try JSONValue(parsing: "9223372036854775808") == .double(9223372036854775808))
        #expect(try JSONValue(parsing: "1.0") == .double(1))
        #expect(try JSONValue(parsing: "0") == .int(0))
        #expect(try JSONValue(parsing: "-0.5E-2") == .double(-0.005))
        #expect(JSONValue.double(3.0).intValue == 3)
        #expect(JSONValue.double(3.5).intValue == nil)
        #expect(JSONValue.int(3).doubleValue == 3)
        #expect(throws: JSONParseError(offset: 0, reason: .numberOutOfRange)) { try JSONValue(parsing: "1e400") }
    }

    @Test func stringEscapes() throws {
        let value = try JSONValue(parsing: #""a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/d\u{08}\u{0C}\n\r\tAé€😀"))
        #expect(try JSONValue(parsing: "\"héllo 😀\"") == .string("héllo 😀"))
    }

    @Test(arguments: [
        ("", JSONParseError(offset: 0, reason: .unexpectedEnd)),
        ("{", JSONParseError(offset: 1, reason: .unexpectedEnd)),
        ("[1,]", JSONParseError(offset: 3, reason: .unexpectedByte(UInt8(ascii: "]")))),
        ("{\"a\" 1}", JSONParseError(offset: 5, reason: .unexpectedByte(UInt8(ascii: "1")))),
        ("[1] x", JSONParseError(offset: 4, reason: .trailingData)),
        ("{}{}", JSONParseError(offset: 2, reason: .trailingData)),
        ("01", JSONParseError(offset: 1, reason: .invalidNumber)),
        ("-", JSONParseError(offset: 1, reason: .invalidNumber)),
        ("1.", JSONParseError(offset: 2, reason: .invalidNumber)),
        ("tru", JSONParseError(offset: 3, reason: .unexpectedEnd)),
        ("nul!", JSONParseError(offset: 3, reason: .unexpectedByte(UInt8(ascii: "!")))),
        ("\"abc", JSONParseError(offset: 4, reason: .unexpectedEnd)),
        ("\"a\\x\"", JSONParseError(offset: 2, reason: .invalidEscape)),
        ("\"\\u12G4\"", JSONParseError(offset: 1, reason: .invalidUnicodeEscape)),
        ("\"\\ud83d\"", JSONParseError(offset: 1, reason: .unpairedSurrogate)),
        ("\"\\ud83d\\u0041\"", JSONParseError(offset: 7, reason: .unpairedSurrogate)),
        ("\"\\ude00\"", JSONParseError(offset: 1, reason: .unpairedSurrogate)),
        ("\"a\nb\"", JSONParseError(offset: 2, reason: .controlCharacterInString)),
        ("{\"k\":1,\"k\":2}", JSONParseError(offset: 7, reason: .duplicateKey("k"))),
        ("[1,2", JSONParseError(offset: 4, reason: .unexpectedEnd)),
        ("'x'", JSONParseError(offset: 0, reason: .unexpectedByte(UInt8(ascii: "'")))),
    ])
    func errorsNameTheOffset(input: String, expected: JSONParseError) {
        #expect(throws: expected) { try JSONValue(parsing: input) }
    }

    @Test func invalidUTF8IsRejectedWithItsOffset() {
        let bytes: [UInt8] = [0x22, 0x61, 0x62, 0xFF, 0x22]
        #expect(throws: JSONParseError(offset: 3, reason: .invalidUTF8)) { try JSONValue(parsing: bytes) }
    }

    @Test func depthLimitStopsHostileNesting() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError(offset: 128, reason: .tooDeep(limit: 128))) { try JSONValue(parsing: deep) }
        let objects = String(repeating: "{\"a\":", count: 10) + "1" + String(repeating: "}", count: 10)
        #expect(throws: JSONParseError(offset: 20, reason: .tooDeep(limit: 4))) {
            try JSONValue(parsing: objects, maxDepth: 4)
        }
        let ok = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        #expect(try JSONValue(parsing: ok).arrayValue != nil)
    }

    @Test func serializesCompactAndSorted() {
        let value: JSONValue = ["b": [1, 2.5, "x\n\"\u{01}"], "a": nil, "c": ["z": true, "y": false]]
        #expect(value.serializedString(.init(sortedKeys: true))
            == #"{"a":null,"b":[1,2.5,"x\n\"\u0001"],"c":{"y":false,"z":true}}"#)
        #expect(value.description == value.serializedString(.init(sortedKeys: true)))
    }

    @Test func prettyPrints() {
        let value: JSONValue = ["name": "Budi", "tags": ["a"], "empty": [:], "none": []]
        #expect(value.serializedString(.pretty) == """
            {
              "empty": {},
              "name": "Budi",
              "none": [],
              "tags": [
                "a"
              ]
            }
            """)
    }

    @Test func doublesRoundTripExactly() throws {
        for number in [Double.pi, 1.0, 0.1, -1e-5, 1e20, 123456.789, Double.leastNormalMagnitude] {
            let text = JSONValue.double(number).serializedString()
            #expect(try JSONValue(parsing: text) == .double(number), "\(text)")
        }
        #expect(JSONValue.double(.infinity).serializedString() == "null")
    }

    @Test func roundTripsThroughText() throws {
        let value: JSONValue = [
            "unicode": "Kota Bandung — ᮘᮔ᮪ᮓᮥᮀ 😀", "nested": [["a": [1, -2, 3.25]], nil, true],
            "big": .int(.min), "control": "\u{00}\u{1F}\u{7F}",
        ]
        for options in [JSONSerializer.Options.compact, .pretty] {
            #expect(try JSONValue(parsing: value.serialized(options)) == value)
        }
    }

    @Test func codableBridge() throws {
        struct Employee: Codable, Equatable {
            var nip: String
            var grade: Int
            var supervisor: String?
        }
        let employee = Employee(nip: "199001012015031001", grade: 3, supervisor: nil)
        let value = try JSONValue(encoding: employee)
        #expect(value["nip"] == "199001012015031001")
        #expect(value["grade"] == 3)
        #expect(try value.decode(Employee.self) == employee)
    }

    /// Values of every kind with strings drawn from quotes, backslashes, every control character,
    /// ASCII, and multi-byte UTF-8.
    static func randomValue(_ rng: inout SystemRandomNumberGenerator, depth: Int = 0) -> JSONValue {
        let alphabet: [String] = ["\"", "\\", "a", "Z", "0", " ", "é", "ṡ", "—", "😀", "/"] + (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }
        func text() -> String { (0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined() }
        switch Int.random(in: 0...(depth < 3 ? 7 : 4), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &rng))
        case 3: return .double([Double.random(in: -1e9...1e9, using: &rng), 0.1, 1e-5, 1e20, .nan, .infinity].randomElement(using: &rng)!)
        case 4: return .string(text())
        case 5, 6: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            return .object(Dictionary((0..<Int.random(in: 0...4, using: &rng)).map { _ in (text(), randomValue(&rng, depth: depth + 1)) }) { a, _ in a })
        }
    }

    @Test("compactByteCount is the length of the compact text; strings, copied whole when nothing needs an escape, read back")
    func byteCountMatchesText() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let value = Self.randomValue(&rng)
            let text = value.serialized()
            #expect(JSONSerializer.compactByteCount(value) == text.count, "\(String(decoding: text, as: UTF8.self))")
            if case .string = value {
                #expect(try JSONValue(parsing: String(decoding: text, as: UTF8.self)) == value, "\(String(decoding: text, as: UTF8.self))")
            }
        }
        #expect(JSONValue.string("NIP 198503152010011001, Siti").serialized() == Array(#""NIP 198503152010011001, Siti""#.utf8))
        #expect(JSONValue.string("a\"b\\c\nd\u{1}").serialized() == Array(#""a\"b\\c\nd\u0001""#.utf8))
    }
}
