extension EmployeeImport {
    /// An employee file that arrives in batches (the daemon's streamed import). Records are kept as
    /// rows (field counts checked as they arrive); the checks that need the whole file (duplicates,
    /// supervisors, loops, units) run in `finish(knownUnits:)`, which gives exactly what
    /// `validate(csv:knownUnits:)` gives for the whole file.
    public struct Accumulator: Sendable {
        public let columns: CSVColumnMap
        private var collector: ProblemCollector
        private var rows: [EmployeeRow] = []

        public init(columns: CSVColumnMap, problemCap: Int = ProblemCollector.defaultCap) {
            self.columns = columns
            collector = ProblemCollector(cap: problemCap)
        }

        /// Makes room for `count` records at once.
        public mutating func reserveCapacity(_ count: Int) {
            rows.reserveCapacity(count)
        }

        /// Non-blank records added so far.
        public var recordCount: Int { rows.count + fieldCountProblems }
        private var fieldCountProblems = 0

        /// The rows kept so far (records with the right field count), in file order.
        public var stagedRows: [EmployeeRow] { rows }

        /// The problems found so far (field counts).
        public var problems: ProblemCollector { collector }

        /// Records refused for their field count.
        public var refusedRecords: Int { fieldCountProblems }

        /// Problems found so far (including those beyond the cap).
        public var problemCount: Int { collector.totalCount }

        /// Adds records (blank ones skipped, field counts checked).
        public mutating func add(_ records: [CSVRecord]) {
            for record in records where !record.isBlank {
                if let problem = columns.recordProblem(record) {
                    collector.add(problem)
                    fieldCountProblems += 1
                } else {
                    rows.append(EmployeeRow(record: record, columns: columns))
                }
            }
        }

        /// Validates all rows; `knownUnits` as in `validate(rows:columns:knownUnits:problemCap:)`.
        public func finish(knownUnits: [Unit]?, scope: ImportScope? = nil) -> Result<ValidatedEmployees, ImportFailure> {
            var collector = self.collector
            if recordCount == 0 {
                collector.add(line: columns.headerLine, column: nil, columnName: nil, code: .noRecords,
                              "the file has a header but no records")
                return .failure(collector.failure)
            }
            return EmployeeImport.validate(rows: rows, columns: columns, knownUnits: knownUnits, scope: scope,
                                           collector: &collector)
        }
    }
}
