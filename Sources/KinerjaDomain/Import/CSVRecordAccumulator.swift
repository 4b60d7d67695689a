/// The part every batch validator of a CSV import shares (units, SKM, training): count the non-blank
/// records, report a wrong field count, hand each other record to the type's own check, and at the
/// end answer with the kept records or every problem (a header with no records is one too).
protocol CSVRecordAccumulator {
    associatedtype Record
    var columns: CSVColumnMap { get }
    var collector: ProblemCollector { get set }
    var recordCount: Int { get set }
    /// The records kept so far, in file order.
    var kept: [Record] { get }
    /// Checks one record whose field count is right; keeps it when valid, reports otherwise.
    mutating func check(_ record: CSVRecord)
}

extension CSVRecordAccumulator {
    mutating func addRecords(_ records: [CSVRecord]) {
        for record in records where !record.isBlank {
            recordCount += 1
            if let problem = columns.recordProblem(record) {
                collector.add(problem)
            } else {
                check(record)
            }
        }
    }

    func finishRecords() -> Result<[Record], ImportFailure> {
        var collector = self.collector
        if recordCount == 0 && collector.isEmpty {
            collector.add(line: columns.headerLine, column: nil, columnName: nil, code: .noRecords,
                          "the file has a header but no records")
        }
        guard collector.isEmpty else { return .failure(collector.failure) }
        return .success(kept)
    }

    /// Reports a problem with one field of `record`, naming its line and column.
    mutating func report(_ record: CSVRecord, _ column: String, _ code: ImportProblem.Code, _ message: String) {
        collector.add(line: record.line, column: columns.number(column), columnName: column, code: code, message)
    }
}
