import Foundation
import KinerjaDomain
import KinerjaStore

/// Properties of the CSV reader and the four CSV imports (employees, reviews, SKM, training):
/// - a reading error names a line of the file and a column ≥ 1;
/// - a file that reads, written back with `CSVWriter`, reads to the same header and records;
/// - every import problem names a line of the file and, when it has one, a column no further right
///   than the file has fields; problems come ordered by line and column, at most the cap of them,
///   and the total is never below the count reported;
/// - the batch validator the daemon uses for streamed reviews, SKM and training imports, given the
///   records in two batches split at an input-chosen point, answers exactly what validating the whole
///   file answers;
/// - the employee file, staged and applied the daemon's way, merges when it has no problem
///   (`checkEmployees`).
enum CSVImportFuzz {
    static let problemCap = 20

    /// The employee file goes the daemon's way (`BeginImport`, `StageImport`, `CommitImport`): the header
    /// bound, the records staged in two batches split at an input-chosen point (`EmployeeSpool`, each
    /// record checked alone), then the file's checks over the spool and the merge into a new database
    /// (`AppDatabase.importEmployees`), with units stored first for an odd-sized input. Its problems
    /// obey `checkProblems` and leave the database as it was; a file with none merges, storing one
    /// employee per record, and importing it again changes nothing.
    static func checkEmployees(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) {
        let target = FuzzTarget.csvEmployees
        let text = try readAndRoundTrip(bytes, target: target)
        guard let document = try? CSVParser.parse(text) else { return }
        let columns: CSVColumnMap
        switch EmployeeImport.schema.bind(header: document.header) {
        case .success(let map): columns = map
        case .failure(let failure):
            // Sorted and capped as every import's problems are (the header's come unsorted).
            var collector = ProblemCollector(cap: problemCap)
            for problem in failure.problems { collector.add(problem) }
            return try checkProblems(Result<Int, ImportFailure>.failure(collector.failure), text: text, target: target)
        }
        let units = bytes.count % 2 == 0 ? nil : knownUnits
        do {
            let db = try AppDatabase.inMemory()
            if let units {
                var unitFile = UnitImport.Accumulator(columns: CSVColumnMap(canonical: UnitImport.schema))
                unitFile.add(units.enumerated().map { CSVRecord(line: $0 + 2, fields: [$1, $1, ""]) })
                _ = try db.importUnits(unitFile, dryRun: false, now: importedAt, source: "fuzz")
            }
            let first: ImportSummary
            do {
                first = try db.importEmployees(try stage(document.records, columns: columns, split: bytes.count),
                                               dryRun: false, now: importedAt, source: "fuzz")
            } catch let failure as ImportFailure {
                try checkProblems(Result<Int, ImportFailure>.failure(failure), text: text, target: target)
                let stored = try db.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM employee") ?? 0 }
                guard stored == 0 else { throw FuzzFailure(target, "a refused file stored \(stored) employees: \(failure)") }
                return
            }
            let records = document.records.count(where: { !$0.isBlank })
            let stored = try db.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM employee") ?? 0 }
            guard first.records == records, first.added == records, stored == records else {
                throw FuzzFailure(target, "a valid file of \(records) records merged as \(first.records) records, "
                    + "\(first.added) added, \(stored) stored")
            }
            let again = try db.importEmployees(try stage(document.records, columns: columns, split: bytes.count / 2),
                                               dryRun: false, now: importedAt, source: "fuzz")
            guard (again.added, again.changed, again.deactivated, again.unchanged) == (0, 0, 0, records) else {
                throw FuzzFailure(target, "importing a valid file again changed something: \(again.added) added, "
                    + "\(again.changed) changed, \(again.deactivated) deactivated, \(again.unchanged) of \(records) unchanged; "
                    + "\(again.details)")
            }
        } catch let failure as FuzzFailure {
            throw failure
        } catch {
            throw FuzzFailure(target, "unexpected error \(error)")
        }
    }

    static let importedAt = Date(timeIntervalSince1970: 1_743_469_200)

    /// `records` staged as the daemon stages them: in two batches, split at `split` modulo their count + 1.
    static func stage(_ records: [CSVRecord], columns: CSVColumnMap, split: Int) throws -> EmployeeSpool {
        let spool = try EmployeeSpool(columns: columns, problemCap: problemCap)
        let cut = split % (records.count + 1)
        spool.add(Array(records[..<cut]))
        spool.add(Array(records[cut...]))
        return spool
    }

    static let zone = TimeZone(identifier: "Asia/Jakarta")!

    static func checkReviews(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) {
        let target = FuzzTarget.csvReviews
        let text = try readAndRoundTrip(bytes, target: target)
        let whole = ReviewImport.validate(csv: text, timeZone: zone, problemCap: problemCap)
        try checkProblems(whole, text: text, target: target)
        guard let (columns, batches) = batches(text, schema: ReviewImport.schema, split: bytes.count) else { return }
        var accumulator = ReviewImport.Accumulator(columns: columns, timeZone: zone, problemCap: problemCap)
        for batch in batches { accumulator.add(batch) }
        try same(accumulator.finish(), whole, target: target)
    }

