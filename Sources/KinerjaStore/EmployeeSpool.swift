import Foundation
import KinerjaDomain
import Synchronization

/// An employee file staged on disk (`kinerjactl import employees`): each record is checked alone as it
/// arrives (`EmployeeImport.check`, problems with line and column) and its values appended to a private
/// `ImportSpool`, so a staged file of 250,000 employees costs the daemon a few KiB. The checks that need
/// the whole file and the stored employees run when it is applied (`AppDatabase.importEmployees`), as SQL
/// over the spool and integer arrays. Dropping the spool deletes its temporary file.
public final class EmployeeSpool: Sendable {
    public let columns: CSVColumnMap
    let spool: ImportSpool

    private struct State {
        var collector: ProblemCollector
        var records = 0
    }
    private let state: Mutex<State>

    /// The spool's table: one row per record with the right field count, in file order. `nip`,
    /// `supervisor` and `acting_nip` hold canonical NIPs (NULL when absent or reported), `status` and
    /// `aktif` the parsed values (NULL when reported).
    static let table = "staged"
    static let columnNames = ["line", "nip", "nama", "jabatan", "unit", "unit_key", "supervisor", "email", "telepon", "status",
                              "aktif", "jenis_jabatan", "kelas_jabatan", "eselon", "sub_unit", "acting_nip", "acting_kind",
                              "inactive_reason"]

    /// `cacheKiB`: the spool's page cache; beyond it the rows go to its temporary file.
    public init(columns: CSVColumnMap, problemCap: Int = ProblemCollector.defaultCap, cacheKiB: Int = 2048) throws {
        self.columns = columns
        state = Mutex(State(collector: ProblemCollector(cap: problemCap)))
        spool = try ImportSpool(schema: ["""
            CREATE TABLE staged(line INTEGER NOT NULL, nip TEXT, nama TEXT NOT NULL, jabatan TEXT NOT NULL, unit TEXT NOT NULL,
                unit_key TEXT NOT NULL, supervisor TEXT, email TEXT, telepon TEXT, status TEXT, aktif INTEGER,
                jenis_jabatan TEXT, kelas_jabatan INTEGER, eselon TEXT, sub_unit TEXT, acting_nip TEXT, acting_kind TEXT,
                inactive_reason TEXT)
            """], cacheKiB: cacheKiB)
    }

    /// Non-blank records added so far.
    public var recordCount: Int { state.withLock { $0.records } }

    /// Problems found so far (including those beyond the cap).
    public var problemCount: Int { state.withLock { $0.collector.totalCount } }

    /// The problems found while staging.
    var problems: ProblemCollector { state.withLock { $0.collector } }

    /// Adds records (blank ones skipped, field counts checked, each row checked alone). When the spool
    /// cannot be written (its disk is full), that is a problem of the import at the batch's first line,
    /// so the commit refuses it with the reason.
    public func add(_ records: [CSVRecord]) {
        var rows: [EmployeeRow] = []
        rows.reserveCapacity(records.count)
        var refused: [ImportProblem] = []
        for record in records where !record.isBlank {
            if let problem = columns.recordProblem(record) { refused.append(problem) } else {
                rows.append(EmployeeRow(record: record, columns: columns))
            }
        }
        state.withLock { s in
            s.records += refused.count
            for p in refused { s.collector.add(p) }
        }
        do {
            try add(rows: rows)
        } catch {
            state.withLock { s in
                s.records += rows.count
                s.collector.add(line: rows.first?.line ?? columns.headerLine, column: nil, columnName: nil, code: Self.stagingFailed,
                                "these records could not be staged: \(error)")
            }
        }
    }

    /// The problem of records the spool could not take.
    public static let stagingFailed = ImportProblem.Code(rawValue: "staging_failed")

    func add(rows: [EmployeeRow]) throws {
        var problems: [ImportProblem] = []
        try spool.append(to: Self.table, columns: Self.columnNames) { out in
            for row in rows {
                let p = EmployeeImport.check(row) { column, code, message in
                    problems.append(ImportProblem(line: row.line, column: columns.number(column), columnName: column,
                                                  code: code, message: message))
                }
                out.add(row.line)
                out.add(p.nip?.description)
                out.add(row.nama)
                out.add(row.jabatan)
                out.add(row.unitKerja)
                out.add(p.unitKey)
                out.add(p.supervisor?.description)
                out.add(row.email.isEmpty ? nil : row.email)
                out.add(row.telepon.isEmpty ? nil : row.telepon)
                out.add(p.status?.rawValue)
                out.add(p.aktif.map { $0 ? 1 : 0 } as Int?)
                out.add(p.rank.jenisJabatan?.rawValue)
                out.add(p.rank.kelasJabatan)
                out.add(p.rank.eselon?.rawValue)
                out.add(p.rank.subUnit)
                out.add(p.acting?.nip.description)
                out.add(p.acting?.kind.rawValue)
                out.add(p.inactiveReason?.rawValue)
                try out.endRow()
            }
        }
        state.withLock { s in
            s.records += rows.count
            for p in problems { s.collector.add(p) }
        }
    }

    /// The columns of `staged` an employee is built from, for `employee(_:units:)`.
    static let employeeSQL = "nip, nama, jabatan, unit_key, supervisor, email, telepon, status, aktif, jenis_jabatan, "
        + "kelas_jabatan, eselon, sub_unit, acting_nip, acting_kind, inactive_reason"

    /// The employee of a valid staged row read with `employeeSQL`; `units` maps unit keys to codes.
    static func employee(_ row: borrowing ImportSpool.Row, units: [String: String]) -> Employee {
        let key = row.text(3)
        let actingKind = row.optionalText(14).flatMap(ActingKind.init(rawValue:)) ?? .plt
        return Employee(
            nip: NIP(row.text(0))!, nama: row.text(1), jabatan: row.text(2), unit: units[key] ?? key,
            supervisor: row.optionalText(4).flatMap(NIP.init), email: row.optionalText(5), telepon: row.optionalText(6),
            status: EmploymentStatus(rawValue: row.text(7)) ?? .pns, aktif: row.integer(8) != 0,
            rank: EmployeeRank(jenisJabatan: row.optionalText(9).flatMap(JenisJabatan.init(rawValue:)),
                               kelasJabatan: row.optionalInteger(10).map { Int($0) },
                               eselon: row.optionalText(11).flatMap(Eselon.init(rawValue:)), subUnit: row.optionalText(12)),
            acting: row.optionalText(13).flatMap(NIP.init).map { ActingAppraiser(nip: $0, kind: actingKind) },
            inactiveReason: row.optionalText(15).flatMap(InactiveReason.init(rawValue:)))
    }
}
