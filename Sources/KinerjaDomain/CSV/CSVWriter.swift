/// Writes CSV the way `CSVParser` reads it (RFC 4180): `,` between fields, CRLF-free `\n` line ends,
/// a field quoted when it holds the separator, a quote, a line break or surrounding spaces, with
/// quotes doubled inside.
public enum CSVWriter {
    /// One field, quoted when needed.
    public static func field(_ text: String, separator: Character = ",") -> String {
        let needsQuotes = text.contains(where: { $0 == separator || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            || text.first?.isWhitespace == true || text.last?.isWhitespace == true
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One line (without the line end).
    public static func line(_ fields: [String], separator: Character = ",") -> String {
        fields.map { field($0, separator: separator) }.joined(separator: String(separator))
    }
}
