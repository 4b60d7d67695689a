/// One problem found in an import file: where (line, column number and name) and why.
///
/// Rule implemented: every problem is reported with line, column and reason. `line` is the
/// physical line where the record starts (1-based); `column` is the 1-based field index; either may be
/// absent when the problem concerns a whole record or the whole file. `code` is stable for scripts,
/// `message` is an English sentence for people.
public struct ImportProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Stable, machine-readable kind of problem (snake_case). Extensible: other modules may add codes.
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let emptyFile = Code(rawValue: "empty_file")
        public static let noRecords = Code(rawValue: "no_records")
        public static let invalidUTF8 = Code(rawValue: "invalid_utf8")
        public static let unterminatedQuote = Code(rawValue: "unterminated_quote")
        public static let textAfterClosingQuote = Code(rawValue: "text_after_closing_quote")
        public static let missingColumn = Code(rawValue: "missing_column")
        public static let unknownColumn = Code(rawValue: "unknown_column")
        public static let duplicateColumn = Code(rawValue: "duplicate_column")
        public static let fieldCount = Code(rawValue: "field_count")
        public static let missingValue = Code(rawValue: "missing_value")
        public static let badNIP = Code(rawValue: "bad_nip")
        public static let duplicateNIP = Code(rawValue: "duplicate_nip")
        public static let unknownSupervisor = Code(rawValue: "unknown_supervisor")
        public static let inactiveSupervisor = Code(rawValue: "inactive_supervisor")
        public static let selfSupervision = Code(rawValue: "self_supervision")
        public static let supervisorLoop = Code(rawValue: "supervisor_loop")
        public static let unknownUnit = Code(rawValue: "unknown_unit")
        public static let badEmail = Code(rawValue: "bad_email")
        public static let badStatus = Code(rawValue: "bad_status")
        public static let badBoolean = Code(rawValue: "bad_boolean")
        public static let badScore = Code(rawValue: "bad_score")
        public static let badRating = Code(rawValue: "bad_rating")
        public static let badRole = Code(rawValue: "bad_role")
        public static let badReference = Code(rawValue: "bad_reference")
        public static let hasilKerjaRole = Code(rawValue: "hasil_kerja_role")
        public static let duplicateRecord = Code(rawValue: "duplicate_record")
        public static let badPeriod = Code(rawValue: "bad_period")
        public static let badDate = Code(rawValue: "bad_date")
        public static let badTimestamp = Code(rawValue: "bad_timestamp")
        public static let badNumber = Code(rawValue: "bad_number")
        public static let unknownEmployee = Code(rawValue: "unknown_employee")
        public static let tooLong = Code(rawValue: "too_long")
        public static let controlCharacter = Code(rawValue: "control_character")
        public static let tooFarAhead = Code(rawValue: "too_far_ahead")
        public static let badUnitHead = Code(rawValue: "bad_unit_head")
        /// A value outside the column's allowed set or range (jenis_jabatan, kelas_jabatan, …).
        public static let badValue = Code(rawValue: "bad_value")
        /// A row of a partial import in a unit outside its scope.
        public static let outsideScope = Code(rawValue: "outside_scope")
    }

    /// 1-based physical line where the record starts (the header's line for header problems).
    public var line: Int
    /// 1-based column number, when the problem is in one field.
    public var column: Int?
    /// Canonical column name, when the problem is in one field (or names a missing column).
    public var columnName: String?
    public var code: Code
    /// The reason, as an English sentence without the location.
    public var message: String

    public init(line: Int, column: Int?, columnName: String?, code: Code, message: String) {
        self.line = line
        self.column = column
        self.columnName = columnName
        self.code = code
        self.message = message
    }

    /// `line 12, column 5 (nip_atasan): message`.
    public var description: String {
        var s = "line \(line)"
        if let column { s += ", column \(column)" }
        if let columnName { s += " (\(columnName))" }
        return s + ": " + message
    }

    /// Order used for reports: by line, then column (whole-record problems first).
    static func precedes(_ a: ImportProblem, _ b: ImportProblem) -> Bool {
        (a.line, a.column ?? 0) < (b.line, b.column ?? 0)
    }
}

/// An import that must not be applied: the first problems (by line and column, at most the cap) and
/// how many were found in all.
///
/// Rule implemented: every problem is reported with line, column and reason, up to a cap, and
/// nothing is imported. Codable so the daemon can return it as `InvalidInput(problems)`.
public struct ImportFailure: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The reported problems, ordered by line and column.
    public var problems: [ImportProblem]
    /// Problems found in all, including those beyond the cap.
    public var totalCount: Int

    public init(problems: [ImportProblem], totalCount: Int) {
        self.problems = problems
        self.totalCount = max(totalCount, problems.count)
    }

    /// Whether problems were found beyond those reported.
    public var isTruncated: Bool { totalCount > problems.count }

    public var description: String {
        var lines = problems.map(\.description)
        if isTruncated { lines.append("… and \(totalCount - problems.count) more problems") }
        return lines.joined(separator: "\n")
    }

    /// A failure from a CSV reading error.
    public init(_ error: CSVError) {
        let code: ImportProblem.Code
        switch error.reason {
        case .emptyFile: code = .emptyFile
        case .invalidUTF8: code = .invalidUTF8
        case .unterminatedQuote: code = .unterminatedQuote
        case .textAfterClosingQuote: code = .textAfterClosingQuote
        }
        self.init(problems: [ImportProblem(line: error.line, column: error.column, columnName: nil,
                                           code: code, message: error.message)], totalCount: 1)
    }
}
