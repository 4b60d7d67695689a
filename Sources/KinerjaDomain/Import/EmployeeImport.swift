import Foundation

/// One data row of an employee file, as text, with the line it came from (the columns of
/// `kinerjactl import employees`).
///
/// The CLI may parse the file itself and send rows in batches; the daemon validates them all
/// together with `EmployeeImport.validate(rows:columns:knownUnits:problemCap:)`.
public struct EmployeeRow: Sendable, Hashable, Codable {
    public var line: Int
    public var nip: String
    public var nama: String
    public var jabatan: String
    public var unitKerja: String
    public var nipAtasan: String
    public var email: String
    public var telepon: String
    public var status: String
    public var aktif: String

    public init(line: Int, nip: String, nama: String = "", jabatan: String = "", unitKerja: String = "",
                nipAtasan: String = "", email: String = "", telepon: String = "", status: String = "PNS",
                aktif: String = "true") {
        self.line = line
        self.nip = nip
        self.nama = nama
        self.jabatan = jabatan
        self.unitKerja = unitKerja
        self.nipAtasan = nipAtasan
        self.email = email
        self.telepon = telepon
        self.status = status
        self.aktif = aktif
    }

    /// The row in `record`, fields trimmed.
    public init(record: CSVRecord, columns: CSVColumnMap) {
        func v(_ name: String) -> String { columns.value(name, in: record) }
        self.init(line: record.line, nip: v("nip"), nama: v("nama"), jabatan: v("jabatan"),
                  unitKerja: v("unit_kerja"), nipAtasan: v("nip_atasan"), email: v("email"),
                  telepon: v("telepon"), status: v("status"), aktif: v("aktif"))
    }
}

/// A valid employee file, ready to merge: everything is validated before anything is written.
public struct ValidatedEmployees: Sendable, Hashable {
    /// The employees in file order; unit codes use the known unit's spelling.
    public var employees: [Employee]
    /// Line of each employee in the file.
    public var lines: [NIP: Int]
    /// The known units (when given) or the units derived from the file, sorted by code.
    public var units: [Unit]
    /// Whether `units` were derived from the file.
    public var unitsDerived: Bool
    /// Things worth telling the admin that do not block the import (an active employee whose
    /// supervisor is inactive has no atasan review).
    public var warnings: [ImportProblem]
}

/// Validation of a SIMPEG-style employee file (`kinerjactl import employees`; docs/admin-guide.md,
/// "Import files").
///
/// Columns (any order, header matched case-insensitively): `nip, nama, jabatan, unit_kerja,
/// nip_atasan, email, telepon, status, aktif`; all nine must be present in the header. Required
/// values: nip, nama, jabatan, unit_kerja, status (`PNS`/`PPPK`), aktif (`true/false/1/0/ya/tidak/y/n`);
/// nip_atasan, email and telepon may be empty. Checks: NIP structure, duplicate NIPs (both lines named),
/// bad supervisor NIP, self-supervision, supervisor not in the file, supervisor loops (members and
/// their lines), unknown unit (against `knownUnits` when given; otherwise units are derived from the
/// file), e-mail syntax, text longer than 255 characters. All problems are collected (up to the cap,
/// the first ones by line) and nothing is valid unless there are none.
///
/// Derived units: one per distinct `unit_kerja` (matched case-insensitively, first spelling kept),
/// named by their code; the head is set when exactly one active member has no supervisor inside the
/// unit.
public enum EmployeeImport {
    public static let schema = CSVSchema([
        .init("nip"), .init("nama"), .init("jabatan"), .init("unit_kerja"), .init("nip_atasan"),
        .init("email"), .init("telepon"), .init("status"), .init("aktif"),
    ])

    static let maxTextLength = 255

    /// Parses and validates a whole file.
    public static func validate(csv text: String, knownUnits: [Unit]? = nil,
                                problemCap: Int = ProblemCollector.defaultCap)
        -> Result<ValidatedEmployees, ImportFailure> {
        var collector = ProblemCollector(cap: problemCap)
        guard let (columns, records) = ImportReading.read(csv: text, schema: schema, collector: &collector) else {
            return .failure(collector.failure)
        }
        let rows = records.map { EmployeeRow(record: $0, columns: columns) }
        return validate(rows: rows, columns: columns, knownUnits: knownUnits, collector: &collector)
    }

