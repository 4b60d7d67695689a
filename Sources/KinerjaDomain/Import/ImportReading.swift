import Foundation

/// The common first step of every CSV import: parse, bind the header, drop blank records and check
/// field counts, recording problems in the caller's collector.
enum ImportReading {
    /// The column map and the records with the right number of fields, or `nil` when the file
    /// cannot be used at all (unreadable, bad header, no records); problems go to `collector`.
    static func read(csv text: String, schema: CSVSchema,
                     collector: inout ProblemCollector) -> (CSVColumnMap, [CSVRecord])? {
        let document: CSVDocument
        do {
            document = try CSVParser.parse(text)
        } catch {
            for p in ImportFailure(error).problems { collector.add(p) }
            return nil
        }
        let map: CSVColumnMap
        switch schema.bind(header: document.header) {
        case .success(let m): map = m
        case .failure(let failure):
            for p in failure.problems { collector.add(p) }
            return nil
        }
        var records: [CSVRecord] = []
        records.reserveCapacity(document.records.count)
        for record in document.records where !record.isBlank {
            if let problem = map.recordProblem(record) {
                collector.add(problem)
            } else {
                records.append(record)
            }
        }
        if records.isEmpty && collector.isEmpty {
            collector.add(line: document.header.line, column: nil, columnName: nil, code: .noRecords,
                          "the file has a header but no records")
            return nil
        }
        return (map, records)
    }
}
