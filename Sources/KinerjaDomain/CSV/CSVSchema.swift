import Foundation

/// The columns an import file must or may have, and the binding of a file's header to them.
///
/// Rule implemented: header names are matched case-insensitively after trimming whitespace (and a
/// stray BOM), in any order. A missing required column, an unknown column or a column named twice is
/// an error that names the column and the expected header. Aliases let a column be written in
/// Indonesian or English (e.g. `comment` or `komentar`); the canonical name is what problems report.
public struct CSVSchema: Sendable, Hashable {
    /// One column: canonical snake_case name, accepted aliases, whether it must be present, and
    /// whether it is free text (a comment: TAB allowed, the only control character allowed anywhere).
    public struct Column: Sendable, Hashable {
        public var name: String
        public var aliases: [String]
        public var required: Bool
        public var freeText: Bool

        public init(_ name: String, aliases: [String] = [], required: Bool = true, freeText: Bool = false) {
            self.name = name
            self.aliases = aliases
            self.required = required
            self.freeText = freeText
        }
    }

    public var columns: [Column]

    public init(_ columns: [Column]) {
        self.columns = columns
    }

    /// The header a file should start with: every column, required ones first in schema order,
    /// optional ones in brackets.
    public var expectedHeader: String {
        columns.map { $0.required ? $0.name : "[\($0.name)]" }.joined(separator: ",")
    }

    /// Binds `header` to the schema, or lists every header problem (all at the header's line).
    public func bind(header: CSVRecord) -> Result<CSVColumnMap, ImportFailure> {
        var lookup: [String: String] = [:]
        for column in columns {
            lookup[column.name.lowercased()] = column.name
            for alias in column.aliases { lookup[alias.lowercased()] = column.name }
        }
        var numbers: [String: Int] = [:]
        var problems: [ImportProblem] = []
        let expected = "expected header: \(expectedHeader)"
        for (i, raw) in header.fields.enumerated() {
            let key = Self.normalise(raw)
            if key.isEmpty {
                // Empty trailing header cells (spreadsheets add them) are ignored; inner ones are not.
                if header.fields[i...].allSatisfy({ Self.normalise($0).isEmpty }) { break }
                problems.append(ImportProblem(line: header.line, column: i + 1, columnName: nil,
                                              code: .unknownColumn, message: "empty column name; \(expected)"))
                continue
            }
            guard let name = lookup[key] else {
                problems.append(ImportProblem(line: header.line, column: i + 1, columnName: raw,
                                              code: .unknownColumn,
                                              message: "unknown column '\(raw)'; \(expected)"))
                continue
            }
            if let first = numbers[name] {
                problems.append(ImportProblem(line: header.line, column: i + 1, columnName: name,
                                              code: .duplicateColumn,
                                              message: "column '\(name)' appears twice (columns \(first) and \(i + 1)); \(expected)"))
                continue
            }
            numbers[name] = i + 1
        }
        for column in columns where column.required && numbers[column.name] == nil {
            problems.append(ImportProblem(line: header.line, column: nil, columnName: column.name,
                                          code: .missingColumn,
                                          message: "missing column '\(column.name)'; \(expected)"))
        }
        if !problems.isEmpty {
            return .failure(ImportFailure(problems: problems, totalCount: problems.count))
        }
        let width = (header.fields.lastIndex { !Self.normalise($0).isEmpty } ?? -1) + 1
        let freeText = Set(columns.filter(\.freeText).compactMap { numbers[$0.name] })
        return .success(CSVColumnMap(numbers: numbers, width: width, headerLine: header.line, freeTextColumns: freeText))
    }

    static func normalise(_ text: String) -> String {
        var s = text
        if s.hasPrefix("\u{FEFF}") { s.removeFirst() }
        return s.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}

/// Where each schema column sits in a file: canonical column name → 1-based column number.
///
/// Travels with rows sent in batches (e.g. over Varlink) so that problems found later still name
/// the file's own column numbers.
public struct CSVColumnMap: Sendable, Hashable, Codable {
    public var numbers: [String: Int]
    /// Number of fields a record must have: the header's fields up to its last non-empty one.
    public var width: Int
    /// Physical line of the header (problems about the header as a whole are reported there).
    public var headerLine: Int
    /// 1-based numbers of the free-text columns, where TAB is allowed.
    public var freeTextColumns: Set<Int>