    static let knownUnits = ["DISKOMINFO", "BAPPEDA", "DINKES"]

    static func checkSKM(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) {
        let target = FuzzTarget.csvSKM
        let units = bytes.count % 2 == 0 ? nil : knownUnits
        let text = try readAndRoundTrip(bytes, target: target)
        let whole = SKMImport.validate(csv: text, knownUnits: units, problemCap: problemCap)
        try checkProblems(whole, text: text, target: target)
        guard let (columns, batches) = batches(text, schema: SKMImport.schema, split: bytes.count) else { return }
        var accumulator = SKMImport.Accumulator(columns: columns, knownUnits: units, problemCap: problemCap)
        for batch in batches { accumulator.add(batch) }
        try same(accumulator.finish(), whole, target: target)
    }

    static func checkTraining(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) {
        let target = FuzzTarget.csvTraining
        let text = try readAndRoundTrip(bytes, target: target)
        let whole = TrainingImport.validate(csv: text, problemCap: problemCap)
        try checkProblems(whole, text: text, target: target)
        guard let (columns, batches) = batches(text, schema: TrainingImport.schema, split: bytes.count) else { return }
        var accumulator = TrainingImport.Accumulator(columns: columns, problemCap: problemCap)
        for batch in batches { accumulator.add(batch) }
        try same(accumulator.finish(), whole, target: target)
    }

    /// Reads the raw bytes (checking the error location or the writer round trip) and returns the
    /// text the imports get.
    static func readAndRoundTrip(_ bytes: UnsafeRawBufferPointer, target: FuzzTarget) throws(FuzzFailure) -> String {
        let lines = FuzzInput.physicalLineCount(bytes)
        do {
            let document = try CSVParser.parse(bytes: bytes)
            let separator: Character = document.separator == .comma ? "," : ";"
            let all = [document.header] + document.records
            let written = all.map { CSVWriter.line($0.fields, separator: separator) }.joined(separator: "\n")
            let reread: CSVDocument
            do {
                reread = try CSVParser.parse(written)
            } catch {
                throw FuzzFailure(target, "CSV written back does not read: \(error)\n\(written)")
            }
            let again = [reread.header] + reread.records
            guard again.map(\.fields) == all.map(\.fields) else {
                throw FuzzFailure(target, "CSV written back reads differently: \(all.map(\.fields)) became \(again.map(\.fields))")
            }
            for record in all where !(1...lines).contains(record.line) {
                throw FuzzFailure(target, "record starts at line \(record.line) of a \(lines)-line file")
            }
        } catch let failure as FuzzFailure {
            throw failure
        } catch let error as CSVError {
            guard (1...lines).contains(error.line), (error.column ?? 1) >= 1 else {
                throw FuzzFailure(target, "reading error at line \(error.line), column \(String(describing: error.column)) in a \(lines)-line file")
            }
        } catch {
            throw FuzzFailure(target, "unexpected error \(error)")
        }
        return FuzzInput.text(bytes)
    }

    static func checkProblems<T>(_ result: Result<T, ImportFailure>, text: String, target: FuzzTarget) throws(FuzzFailure) {
        guard case .failure(let failure) = result else { return }
        let utf8 = Array(text.utf8)
        let lines = FuzzInput.physicalLineCount(utf8)
        let maxColumn = utf8.count(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") }) + 1
        guard !failure.problems.isEmpty, failure.problems.count <= problemCap,
              failure.totalCount >= failure.problems.count else {
            throw FuzzFailure(target, "failure with \(failure.problems.count) problems of \(failure.totalCount) (cap \(problemCap))")
        }
        for problem in failure.problems {
            guard (1...lines).contains(problem.line), (1...maxColumn).contains(problem.column ?? 1),
                  !problem.message.isEmpty else {
                throw FuzzFailure(target, "problem outside the file (\(lines) lines, at most \(maxColumn) columns): \(problem)")
            }
        }
        for (a, b) in zip(failure.problems, failure.problems.dropFirst())
        where (a.line, a.column ?? 0) > (b.line, b.column ?? 0) {
            throw FuzzFailure(target, "problems out of order: \(a) before \(b)")
        }
    }

    /// The column map and the usable records in two batches, or nil when the file does not read or
    /// its header does not bind (the whole-file validation stops there too).
    static func batches(_ text: String, schema: CSVSchema, split: Int) -> (CSVColumnMap, [[CSVRecord]])? {
        guard let document = try? CSVParser.parse(text),
              case .success(let columns) = schema.bind(header: document.header) else { return nil }
        let records = document.records
        let cut = records.isEmpty ? 0 : split % (records.count + 1)
        return (columns, [Array(records[..<cut]), Array(records[cut...])])
    }

    static func same<T: Equatable>(
        _ batched: Result<T, ImportFailure>, _ whole: Result<T, ImportFailure>, target: FuzzTarget
    ) throws(FuzzFailure) {
        guard batched == whole else {
            throw FuzzFailure(target, "batched validation differs from whole-file validation:\nbatched: \(batched)\nwhole: \(whole)")
        }
    }
}
