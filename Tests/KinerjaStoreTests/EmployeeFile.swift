import Foundation
import GRDB
@testable import KinerjaDomain
@testable import KinerjaStore

/// An employee file taken the daemon's way, for tests: read and its header bound (what kinerjactl and
/// `BeginImport` refuse), its records staged in two batches (`EmployeeSpool`, as `StageImport` receives
/// them), then checked and merged by `AppDatabase.importEmployees`.
struct EmployeeFile {
    /// What the import answered.
    var summary: ImportSummary
    /// The stored employees of the file's NIPs, in file order.
    var employees: [Employee]
    /// Every stored unit after the import, sorted by code.
    var units: [KinerjaDomain.Unit]

    /// The file staged; its reading and header problems thrown as `ImportFailure`.
    static func stage(_ text: String, problemCap: Int = ProblemCollector.defaultCap, cacheKiB: Int = 2048) throws -> EmployeeSpool {
        let document: CSVDocument
        do { document = try CSVParser.parse(text) } catch { throw ImportFailure(error) }
        let columns: CSVColumnMap
        switch EmployeeImport.schema.bind(header: document.header) {
        case .success(let map): columns = map
        case .failure(let failure): throw sorted(failure, cap: problemCap)
        }
        let staged = try EmployeeSpool(columns: columns, problemCap: problemCap, cacheKiB: cacheKiB)
        let half = document.records.count / 2
        staged.add(Array(document.records[..<half]))
        staged.add(Array(document.records[half...]))
        return staged
    }

    /// `failure`'s problems by line and column, at most `cap` of them.
    static func sorted(_ failure: ImportFailure, cap: Int) -> ImportFailure {
        var collector = ProblemCollector(cap: cap)
        for problem in failure.problems { collector.add(problem) }
        return collector.failure
    }

    /// `units` (without heads) stored in a new database.
    static func database(units: [KinerjaDomain.Unit] = []) throws -> AppDatabase {
        let db = try AppDatabase.inMemory()
        guard !units.isEmpty else { return db }
        var file = UnitImport.Accumulator(columns: CSVColumnMap(canonical: UnitImport.schema))
        file.add(units.enumerated().map { CSVRecord(line: $0 + 2, fields: [$1.code, $1.name, ""]) })
        _ = try db.importUnits(file, dryRun: false, now: importedAt, source: "test")
        return db
    }

    static let importedAt = Date(timeIntervalSince1970: 1_743_469_200)  // 2025-04-01T08:00+07:00

    /// `text` imported into `db` (a new database holding `units` when nil): the stored result, or the
    /// problems.
    static func importing(_ text: String, units: [KinerjaDomain.Unit] = [], into db: AppDatabase? = nil,
                          problemCap: Int = ProblemCollector.defaultCap,
                          options: EmployeeImportOptions = EmployeeImportOptions()) throws -> Result<EmployeeFile, ImportFailure> {
        let db = try db ?? database(units: units)
        let summary: ImportSummary
        do {
            summary = try db.importEmployees(try stage(text, problemCap: problemCap), dryRun: false, now: importedAt,
                                             source: "test", options: options)
        } catch let failure as ImportFailure {
            return .failure(failure)
        }
        let document = try CSVParser.parse(text)
        let columns = try EmployeeImport.schema.bind(header: document.header).get()
        let nips = document.records.filter { !$0.isBlank }.map { NIP(columns.value("nip", in: $0))! }
        let employees = try nips.map { try db.employee($0)! }
        return .success(EmployeeFile(summary: summary, employees: employees, units: try db.units()))
    }

    /// Every stored employee, in storage order.
    static func stored(_ db: AppDatabase) throws -> [Employee] {
        try db.writer.read { d in try Row.fetchAll(d, sql: "SELECT * FROM employee").map(AppDatabase.employee) }
    }
}