    public init(numbers: [String: Int], width: Int, headerLine: Int = 1, freeTextColumns: Set<Int> = []) {
        self.numbers = numbers
        self.width = width
        self.headerLine = headerLine
        self.freeTextColumns = freeTextColumns
    }

    /// The canonical order of `schema`, numbered 1, 2, 3, …
    public init(canonical schema: CSVSchema) {
        var numbers: [String: Int] = [:]
        for (i, c) in schema.columns.enumerated() { numbers[c.name] = i + 1 }
        let freeText = Set(schema.columns.enumerated().filter { $0.element.freeText }.map { $0.offset + 1 })
        self.init(numbers: numbers, width: schema.columns.count, freeTextColumns: freeText)
    }

    enum CodingKeys: String, CodingKey { case numbers, width, headerLine, freeTextColumns }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        numbers = try c.decode([String: Int].self, forKey: .numbers)
        width = try c.decode(Int.self, forKey: .width)
        headerLine = try c.decode(Int.self, forKey: .headerLine)
        freeTextColumns = try c.decodeIfPresent(Set<Int>.self, forKey: .freeTextColumns) ?? []
    }

    /// A problem with the record as a whole or with its characters: ``fieldCountProblem(_:)``, then
    /// the first field holding NUL or another control character (TAB only in free-text columns),
    /// named by line and column. Every import checks each record with this before anything else.
    public func recordProblem(_ record: CSVRecord) -> ImportProblem? {
        if let problem = fieldCountProblem(record) { return problem }
        for (index, field) in record.fields.enumerated() {
            let column = index + 1, allowTab = freeTextColumns.contains(column)
            // The column's name is looked up only for a field that has a problem (most have none).
            guard ControlCharacters.firstForbidden(in: field, allowTab: allowTab) != nil else { continue }
            let name = numbers.first { $0.value == column }?.key
            if let message = ControlCharacters.problem(in: field, field: name ?? "column \(column)", allowTab: allowTab) {
                return ImportProblem(line: record.line, column: column, columnName: name, code: .controlCharacter,
                                     message: message)
            }
        }
        return nil
    }

    /// 1-based column number of `name`, when the file has it.
    public func number(_ name: String) -> Int? { numbers[name] }

    /// A problem when `record` has fewer fields than the header, or more that are not empty
    /// (spreadsheets pad rows with empty trailing fields, which are accepted).
    public func fieldCountProblem(_ record: CSVRecord) -> ImportProblem? {
        let count = record.fields.count
        if count == width { return nil }
        if count > width,
           record.fields[width...].allSatisfy({ $0.allSatisfy(\.isWhitespace) }) { return nil }
        let found = count > width
            ? (record.fields.lastIndex { !$0.allSatisfy(\.isWhitespace) } ?? 0) + 1
            : count
        return ImportProblem(line: record.line, column: nil, columnName: nil, code: .fieldCount,
                             message: "the record has \(found) fields, the header has \(width); "
                                 + "check separators and quotes on this line")
    }

    /// Whether the file has the column.
    public func has(_ name: String) -> Bool { numbers[name] != nil }

    /// The value of column `name` in `record` without surrounding spaces and line breaks ("" when
    /// the file lacks the column). A leading or trailing TAB stays: in a free-text column it is what
    /// the author wrote (a spreadsheet's `\t=1+1` must not become a live `=1+1`); elsewhere
    /// ``recordProblem(_:)`` refuses it.
    public func value(_ name: String, in record: CSVRecord) -> String {
        guard let n = numbers[name], n - 1 < record.fields.count else { return "" }
        return record.fields[n - 1].trimmedKeepingTabs
    }
}
