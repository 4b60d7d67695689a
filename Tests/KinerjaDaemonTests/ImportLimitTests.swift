import Foundation
import KinerjaDemo
import KinerjaDomain
import Testing
import Varlink
@testable import KinerjaDaemon

/// `imports.max_records` is decided when an import begins: an import announced as larger is refused
/// before any record is sent, and a review import may have as many rows as the open cycles have
/// assignments even when that is above the configured limit.
@Suite("import limits: known at the start, sized by the open cycles for reviews", .serialized)
struct ImportLimitTests {
    @Test("ImportLimit: the configured limit, or the open cycles' assignments when they are more")
    func limit() {
        #expect(ImportLimit(maxRecords: 100).records == 100)
        #expect(ImportLimit(maxRecords: 100, openAssignments: 40).records == 100)
        #expect(ImportLimit(maxRecords: 100, openAssignments: 40).explanation == "imports.max_records (100 records)")
        let raised = ImportLimit(maxRecords: 100, openAssignments: 1_450_000)
        #expect(raised.records == 1_450_000)
        #expect(raised.explanation.contains("open cycles' assignments"))
    }

    @Test("an import announced above imports.max_records is refused at BeginImport, naming the limit")
    func refusedAtBegin() async throws {
        let f = try ControlFixture { $0.imports.maxRecords = 20 }
        defer { f.remove() }
        let generator = try DemoGenerator(DemoSpec(employees: 30, periods: 1, seed: 3, firstPeriod: try Period(parsing: "2025-Q1")))
        let document = try CSVParser.parse(DemoCSV.employees(generator.employees))
        let answer = await f.reply("BeginImport", ["kind": "employees", "header": f.record(document.header), "dry_run": false,
                                                   "expected_records": .int(Int64(document.records.count))])
        #expect(answer.error == "io.kinerjad.Admin.InvalidInput")
        let problems = answer.parameters["problems"]?.arrayValue?.compactMap { $0.stringValue } ?? []
        #expect(problems == ["the import exceeds imports.max_records (20 records)"])
        #expect(try await f.call("ListImports")["imports"]?.arrayValue?.isEmpty == true)
    }

    @Test("a review import larger than imports.max_records but within the open cycle's assignments is applied")
    func reviewsSizedByTheCycle() async throws {
        let f = try ControlFixture { $0.imports.maxRecords = 40 }
        defer { f.remove() }
        try await f.loadOrganisation()
        let opened = try await f.call("OpenCycle", ["period": "2025-Q1"])
        let assignments = try #require(opened["cycle"]?["assignments"]?.intValue)
        #expect(assignments > 40)
        var generator = try DemoGenerator(DemoSpec(employees: 30, periods: 1, seed: 3, firstPeriod: try Period(parsing: "2025-Q1")))
        let reviews = try CSVParser.parse(DemoCSV.reviews(generator.period(0).reviews, timeZone: TimeZone(identifier: "Asia/Jakarta")!))
        #expect(reviews.records.count > 40)
        // More rows than the cycle has assignments: refused at once, with the reason.
        let tooMany = await f.reply("BeginImport", ["kind": "reviews", "header": f.record(reviews.header), "dry_run": true,
                                                    "expected_records": .int(assignments + 1)])
        let problems = tooMany.parameters["problems"]?.arrayValue?.compactMap { $0.stringValue } ?? []
        #expect(problems == ["the import exceeds \(assignments) records: the open cycles' assignments, above imports.max_records"])
        let begun = try await f.call("BeginImport", ["kind": "reviews", "header": f.record(reviews.header), "dry_run": true,
                                                     "expected_records": .int(Int64(reviews.records.count))])
        let id = try #require(begun["import_id"])
        let staged = try await f.call("StageImport", ["import_id": id, "records": .array(reviews.records.map(f.record))])
        #expect(staged["records"]?.intValue == Int64(reviews.records.count))
    }
}
