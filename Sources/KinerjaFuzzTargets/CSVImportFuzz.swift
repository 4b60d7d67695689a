import Foundation
import KinerjaDomain

/// Properties of the CSV reader and the four CSV imports (employees, reviews, SKM, training):
/// - a reading error names a line of the file and a column ≥ 1;
/// - a file that reads, written back with `CSVWriter`, reads to the same header and records;
/// - every import problem names a line of the file and, when it has one, a column no further right
///   than the file has fields; problems come ordered by line and column, at most the cap of them,
///   and the total is never below the count reported;
/// - the batch validator the daemon uses for streamed imports, given the records in two batches
///   split at an input-chosen point, answers exactly what validating the whole file answers.
enum CSVImportFuzz {
    static let problemCap = 20

    static func checkEmployees(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) {
        let target = FuzzTarget.csvEmployees
        let text = try readAndRoundTrip(bytes, target: target)
        let whole = EmployeeImport.validate(csv: text, problemCap: problemCap)
        try checkProblems(whole, text: text, target: target)
        guard let (columns, batches) = batches(text, schema: EmployeeImport.schema, split: bytes.count) else { return }
        var accumulator = EmployeeImport.Accumulator(columns: columns, problemCap: problemCap)
        for batch in batches { accumulator.add(batch) }
        try same(accumulator.finish(knownUnits: nil), whole, target: target)
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
