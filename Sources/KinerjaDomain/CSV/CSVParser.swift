/// Reader for the CSV files people really have: exported from SIMPEG or saved by Excel, not only
/// what RFC 4180 allows.
///
/// Rules implemented: UTF-8 with or without a byte order mark; CRLF, LF or a lone CR as line ends;
/// `,` or `;` as the separator (Excel in the Indonesian locale writes `;`), detected from the header
/// line: whichever occurs more often outside quotes, `,` on a tie; RFC 4180 quoting: a field in double
/// quotes may contain the separator, line breaks and doubled quotes (`""`). Inside quoted fields a CRLF
/// becomes LF. A quote inside an unquoted field is kept as text (`5" monitor`); text after a closing
/// quote (`"a"b`) is an error. Physical lines that are completely empty are skipped.
///
/// Every record carries the physical line on which it starts (1-based; a quoted line break moves the
/// following records down), and field `i` of a record is column `i + 1`.
///
/// Empty input (nothing, only a BOM, or only blank lines) is `CSVError.emptyFile`. A header without
/// records parses to a document with no records; the importers treat that as an error because an
/// empty import is almost always a mistake (and an empty employee import would deactivate everyone).
public enum CSVParser {
    /// Parses `text`.
    public static func parse(_ text: String) throws(CSVError) -> CSVDocument {
        var copy = text
        let result = copy.withUTF8 { buffer in Result { () throws(CSVError) in try parse(bytes: buffer) } }
        return try result.get()
    }

    /// Parses raw file bytes; bytes that are not valid UTF-8 are an error naming line and column.
    public static func parse(bytes input: some Collection<UInt8>) throws(CSVError) -> CSVDocument {
        let bytes = Array(input)
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(CSVError) in try parse(bytes: buffer) }
        }
        return try result.get()
    }

    static let quote = UInt8(ascii: "\"")
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")

    private static func parse(bytes b: UnsafeBufferPointer<UInt8>) throws(CSVError) -> CSVDocument {
        var stream = CSVStreamParser()
        var records = try stream.feed(b)
        records += try stream.finish()
        guard let header = records.first else { throw CSVError(line: 1, column: nil, reason: .emptyFile) }
        return CSVDocument(separator: stream.separator, hadByteOrderMark: stream.hadByteOrderMark, header: header,
                           records: Array(records.dropFirst()))
    }

    /// `,` or `;`, from the first record.
    ///
    /// The first record is read twice, with the parser's rules, once with each separator. When only
    /// one reading has well-formed quotes (a quote opens a field, and only a separator or the line end
    /// follows the closing quote), that one is taken: `a;"b,c"` is a `;` file, `a,"b;c;d"` a `,` file,
    /// as `CSVWriter` writes them. Otherwise the `;` reading decides: `;` when it has more `;` than
    /// unquoted `,`, `,` on a tie. Without quotes this is "whichever occurs more often". (Counting
    /// every quote as opening or closing quoted text let a stray quote in the header, `5" x`, run the
    /// count on into the records; found by the `csv-*` fuzz targets.)
    /// `nil` when the first record is not complete in `b` and more bytes may follow (`final` false).
    static func detectSeparator(_ b: UnsafeBufferPointer<UInt8>, from start: Int, final: Bool) -> CSVSeparator? {
        let semicolon = readFirstRecord(b, from: start, separator: UInt8(ascii: ";"), other: UInt8(ascii: ","))
        let comma = readFirstRecord(b, from: start, separator: UInt8(ascii: ","), other: UInt8(ascii: ";"))
        guard final || (semicolon.complete && comma.complete) else { return nil }
        if semicolon.wellFormed != comma.wellFormed {
            return semicolon.wellFormed ? .semicolon : .comma
        }
        return semicolon.separators > semicolon.others ? .semicolon : .comma
    }

    /// The first record read with `separator`: separators, unquoted `other` bytes, and whether its
    /// quotes are well formed.
    static func readFirstRecord(
        _ b: UnsafeBufferPointer<UInt8>, from start: Int, separator: UInt8, other: UInt8
    ) -> (separators: Int, others: Int, wellFormed: Bool, complete: Bool) {
        var separators = 0, others = 0
        var wellFormed = true
        var inQuotes = false
        var atFieldStart = true
        var afterClosingQuote = false
        var i = start
        while i < b.count {
            let c = b[i]
            i += 1
            if inQuotes {
                if c == quote {
                    if i < b.count, b[i] == quote {
                        i += 1
                    } else {
                        inQuotes = false
                        afterClosingQuote = true
                    }
                }
                continue
            }
            if c == cr || c == lf { return (separators, others, wellFormed, true) }
            if c == separator {
                separators += 1
                atFieldStart = true
                afterClosingQuote = false
                continue
            }
            if afterClosingQuote { wellFormed = false }
            if c == other { others += 1 }
            if c == quote {
                if atFieldStart { inQuotes = true } else { wellFormed = false }
            }
            atFieldStart = false
        }
        if inQuotes { wellFormed = false }
        return (separators, others, wellFormed, false)
    }
}

