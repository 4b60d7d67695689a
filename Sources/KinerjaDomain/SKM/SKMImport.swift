/// Validation of an SKM survey file (`kinerjactl import skm FILE`).
///
/// Columns (any order, case-insensitive): `unit` (alias `unit_kerja`), `period` (a period code such
/// as `2025-Q1`), `u1` … `u9` (whole numbers 1–4), and the optional respondent fields of the form
/// (`umur`, `jenis_kelamin`, `pendidikan`, `pekerjaan` as the codes of `SKMRespondent`, `jenis_layanan`
/// free text). One record per respondent. When `knownUnits` is
/// given, the unit must be one of them (matched case-insensitively, the known spelling is kept). All
/// problems are collected up to the cap.
public enum SKMImport {
    public static let schema = CSVSchema(
        [.init("unit", aliases: ["unit_kerja"]), .init("period")]
        + SKMElement.allCases.map { CSVSchema.Column($0.column) }
        + SKMRespondent.questions.map { CSVSchema.Column($0.field, required: false) }
        + [CSVSchema.Column(SKMRespondent.serviceField, required: false, freeText: true)])

    public static func validate(csv text: String, knownUnits: [String]? = nil,
                                problemCap: Int = ProblemCollector.defaultCap) -> Result<[SKMResponse], ImportFailure> {
        var collector = ProblemCollector(cap: problemCap)
        guard let (columns, records) = ImportReading.read(csv: text, schema: schema, collector: &collector) else {
            return .failure(collector.failure)
        }
        return validate(records: records, columns: columns, knownUnits: knownUnits, collector: &collector)
    }

    public static func validate(records: [CSVRecord], columns: CSVColumnMap, knownUnits: [String]? = nil,
                                problemCap: Int = ProblemCollector.defaultCap) -> Result<[SKMResponse], ImportFailure> {
        var collector = ProblemCollector(cap: problemCap)
        return validate(records: records, columns: columns, knownUnits: knownUnits, collector: &collector)
    }

    static func validate(records: [CSVRecord], columns: CSVColumnMap, knownUnits: [String]?,
                         collector: inout ProblemCollector) -> Result<[SKMResponse], ImportFailure> {
        var accumulator = Accumulator(columns: columns, knownUnits: knownUnits, collector: collector)
        accumulator.add(records)
        return accumulator.finish()
    }

    /// Validation of a file that arrives in batches (the daemon's streamed import); `finish()` gives
    /// what `validate(csv:)` would give for the whole file.
    public struct Accumulator: Sendable, CSVRecordAccumulator {
        public let columns: CSVColumnMap
        private let known: [String: String]?
        var collector: ProblemCollector
        private var result: [SKMResponse] = []
        /// Periods starting beyond it are refused; `nil` checks none.
        public var horizon: DateHorizon?
        /// Non-blank records added so far.
        public internal(set) var recordCount = 0

        /// Makes room for `count` records at once (the client knows how many it will send), so the
        /// kept values are not copied and doubled as they grow.
        public mutating func reserveCapacity(_ count: Int) {
            result.reserveCapacity(count)
        }

        /// Starts an import of a file whose header bound to `columns`; `knownUnits` as in `validate`.
        public init(columns: CSVColumnMap, knownUnits: [String]? = nil, problemCap: Int = ProblemCollector.defaultCap) {
            self.init(columns: columns, knownUnits: knownUnits, collector: ProblemCollector(cap: problemCap))
        }

        init(columns: CSVColumnMap, knownUnits: [String]?, collector: ProblemCollector) {
            self.columns = columns
            self.collector = collector
            known = knownUnits.map { units in
                var map: [String: String] = [:]
                for u in units { map[u.lowercased()] = map[u.lowercased()] ?? u }
                return map
            }
        }

        /// Problems found so far (including those beyond the cap).
        public var problemCount: Int { collector.totalCount }

        /// Checks `records` (blank ones skipped, field counts checked) and keeps the valid ones.
        public mutating func add(_ records: [CSVRecord]) {
            addRecords(records)
        }

        /// The records in file order, or every problem found (up to the cap).
        public func finish() -> Result<[SKMResponse], ImportFailure> {
            finishRecords()
        }

        /// The records kept so far (CSVRecordAccumulator).
        var kept: [SKMResponse] { result }

        mutating func check(_ record: CSVRecord) {
            let before = collector.totalCount
            var unit = columns.value("unit", in: record)
            if unit.isEmpty {
                report(record, "unit", .missingValue, "unit is required")
            } else if let known {
                if let canonical = known[unit.lowercased()] {
                    unit = canonical
                } else {
                    report(record, "unit", .unknownUnit, "unit '\(unit)' is not a known unit")
                }
            }
            var period: Period?
            let periodText = columns.value("period", in: record)
            do {
                period = try Period(parsing: periodText)
            } catch {
                report(record, "period", periodText.isEmpty ? .missingValue : .badPeriod, error.message)
            }
            if let p = period, let message = horizon?.problem(period: p) {
                report(record, "period", .tooFarAhead, message)
                period = nil
            }
            var answers: [Int] = []
            for e in SKMElement.allCases {
                let text = columns.value(e.column, in: record)
                if text.isEmpty {
                    report(record, e.column, .missingValue, "\(e.column) (\(e.name)) is required (1–4)")
                } else if let a = FieldValue.integer(text), SKMResponse.range.contains(a) {
                    answers.append(a)
                } else {
                    report(record, e.column, .badScore, "\(e.column) (\(e.name)) must be a whole number 1–4, found '\(text)'")
                }
            }
            var respondent = SKMRespondent()
            switch SKMRespondent.parse({ columns.value($0, in: record) }) {
            case .success(let r): respondent = r
            case .failure(let failure):
                for p in failure.problems { report(record, p.field, .badValue, p.message) }
            }
            if collector.totalCount == before, let period,
               var response = try? SKMResponse(unit: unit, period: period, answers: answers) {
                response.respondent = respondent
                result.append(response)
            }
        }
    }
}
