/// Writes CSV the way `CSVParser` reads it (RFC 4180): `,` between fields, CRLF-free `\n` line ends,
/// a field quoted when it holds a quote, a line break or surrounding spaces, with quotes doubled
/// inside.
///
/// Written text reads back to the same fields (checked by the `csv-*` fuzz targets). For
/// that, a field is also quoted when it holds either separator, `,` or `;`, whichever is written:
/// the reader detects the separator from the header by counting both outside quotes, so an unquoted
/// `;` in a comma file's header could make it read as a semicolon file. A field starting with a byte
/// order mark is quoted so the reader cannot take it for the file's BOM, and a line of one empty
/// field is written as `""` because an empty line is skipped.
public enum CSVWriter {
    /// One field, quoted when needed.
    public static func field(_ text: String, separator: Character = ",") -> String {
        // Bytes, not Characters: the reader works on bytes, and a quote followed by a combining mark
        // is one Character that is not `"` (found by the csv-skm and csv-training fuzz targets).
        let separatorBytes = Array(String(separator).utf8)
        let needsQuotes = text.utf8.contains(where: {
            $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "\"")
                || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") || (separatorBytes.count == 1 && $0 == separatorBytes[0])
        })
            || text.first?.isWhitespace == true || text.last?.isWhitespace == true
            || text.unicodeScalars.first == "\u{FEFF}"
        guard needsQuotes else { return text }
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in text.unicodeScalars {
            quoted.append(scalar)
            if scalar == "\"" { quoted.append("\"") }
        }
        quoted.append("\"")
        return String(quoted)
    }

    /// One line (without the line end).
    public static func line(_ fields: [String], separator: Character = ",") -> String {
        if fields == [""] { return "\"\"" }
        return fields.map { field($0, separator: separator) }.joined(separator: String(separator))
    }
}
