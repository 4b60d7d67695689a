import Foundation
import GRDB
import KinerjaDemo
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// The employees import staged on disk (`EmployeeSpool`) and applied by streaming: the problems, units,
/// warnings and summaries expected of the test's files, the open cycles adjusted on a re-import,
/// nothing written by a dry run, nothing left by a dropped spool.
@Suite("Employee import through the spool")
struct EmployeeSpoolImportTests {
    static let now = Date(timeIntervalSince1970: 1_743_469_200)  // 2025-04-01T08:00+07:00
    static let policy = AssignmentPolicy(rekanPerSubject: 2, rekanCapPerReviewer: 3, seed: 7, dueAfter: .seconds(14 * 86_400))
    static let header = "nip,nama,jabatan,unit_kerja,nip_atasan,email,telepon,status,aktif,nip_plt"

    static func nip(_ n: Int) -> NIP { NIP(String(format: "1980010120050110%02d", n))! }

    static func database(units: String = "code,name\nDLHK,Dinas Lingkungan Hidup\nBKPSDM,Badan Kepegawaian\n") throws -> AppDatabase {
        let db = try AppDatabase.inMemory()
        let doc = try CSVParser.parse(units)
        var acc = UnitImport.Accumulator(columns: try UnitImport.schema.bind(header: doc.header).get())
        acc.add(doc.records)
        _ = try db.importUnits(acc, dryRun: false, now: now, source: "test")
        return db
    }

    func failure(_ body: () throws -> Any) -> ImportFailure? {
        do { _ = try body() } catch let f as ImportFailure { return f } catch { Issue.record("unexpected \(error)") }
        return nil
    }

    func tableCounts(_ db: AppDatabase) throws -> [String: Int] {
        try db.writer.read { d in
            var result: [String: Int] = [:]
            for t in ["unit", "employee", "assignment", "assignment_change", "import_log", "person"] {
                result[t] = try Int.fetchOne(d, sql: "SELECT COUNT(*) FROM \(t)")
            }
            return result
        }
    }

    @Test("a bad file gives every problem with its line, column and message, and writes nothing")
    func sameProblems() throws {
        let n = Self.nip
        let text = """
            \(Self.header)
            \(n(1)),Kepala,Kepala Dinas,DLHK,,,,PNS,true,
            \(n(2)),Dua,Analis,DLHK,\(n(1)),not-an-email,,PNS,true,
            \(n(3)),Tiga,Analis,DLHK,\(n(4)),,,PNS,true,
            \(n(4)),Empat,Analis,DLHK,\(n(3)),,,PNS,true,
            \(n(2)),Dua Lagi,Analis,DLHK,\(n(1)),,,PNS,true,
            \(n(5)),Lima,Analis,DLHX,\(n(9)),,,PNS,true,\(n(8))
            \(n(6)),Enam,Analis,BKPSDM,\(n(1)),,,PNS,maybe,
            \(n(7)),Tujuh,Analis,BKPSDM
            \(n(10)),Sepuluh,Analis,BKPSDM,\(n(10)),,,PNS,true,

            """
        let db = try Self.database()
        let before = try tableCounts(db)
        let spooled = try #require(failure { try db.importEmployees(try EmployeeFile.stage(text), dryRun: false, now: Self.now, source: "t") })
        let expected = Self.problems(unknownUnit: true)
        #expect(spooled.problems.map(\.description) == expected, "\(spooled.problems.map(\.description))")
        #expect(spooled.totalCount == expected.count)
        #expect(try tableCounts(db) == before)
        // Into an empty database, units are derived from the file: the same but the unknown unit.
        let empty = try AppDatabase.inMemory()
        let spooledEmpty = try #require(failure { try empty.importEmployees(try EmployeeFile.stage(text), dryRun: false, now: Self.now, source: "t") })
        #expect(spooledEmpty.problems.map(\.description) == Self.problems(unknownUnit: false))
    }