/// The field separator of a CSV file: `,`, or `;` as Excel writes in the Indonesian locale.
public enum CSVSeparator: String, Sendable, Hashable, Codable {
    case comma = ","
    case semicolon = ";"

    var byte: UInt8 { self == .comma ? UInt8(ascii: ",") : UInt8(ascii: ";") }
}

/// One record of a CSV file: its fields (field `i` is column `i + 1`) and the physical line on which
/// it starts, so that every problem can be reported with line, column and reason.
public struct CSVRecord: Sendable, Hashable, Codable {
    public var line: Int
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }

    /// Whether every field is empty after trimming whitespace (a row of separators, as spreadsheets
    /// leave below the data).
    public var isBlank: Bool {
        fields.allSatisfy { $0.allSatisfy(\.isWhitespace) }
    }
}

/// A parsed CSV file: the header record, the data records and what was detected (see `CSVParser`).
public struct CSVDocument: Sendable, Hashable {
    public var separator: CSVSeparator
    public var hadByteOrderMark: Bool
    public var header: CSVRecord
    public var records: [CSVRecord]
}

/// A CSV file that cannot be read at all, with the line and column where reading stopped.
///
/// Rule implemented: PREAMBLE "errors are values that name what and where"; the reasons follow the
/// reading rules of `CSVParser`.
public struct CSVError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What stopped the reading.
    public enum Reason: String, Sendable, Hashable, Codable {
        case emptyFile
        case invalidUTF8
        case unterminatedQuote
        case textAfterClosingQuote
    }

    /// 1-based physical line.
    public var line: Int
    /// 1-based column (field index), when it applies.
    public var column: Int?
    public var reason: Reason

    public var message: String {
        switch reason {
        case .emptyFile:
            return "the file is empty: expected a header line and at least one record"
        case .invalidUTF8:
            return "the text is not valid UTF-8; save the file as \"CSV UTF-8\""
        case .unterminatedQuote:
            return "a quoted field starts here and is never closed (missing closing \")"
        case .textAfterClosingQuote:
            return "unexpected text after a closing quote; write a quote inside a quoted field as \"\""
        }
    }

    public var description: String {
        "line \(line)" + (column.map { ", column \($0)" } ?? "") + ": " + message
    }
}

extension CSVRecord {
    /// The longest field an import takes, in UTF-8 bytes: far above any name, address or comment
    /// (the import rules allow a few hundred characters), and small enough that a record always fits
    /// in one message to the daemon.
    public static let maxFieldBytes = 64 << 10

    /// The first field longer than `maxFieldBytes`, as a problem with its line and column
    /// (`columnNames[i]` names column `i + 1` when given); `nil` when every field fits.
    public func oversizedField(columnNames: [String] = []) -> ImportProblem? {
        guard let index = fields.firstIndex(where: { $0.utf8.count > Self.maxFieldBytes }) else { return nil }
        return ImportProblem(
            line: line, column: index + 1, columnName: index < columnNames.count ? columnNames[index] : nil, code: .tooLong,
            message: "the field has \(fields[index].utf8.count) bytes, at most \(Self.maxFieldBytes) allowed")
    }
}
