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

    /// One line for a spreadsheet user (a report), with formula prefixes neutralised: see
    /// ``neutraliseFormula(_:)``.
    public static func spreadsheetLine(_ fields: [String], separator: Character = ",") -> String {
        line(fields.map(neutraliseFormula), separator: separator)
    }

    /// A cell a spreadsheet would run as a formula made inert, as OWASP recommends for CSV
    /// injection: a field starting with `=`, `+`, `-`, `@`, TAB or CR gets a single quote in front
    /// (`=1+1` is written `'=1+1`). A field already starting with `'` gets one more, so the quote
    /// can always be taken off again (``restoreFormula(_:)``). Plain numbers (`-3`, `+1.5`) are left
    /// as they are: a spreadsheet reads them as the number they are.
    public static func neutraliseFormula(_ text: String) -> String {
        guard let first = text.unicodeScalars.first else { return text }
        switch first {
        case "=", "@", "\t", "\r", "'": return "'" + text
        case "+", "-": return isPlainNumber(text) ? text : "'" + text
        default: return text
        }
    }

    /// The field ``neutraliseFormula(_:)`` was given.
    public static func restoreFormula(_ text: String) -> String {
        text.hasPrefix("'") ? String(text.dropFirst()) : text
    }

    /// `-3`, `+1.5`, `-0.25`: a sign, digits, at most one dot between digits.
    public static func isPlainNumber(_ text: String) -> Bool {
        var scalars = Array(text.unicodeScalars)[...]
        guard let sign = scalars.first, sign == "+" || sign == "-" else { return false }
        scalars = scalars.dropFirst()
        let parts = scalars.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } }
    }
}