    /// The problems of `sameProblems`'s file.
    static func problems(unknownUnit: Bool) -> [String] {
        let n = Self.nip
        return [
            "line 3, column 6 (email): 'not-an-email' is not a valid e-mail address",
            "line 4, column 5 (nip_atasan): supervisor loop of 2 employees: \(n(3)) (line 4) → \(n(4)) (line 5) → back to \(n(3))",
            "line 6, column 1 (nip): NIP \(n(2)) appears on lines 3 and 6",
        ] + (unknownUnit ? ["line 7, column 4 (unit_kerja): unit 'DLHX' is not a known unit (known: BKPSDM, DLHK)"] : []) + [
            "line 7, column 5 (nip_atasan): supervisor NIP \(n(9)) is not in the file",
            "line 7, column 10 (nip_plt): acting appraiser NIP \(n(8)) is not in the file",
            "line 8, column 9 (aktif): aktif must be one of true/false, 1/0, ya/tidak, y/n, found 'maybe'",
            "line 9: the record has 4 fields, the header has 10; check separators and quotes on this line",
            "line 10, column 5 (nip_atasan): the employee is named as their own supervisor (nip_atasan equals nip)",
        ]
    }

    @Test("a valid file stores its employees and the units it implies, warns of inactive supervisors; a re-import counts and names its changes")
    func sameSummary() throws {
        let loader = try DemoStoreLoader(DemoSpec(employees: 600, periods: 1, seed: 3, firstPeriod: try Period(parsing: "2025-Q1")))
        var employees = loader.generator.employees
        // An inactive supervisor, so there are warnings.
        let boss = try #require(employees.firstIndex { e in employees.contains { $0.supervisor == e.nip && $0.aktif } })
        employees[boss].aktif = false
        let text = DemoCSV.employees(employees)
        let db = try AppDatabase.inMemory()
        let summary = try db.importEmployees(try EmployeeFile.stage(text), dryRun: false, now: Self.now, source: "t")
        #expect(try EmployeeFile.stored(db).sorted { $0.nip < $1.nip } == employees.sorted { $0.nip < $1.nip })
        // Units: one per unit_kerja, headed by its only active member without a supervisor inside it.
        let byNIP = Dictionary(uniqueKeysWithValues: employees.map { ($0.nip, $0) })
        let codes = Set(employees.map(\.unit)).sorted()
        let heads = codes.map { code in
            let tops = employees.filter { e in e.unit == code && e.aktif && e.supervisor.flatMap { byNIP[$0] }?.unit != code }
            return tops.count == 1 ? tops[0].nip : nil
        }
        #expect(try db.units().map(\.code) == codes && db.units().map(\.head) == heads)
        #expect(summary.added == employees.count && summary.unitsAdded == codes.count)
        // Warnings: every active employee under the inactive boss, by line (the file's line is index + 2).
        let warned = employees.indices.filter { employees[$0].aktif && employees[$0].supervisor == employees[boss].nip }
        #expect(!warned.isEmpty)
        #expect(summary.warnings == warned.prefix(50).map { i in
            "line \(i + 2), column 5 (nip_atasan): supervisor \(employees[boss].nip) (line \(boss + 2)) is inactive; "
                + "this employee will have no atasan review"
        } + (warned.count > 50 ? ["… and \(warned.count - 50) more warnings"] : []))

        // A re-import with changes: 20 new jabatan, the last 3 absent (the active ones deactivated).
        var next = employees
        next.removeLast(3)
        for i in stride(from: 0, to: 40, by: 2) { next[i].jabatan += " Madya" }
        let gone = employees.suffix(3).filter(\.aktif).sorted { $0.nip < $1.nip }
        let again = try db.importEmployees(try EmployeeFile.stage(DemoCSV.employees(next)), dryRun: false, now: Self.now, source: "t",
                                           options: EmployeeImportOptions(allowDeactivate: gone.count))
        #expect((again.added, again.changed, again.deactivated, again.unchanged) == (0, 20, gone.count, employees.count - 23))
        #expect(again.deactivatedByUnit == Dictionary(gone.map { ($0.unit, 1) }, uniquingKeysWith: +))
        let changed = stride(from: 0, to: 40, by: 2).map { next[$0] }.sorted { $0.nip < $1.nip }
        #expect(again.details.filter { $0.hasPrefix("changed ") } == changed.prefix(10).map { "changed \($0.nip) \($0.nama): jabatan" })
        #expect(again.details.filter { $0.hasPrefix("deactivated ") && !$0.hasPrefix("deactivated by") }
            == gone.map { "deactivated \($0.nip) \($0.nama) (\($0.unit), absent_from_file)" })
    }

    @Test("a re-import while a cycle is open moves and deactivates, adjusts the cycle; its dry run says the same and writes nothing")
    func reimportWithOpenCycle() throws {
        let n = Self.nip
        func file(_ rows: [String]) -> String { ([Self.header] + rows).joined(separator: "\n") + "\n" }
        var rows = [
            "\(n(1)),Kepala DLHK,Kepala Dinas,DLHK,,,,PNS,true,",
            "\(n(2)),Staf Dua,Analis,DLHK,\(n(1)),,,PNS,true,",
            "\(n(3)),Staf Tiga,Analis,DLHK,\(n(1)),,,PNS,true,",
            "\(n(4)),Staf Empat,Analis,DLHK,\(n(1)),,,PNS,true,",
            "\(n(5)),Staf Lima,Analis,DLHK,\(n(1)),,,PNS,true,",
            "\(n(6)),Kepala BKPSDM,Kepala Badan,BKPSDM,,,,PNS,true,",
            "\(n(7)),Staf Tujuh,Analis,BKPSDM,\(n(6)),,,PNS,true,",
        ]
        let db = try Self.database()
        _ = try db.importEmployees(try EmployeeFile.stage(file(rows)), dryRun: false, now: Self.now, source: "t")
        let cycle = try db.openCycle(period: try Period(parsing: "2025-Q1"), openedAt: Self.now, policy: Self.policy, by: "t")
        // Staf Dua moves to BKPSDM under its head; Staf Lima leaves (absent from the file).
        rows[1] = "\(n(2)),Staf Dua,Analis,BKPSDM,\(n(6)),,,PNS,true,"
        rows.remove(at: 4)
        let options = EmployeeImportOptions(allowDeactivate: 1)
        let before = try tableCounts(db)
        let dry = try db.importEmployees(try EmployeeFile.stage(file(rows)), dryRun: true, now: Self.now, source: "t", options: options)
        #expect(try tableCounts(db) == before)
        let applied = try db.importEmployees(try EmployeeFile.stage(file(rows)), dryRun: false, now: Self.now, source: "t", options: options)
        #expect(dry.cycleChanges == applied.cycleChanges)
        #expect((applied.added, applied.changed, applied.deactivated, applied.unchanged) == (0, 1, 1, 5))
        let changes = applied.cycleChanges ?? []
        let moved = try #require(changes.first { $0.nip == n(2) })
        #expect(moved.event == "transfer" && moved.detail == "moved from DLHK to BKPSDM" && moved.reassigned == 1)
        let left = try #require(changes.first { $0.nip == n(5) })
        #expect(left.event == "left" && left.cancelled > 0)
        // Staf Dua's atasan review goes to the BKPSDM head; no open assignment of Staf Lima remains.
        let atasan = try db.writer.read { d in
            try String.fetchAll(d, sql: """
                SELECT reviewer_nip FROM assignment_named WHERE cycle_id = ? AND subject_nip = ? AND role = 'atasan'
                """, arguments: [cycle.cycle.id, n(2).description])
        }
        #expect(atasan == [n(6).description])
        let lima = try db.writer.read { d in
            try Int.fetchOne(d, sql: """
                SELECT COUNT(*) FROM assignment_named WHERE cycle_id = ? AND (subject_nip = ? OR reviewer_nip = ?) AND submitted_at IS NULL
                """, arguments: [cycle.cycle.id, n(5).description, n(5).description])
        }
        #expect(lima == 0)
        let logged = try tableCounts(db)["assignment_change"] ?? 0
        #expect(logged == changes.reduce(0) { $0 + $1.reassigned + $1.cancelled } && logged > 0)
        #expect(try db.employee(n(5))?.aktif == false && db.employee(n(2))?.unit == "BKPSDM")
    }

    @Test("a re-import changing hundreds of employees while a cycle is open: the same changes in pages of 5 as in one, the first 200 listed, all counted and logged")
    func manyCycleChanges() throws {
        let loader = try DemoStoreLoader(DemoSpec(employees: 900, periods: 1, seed: 3, firstPeriod: try Period(parsing: "2025-Q1")))
        let employees = loader.generator.employees
        let db = try AppDatabase.inMemory()
        _ = try db.importEmployees(try EmployeeFile.stage(DemoCSV.employees(employees)), dryRun: false, now: Self.now, source: "t")
        _ = try db.openCycle(period: try Period(parsing: "2025-Q1"), openedAt: Self.now, policy: Self.policy, by: "t")
        // Every third active employee who supervises nobody leaves; every third (offset 1) moves to the next unit.
        let named = Set(employees.compactMap(\.supervisor) + employees.compactMap(\.acting?.nip))
        let leaves = employees.indices.filter { employees[$0].aktif && !named.contains(employees[$0].nip) && employees[$0].supervisor != nil }
        let units = Set(employees.map(\.unit)).sorted()
        var next = employees
        for i in stride(from: 0, to: leaves.count, by: 3) { next[leaves[i]].aktif = false }
        for i in stride(from: 1, to: leaves.count, by: 3) {
            next[leaves[i]].unit = units[(units.firstIndex(of: next[leaves[i]].unit)! + 1) % units.count]
        }
        let text = DemoCSV.employees(next)
        let gone = leaves.indices.filter { $0 % 3 == 0 }.count
        func run(dryRun: Bool, page: Int) throws -> ImportSummary {
            var options = EmployeeImportOptions(allowDeactivate: gone)
            options.adjustmentPage = page
            return try db.importEmployees(try EmployeeFile.stage(text), dryRun: dryRun, now: Self.now, source: "t", options: options)
        }
        let whole = try run(dryRun: true, page: 2_048)
        let paged = try run(dryRun: true, page: 5)
        let listed = try #require(whole.cycleChanges)
        let total = try #require(whole.cycleChangesTotal)
        #expect(listed.count == 200 && total > 250, "\(listed.count) of \(total)")
        #expect(listed.map(\.nip) == listed.map(\.nip).sorted())
        #expect(paged.cycleChanges == listed && paged.cycleChangesTotal == total)
        let applied = try run(dryRun: false, page: 5)
        #expect(applied.cycleChanges == listed && applied.cycleChangesTotal == total)
        // Every change is kept for the cycle report, which lists every employee with the listed counts.
        let cycle = try #require(try db.writer.read { d in try Int64.fetchOne(d, sql: "SELECT id FROM cycle") })
        let report = try db.assignmentChanges(cycle: cycle)
        #expect(report.count == total)
        #expect(Array(report.sorted { $0.nip < $1.nip }.prefix(200)) == listed)
    }

    /// The SQLite temporary files this process has open (unlinked when opened, so they show as deleted).
    static func spoolFiles() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { fd in
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")
        }.filter { $0.contains("etilqs_") })
    }

    @Test("a staged file spills to an unlinked temporary file, which is gone when the import is dropped")
    func droppedSpoolLeavesNothing() throws {
        let loader = try DemoStoreLoader(DemoSpec(employees: 3_000, periods: 1, seed: 3, firstPeriod: try Period(parsing: "2025-Q1")))
        let before = try Self.spoolFiles()
        var staged: EmployeeSpool? = try EmployeeFile.stage(DemoCSV.employees(loader.generator.employees), cacheKiB: 64)
        #expect(staged?.recordCount == 3_000 && staged?.problemCount == 0)
        let opened = try Self.spoolFiles().subtracting(before)
        #expect(!opened.isEmpty)
        staged = nil
        #expect(try Self.spoolFiles().isDisjoint(with: opened))
    }
}
