/// Validation of a unit file (`kinerjactl import units FILE`: code, name and the unit's head,
/// validated whole before anything is written, like the other imports).
///
/// Columns (any order, case-insensitive): `code` (aliases `kode`, `unit_kerja`), `name` (alias `nama`),
/// optional `head_nip` (alias `nip_kepala`). Checks: code present, at most 32 characters of letters,
/// digits, `-`, `_` and `.` (codes appear in commands and file names); name present, at most 255
/// characters; head NIP valid when given; the same code twice (case-insensitive, both lines named).
/// The head need not be imported yet (units usually come before employees). All problems up to the cap.
public enum UnitImport {
    public static let schema = CSVSchema([
        .init("code", aliases: ["kode", "unit_kerja"]), .init("name", aliases: ["nama"]),
        .init("head_nip", aliases: ["nip_kepala"], required: false),
    ])

    static let maxCodeLength = 32

    /// Parses and validates a whole file.
    public static func validate(csv text: String, problemCap: Int = ProblemCollector.defaultCap) -> Result<[Unit], ImportFailure> {
        var collector = ProblemCollector(cap: problemCap)
        guard let (columns, records) = ImportReading.read(csv: text, schema: schema, collector: &collector) else {
            return .failure(collector.failure)
        }
        var accumulator = Accumulator(columns: columns, collector: collector)
        accumulator.add(records)
        return accumulator.finish()
    }

    /// Whether `code` is a usable unit code (see the type's rules).
    public static func isValidCode(_ code: String) -> Bool {
        !code.isEmpty && code.count <= maxCodeLength && code.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || $0 == "-" || $0 == "_" || $0 == "."
        }
    }

    /// A unit file that arrives in batches; `finish()` gives what `validate(csv:)` gives.
    public struct Accumulator: Sendable, CSVRecordAccumulator {
        public let columns: CSVColumnMap
        var collector: ProblemCollector
        private var firstLine: [String: Int] = [:]
        private var result: [Unit] = []
        public internal(set) var recordCount = 0

        public init(columns: CSVColumnMap, problemCap: Int = ProblemCollector.defaultCap) {
            self.init(columns: columns, collector: ProblemCollector(cap: problemCap))
        }

        init(columns: CSVColumnMap, collector: ProblemCollector) {
            self.columns = columns
            self.collector = collector
        }

        /// Problems found so far (including those beyond the cap).
        public var problemCount: Int { collector.totalCount }

        /// The line of the unit with `code` (any case), once added.
        public func line(ofUnit code: String) -> Int? { firstLine[code.lowercased()] }

        public mutating func add(_ records: [CSVRecord]) {
            addRecords(records)
        }

        public func finish() -> Result<[Unit], ImportFailure> {
            finishRecords()
        }

        /// The records kept so far (CSVRecordAccumulator).
        var kept: [Unit] { result }

        mutating func check(_ record: CSVRecord) {
            let before = collector.totalCount
            let code = columns.value("code", in: record)
            if code.isEmpty {
                report(record, "code", .missingValue, "code is required")
            } else if !UnitImport.isValidCode(code) {
                report(record, "code", .badReference,
                       "code '\(code)' must be 1–\(UnitImport.maxCodeLength) letters, digits, '-', '_' or '.' (no spaces)")
            } else if let first = firstLine[code.lowercased()] {
                report(record, "code", .duplicateRecord, "unit \(code) appears on lines \(first) and \(record.line)")
            } else {
                firstLine[code.lowercased()] = record.line
            }
            let name = columns.value("name", in: record)
            if name.isEmpty {
                report(record, "name", .missingValue, "name is required")
            } else if name.count > EmployeeImport.maxTextLength {
                report(record, "name", .tooLong, "name has \(name.count) characters, at most \(EmployeeImport.maxTextLength) allowed")
            }
            var head: NIP?
            let headText = columns.value("head_nip", in: record)
            if !headText.isEmpty {
                switch NIP.parse(headText) {
                case .success(let nip): head = nip
                case .failure(let error): report(record, "head_nip", .badNIP, "'\(headText)' is not a valid NIP: \(error.message)")
                }
            }
            if collector.totalCount == before {
                result.append(Unit(code: code, name: name, head: head))
            }
        }
    }
}
