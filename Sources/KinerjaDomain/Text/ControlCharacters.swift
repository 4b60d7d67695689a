/// Characters that must not reach storage, a terminal or a mail body unchanged: NUL and the other C0
/// controls (U+0000–U+001F), DEL (U+007F), the C1 controls (U+0080–U+009F) and the Unicode line and
/// paragraph separators (U+2028, U+2029). A NUL cuts a value short in C APIs; the others move a
/// terminal's cursor, ring its bell, start escape sequences, or begin a new line in a mail body.
public enum ControlCharacters {
    /// A control character or a line break (TAB included).
    public static func isControlOrLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
    }

    /// The first forbidden character of `text` and its 1-based position in characters, or `nil`.
    /// TAB is allowed when `allowTab` (free text such as comments and notes).
    public static func firstForbidden(in text: String, allowTab: Bool = false) -> (position: Int, scalar: Unicode.Scalar)? {
        // Every forbidden character has a byte below 0x20 or from 0x7F up in UTF-8: text without one
        // (most fields) is clean without decoding its scalars.
        guard text.utf8.contains(where: { $0 < 0x20 || $0 >= 0x7F }),
              text.unicodeScalars.contains(where: isControlOrLineBreak) else { return nil }
        var position = 0
        for character in text {
            position += 1
            for scalar in character.unicodeScalars where isControlOrLineBreak(scalar) {
                if allowTab && scalar == "\t" { continue }
                return (position, scalar)
            }
        }
        return nil
    }

    /// `U+0000 (NUL)`, `U+001B (ESC)`, `U+2028 (LINE SEPARATOR)`: how a problem names the character.
    public static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        let names: [UInt32: String] = [
            0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x09: "TAB", 0x0A: "LF", 0x0B: "VT", 0x0C: "FF", 0x0D: "CR",
            0x1B: "ESC", 0x7F: "DEL", 0x85: "NEL", 0x9B: "CSI", 0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR",
        ]
        return names[scalar.value].map { "\(code) (\($0))" } ?? code
    }

    /// The problem sentence for a value of `field`, or `nil` when it is clean.
    public static func problem(in text: String, field: String, allowTab: Bool = false) -> String? {
        guard let (position, scalar) = firstForbidden(in: text, allowTab: allowTab) else { return nil }
        return "\(field) contains the control character \(describe(scalar)) at character \(position); "
            + (allowTab ? "only TAB is allowed among control characters here" : "control characters and line breaks are not allowed here")
    }
}