    /// Parses a file into rows (for sending in batches), or the reading problems.
    public static func rows(csv text: String, problemCap: Int = ProblemCollector.defaultCap)
        -> Result<(columns: CSVColumnMap, rows: [EmployeeRow]), ImportFailure> {
        var collector = ProblemCollector(cap: problemCap)
        guard let (columns, records) = ImportReading.read(csv: text, schema: schema, collector: &collector),
              collector.isEmpty else {
            return .failure(collector.failure)
        }
        return .success((columns, records.map { EmployeeRow(record: $0, columns: columns) }))
    }

    /// Validates rows already read; `columns` gives the file's column numbers for the problems.
    public static func validate(rows: [EmployeeRow], columns: CSVColumnMap = CSVColumnMap(canonical: schema),
                                knownUnits: [Unit]? = nil, problemCap: Int = ProblemCollector.defaultCap)
        -> Result<ValidatedEmployees, ImportFailure> {
        var collector = ProblemCollector(cap: problemCap)
        if rows.isEmpty {
            collector.add(line: columns.headerLine, column: nil, columnName: nil, code: .noRecords,
                          "the file has no records")
            return .failure(collector.failure)
        }
        return validate(rows: rows, columns: columns, knownUnits: knownUnits, collector: &collector)
    }

    private struct Parsed {
        var nip: NIP?
        var supervisor: NIP?
        var status: EmploymentStatus?
        var aktif: Bool?
        var unitKey: String
    }

