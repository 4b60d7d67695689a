import Foundation
import GRDB
import KinerjaDemo
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// An employees import larger than what is stored writes the employees without their secondary
/// indexes and builds them again by a sort (`DeferredIndexes`); a small change writes through them.
/// Either way the schema ends as it was and the indexes agree with the table. And the indexes
/// `employee` keeps.
@Suite("Employee indexes: the one kept, and around a bulk import")
struct DeferredIndexesTests {
    static let now = Date(timeIntervalSince1970: 1_743_469_200)  // 2025-04-01T08:00+07:00

    /// A generated city's employees file: header and records, in the generator's order (every
    /// atasan before the staff below them).
    static func file(_ employees: Int) throws -> (lines: [String], units: [KinerjaDomain.Unit]) {
        let generator = try DemoGenerator(DemoSpec(employees: employees, periods: 1, seed: 3, firstPeriod: try Period(parsing: "2025-Q1")))
        return (DemoCSV.employees(generator.employees).split(separator: "\n").map(String.init), generator.units)
    }

    static func indexes(_ db: AppDatabase) throws -> [String] {
        try db.writer.read { d in
            try String.fetchAll(d, sql: "SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'employee' AND sql IS NOT NULL ORDER BY name")
        }
    }

    /// Imports `lines` and returns the statements the import ran that drop or create an index.
    static func importing(_ lines: [String], into db: AppDatabase) throws -> (ImportSummary, [String]) {
        let statements = Statements()
        try db.writer.write { d in
            d.trace { event in
                let sql = "\(event)"
                if sql.hasPrefix("DROP INDEX") || sql.hasPrefix("CREATE INDEX") { statements.append(sql) }
            }
        }
        defer { try? db.writer.write { $0.trace(options: [], nil) } }
        let summary = try db.importEmployees(try EmployeeFile.stage(lines.joined(separator: "\n") + "\n"), dryRun: false,
                                             now: now, source: "test")
        return (summary, statements.all)
    }

    /// What SQLite says of the file and of every index against its table.
    static func integrity(_ db: AppDatabase) throws -> [String] {
        try db.writer.read { d in try String.fetchAll(d, sql: "PRAGMA integrity_check") }
    }

    @Test("a first import builds the secondary indexes after the rows, and they hold every row")
    func firstImport() throws {
        let lines = try Self.file(1_500).lines
        let db = try AppDatabase.inMemory()
        let before = try Self.indexes(db)
        #expect(before.contains { $0.hasPrefix("employee_unit: ") })
        let (summary, statements) = try Self.importing(lines, into: db)
        #expect(summary.added == lines.count - 1)
        #expect(statements.filter { $0.hasPrefix("DROP INDEX") }.count == before.count, "\(statements)")
        #expect(statements.filter { $0.hasPrefix("CREATE INDEX") }.count == before.count, "\(statements)")
        #expect(try Self.indexes(db) == before)
        #expect(try Self.integrity(db) == ["ok"])
        // The unit index finds each unit's active employees as a scan of the table does.
        let mismatched = try db.writer.read { d in
            try Int.fetchOne(d, sql: """
                SELECT COUNT(*) FROM unit u
                WHERE (SELECT COUNT(*) FROM employee INDEXED BY employee_unit WHERE unit_code = u.code AND aktif)
                   <> (SELECT COUNT(*) FROM employee NOT INDEXED WHERE unit_code = u.code AND aktif)
                """)
        }
        #expect(mismatched == 0)
    }

    @Test("a file larger than what is stored is a bulk load; the same file again writes through the indexes")
    func growingThenSame() throws {
        let (lines, units) = try Self.file(1_500)
        let db = try EmployeeFile.database(units: units)
        let before = try Self.indexes(db)
        // A third of the city first: 500 stored, then 1,500 come (at least 1,000 new), so the index is
        // built again.
        _ = try Self.importing(Array(lines[..<501]), into: db)
        let (grown, rebuilt) = try Self.importing(lines, into: db)
        #expect(grown.added == 1_000 && grown.unchanged == 500)
        #expect(rebuilt.contains { $0.hasPrefix("DROP INDEX") })
        #expect(try Self.indexes(db) == before)
        #expect(try Self.integrity(db) == ["ok"])
        // The same file again: nothing changes and no index is dropped.
        let (same, statements) = try Self.importing(lines, into: db)
        #expect(same.unchanged == 1_500 && same.added == 0)
        #expect(statements.isEmpty, "\(statements)")
        #expect(try Self.indexes(db) == before)
    }

    @Test("employee keeps employee_name and employee_unit; a database made before loses the unused atasan index")
    func unusedIndexDropped() throws {
        #expect(try Self.indexes(try AppDatabase.inMemory()).map { $0.components(separatedBy: ":")[0] } == ["employee_name", "employee_unit"])
        // Built by the migrations before, the index is there; the rest of them drop it.
        let queue = try DatabaseQueue()
        try Migrations.migrator.migrate(queue, upTo: "v16-flag-listing")
        let names = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'employee' AND sql IS NOT NULL ORDER BY name"
        #expect(try queue.read { try String.fetchAll($0, sql: names) } == ["employee_on_supervisor_nip", "employee_unit"])
        try Migrations.migrator.migrate(queue)
        #expect(try queue.read { try String.fetchAll($0, sql: names) } == ["employee_name", "employee_unit"])
    }

    @Test("a load is bulk when the rows certainly new outnumber the stored ones, and more than a thousand come")
    func threshold() {
        #expect(DeferredIndexes.worthIt(incoming: 1_500, stored: 0))
        #expect(DeferredIndexes.worthIt(incoming: 1_500, stored: 749))
        #expect(!DeferredIndexes.worthIt(incoming: 1_500, stored: 750))
        #expect(!DeferredIndexes.worthIt(incoming: 1_500, stored: 1_499))
        #expect(!DeferredIndexes.worthIt(incoming: 900, stored: 0))
    }

    @Test("a unique index stays through a bulk load: duplicates are still refused by it")
    func uniqueIndexStays() throws {
        let db = try AppDatabase.inMemory()
        try db.writer.write { d in
            try d.execute(sql: "CREATE TABLE t(id INTEGER PRIMARY KEY, code TEXT, unit TEXT)")
            try d.execute(sql: "CREATE UNIQUE INDEX t_code ON t(code)")
            try d.execute(sql: "CREATE INDEX t_unit ON t(unit)")
            let deferred = try DeferredIndexes.drop(on: "t", in: d)
            #expect(deferred.dropped.map(\.name) == ["t_unit"])
            try d.execute(sql: "INSERT INTO t(code, unit) VALUES ('a', 'x')")
            #expect(throws: DatabaseError.self) { try d.execute(sql: "INSERT INTO t(code, unit) VALUES ('a', 'y')") }
            try deferred.restore(in: d)
        }
        let names = try db.writer.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 't' ORDER BY name") }
        #expect(names == ["t_code", "t_unit"])
    }
}

/// Statements seen by a trace, collected across threads.
private final class Statements: @unchecked Sendable {
    private let lock = NSLock()
    private var statements: [String] = []
    func append(_ s: String) { lock.withLock { statements.append(s) } }
    var all: [String] { lock.withLock { statements } }
}
