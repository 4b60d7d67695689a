/// Text from the database made safe to print on a terminal: every control character and line
/// break is written as a visible escape, so a name holding ESC sequences, BEL, CR or U+2028 can
/// neither drive the terminal nor fake a table row.
///
/// Escapes: `\\` for a backslash, `\t`, `\n`, `\r`, `\e` (ESC), then `\xHH` for the other
/// characters below U+0100 and `\u{HHHH}` for U+2028 and U+2029. The result holds no control
/// character, and ``unescape(_:)`` gives the original back.
public enum TerminalText {
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { ControlCharacters.isControlOrLineBreak($0) || $0 == "\\" }) else {
            return text
        }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            case "\u{1B}": out.append(contentsOf: "\\e".unicodeScalars)
            case _ where ControlCharacters.isControlOrLineBreak(scalar):
                let hex = String(scalar.value, radix: 16)
                let text = scalar.value < 0x100
                    ? "\\x" + (hex.count < 2 ? "0" : "") + hex
                    : "\\u{" + hex + "}"
                out.append(contentsOf: text.unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// The text ``escape(_:)`` was given; `nil` when `text` is not such an output.
    public static func unescape(_ text: String) -> String? {
        var out = String.UnicodeScalarView()
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            guard scalar == "\\" else {
                if ControlCharacters.isControlOrLineBreak(scalar) { return nil }
                out.append(scalar)
                continue
            }
            guard let kind = scalars.popFirst() else { return nil }
            switch kind {
            case "\\": out.append("\\")
            case "t": out.append("\t")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "e": out.append("\u{1B}")
            case "x":
                guard scalars.count >= 2, let value = UInt32(String(String.UnicodeScalarView(scalars.prefix(2))), radix: 16),
                      let decoded = Unicode.Scalar(value) else { return nil }
                scalars = scalars.dropFirst(2)
                out.append(decoded)
            case "u":
                guard scalars.popFirst() == "{", let close = scalars.firstIndex(of: "}"),
                      let value = UInt32(String(String.UnicodeScalarView(scalars[..<close])), radix: 16),
                      let decoded = Unicode.Scalar(value) else { return nil }
                scalars = scalars[(close + 1)...]
                out.append(decoded)
            default: return nil
            }
        }
        return String(out)
    }
}