    static func validate(rows: [EmployeeRow], columns: CSVColumnMap, knownUnits: [Unit]?,
                         collector: inout ProblemCollector) -> Result<ValidatedEmployees, ImportFailure> {
        func report(_ row: EmployeeRow, _ column: String, _ code: ImportProblem.Code, _ message: String) {
            collector.add(line: row.line, column: columns.number(column), columnName: column, code: code, message)
        }
        let known: [String: Unit]? = knownUnits.map { units in
            var map: [String: Unit] = [:]
            for u in units { map[u.code.lowercased()] = map[u.code.lowercased()] ?? u }
            return map
        }

        var parsed: [Parsed] = []
        parsed.reserveCapacity(rows.count)
        var firstRow: [NIP: Int] = [:]
        firstRow.reserveCapacity(rows.count)
        for (r, row) in rows.enumerated() {
            var p = Parsed(unitKey: row.unitKerja.lowercased())
            // nip
            if row.nip.isEmpty {
                report(row, "nip", .missingValue, "nip is required")
            } else {
                switch NIP.parse(row.nip) {
                case .success(let nip):
                    p.nip = nip
                    if let first = firstRow[nip] {
                        report(row, "nip", .duplicateNIP,
                               "NIP \(nip) appears on lines \(rows[first].line) and \(row.line)")
                    } else {
                        firstRow[nip] = r
                    }
                case .failure(let error):
                    report(row, "nip", .badNIP, "'\(row.nip)' is not a valid NIP: \(error.message)")
                }
            }
            // text fields
            for (name, value) in [("nama", row.nama), ("jabatan", row.jabatan), ("unit_kerja", row.unitKerja)] {
                if value.isEmpty {
                    report(row, name, .missingValue, "\(name) is required")
                } else if value.count > maxTextLength {
                    report(row, name, .tooLong, "\(name) has \(value.count) characters, at most \(maxTextLength) allowed")
                }
            }
            if row.telepon.count > maxTextLength {
                report(row, "telepon", .tooLong, "telepon has \(row.telepon.count) characters, at most \(maxTextLength) allowed")
            }
            if !row.unitKerja.isEmpty, let known, known[p.unitKey] == nil {
                let list = known.values.map(\.code).sorted()
                let shown = list.isEmpty ? "no units are known yet; import units first"
                    : "known: " + list.prefix(8).joined(separator: ", ") + (list.count > 8 ? ", …" : "")
                report(row, "unit_kerja", .unknownUnit, "unit '\(row.unitKerja)' is not a known unit (\(shown))")
            }
            // nip_atasan
            if !row.nipAtasan.isEmpty {
                switch NIP.parse(row.nipAtasan) {
                case .success(let supervisor):
                    if supervisor == p.nip {
                        report(row, "nip_atasan", .selfSupervision,
                               "the employee is named as their own supervisor (nip_atasan equals nip)")
                    } else {
                        p.supervisor = supervisor
                    }
                case .failure(let error):
                    report(row, "nip_atasan", .badNIP,
                           "supervisor NIP '\(row.nipAtasan)' is not valid: \(error.message)")
                }
            }
            // email
            if !row.email.isEmpty, !FieldValue.isValidEmail(row.email) {
                report(row, "email", .badEmail, "'\(row.email)' is not a valid e-mail address")
            }
            // status
            if row.status.isEmpty {
                report(row, "status", .missingValue, "status is required (PNS or PPPK)")
            } else if let status = EmploymentStatus(parsing: row.status) {
                p.status = status
            } else {
                report(row, "status", .badStatus, "status must be PNS or PPPK, found '\(row.status)'")
            }
            // aktif
            if row.aktif.isEmpty {
                report(row, "aktif", .missingValue, "aktif is required (\(FieldValue.boolSpellings))")
            } else if let aktif = FieldValue.bool(row.aktif) {
                p.aktif = aktif
            } else {
                report(row, "aktif", .badBoolean,
                       "aktif must be one of \(FieldValue.boolSpellings), found '\(row.aktif)'")
            }
            parsed.append(p)
        }

        // Supervisors must be in the file; the "supervisor of" graph must have no loop.
        var parent = [Int](repeating: -1, count: rows.count)
        for (r, p) in parsed.enumerated() {
            guard let supervisor = p.supervisor else { continue }
            if let s = firstRow[supervisor] {
                if let nip = p.nip, firstRow[nip] == r { parent[r] = s }
            } else {
                report(rows[r], "nip_atasan", .unknownSupervisor,
                       "supervisor NIP \(supervisor) is not in the file")
            }
        }
        for cycle in SupervisorGraph.cycles(parent: parent) {
            let first = rows[cycle[0]]
            let path = cycle.map { "\(parsed[$0].nip!) (line \(rows[$0].line))" }.joined(separator: " → ")
            report(first, "nip_atasan", .supervisorLoop,
                   "supervisor loop of \(cycle.count) employees: \(path) → back to \(parsed[cycle[0]].nip!)")
        }

        guard collector.isEmpty else { return .failure(collector.failure) }

        // Valid: build the employees and units.
        var unitByKey: [String: Unit] = [:]
        if let known {
            unitByKey = known
        } else {
            for row in rows where unitByKey[row.unitKerja.lowercased()] == nil {
                unitByKey[row.unitKerja.lowercased()] = Unit(code: row.unitKerja)
            }
        }
        var employees: [Employee] = []
        employees.reserveCapacity(rows.count)
        var lines: [NIP: Int] = [:]
        lines.reserveCapacity(rows.count)
        for (r, row) in rows.enumerated() {
            let p = parsed[r]
            employees.append(Employee(
                nip: p.nip!, nama: row.nama, jabatan: row.jabatan, unit: unitByKey[p.unitKey]!.code,
                supervisor: p.supervisor, email: row.email.isEmpty ? nil : row.email,
                telepon: row.telepon.isEmpty ? nil : row.telepon, status: p.status!, aktif: p.aktif!))
            lines[p.nip!] = row.line
        }
        var warnings: [ImportProblem] = []
        for (r, e) in employees.enumerated() where e.aktif {
            if let s = parent[r] >= 0 ? parent[r] : nil, !employees[s].aktif {
                warnings.append(ImportProblem(
                    line: rows[r].line, column: columns.number("nip_atasan"), columnName: "nip_atasan",
                    code: .inactiveSupervisor,
                    message: "supervisor \(employees[s].nip) (line \(rows[s].line)) is inactive; "
                        + "this employee will have no atasan review"))
            }
        }
        if known == nil {
            var candidates: [String: [NIP]] = [:]
            for (r, e) in employees.enumerated() where e.aktif {
                let s = parent[r]
                if s < 0 || employees[s].unit != e.unit { candidates[e.unit, default: []].append(e.nip) }
            }
            for (key, unit) in unitByKey {
                if let heads = candidates[unit.code], heads.count == 1 { unitByKey[key]?.head = heads[0] }
            }
        }
        return .success(ValidatedEmployees(
            employees: employees, lines: lines, units: unitByKey.values.sorted { $0.code < $1.code },
            unitsDerived: known == nil, warnings: warnings))
    }
}
