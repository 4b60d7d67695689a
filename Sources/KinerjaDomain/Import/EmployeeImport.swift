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
    /// Optional columns (empty when the file lacks them).
    public var jenisJabatan = ""
    public var kelasJabatan = ""
    public var eselon = ""
    public var subUnit = ""
    public var nipPlt = ""
    public var jenisPlt = ""
    public var alasanNonaktif = ""

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
        jenisJabatan = v("jenis_jabatan")
        kelasJabatan = v("kelas_jabatan")
        eselon = v("eselon")
        subUnit = v("sub_unit")
        nipPlt = v("nip_plt")
        jenisPlt = v("jenis_plt")
        alasanNonaktif = v("alasan_nonaktif")
    }
}

/// The units a partial employee file covers (`kinerjactl import employees FILE --scope UNIT,…`):
/// its rows must all be in those units, and may name as supervisor or acting appraiser anyone in
/// `outside` (the stored employees of other units).
public struct ImportScope: Sendable, Hashable {
    /// Unit codes, lowercased.
    public var units: Set<String>
    public var outside: [Employee]

    public init(units: Set<String>, outside: [Employee]) {
        self.units = Set(units.map { $0.lowercased() })
        self.outside = outside
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
/// nip_atasan, email and telepon may be empty. Optional columns: `jenis_jabatan` (struktural,
/// fungsional, pelaksana), `kelas_jabatan` (1–17), `eselon` (II.a … IV.b), `sub_unit` (bidang or
/// seksi), `nip_plt` (the acting appraiser, in the file, who writes the atasan review while the post
/// is vacant), `jenis_plt` (`Plt` or `Plh`, default Plt; only with nip_plt) and `alasan_nonaktif`
/// (pensiun, meninggal, berhenti, cuti; only with aktif false). The NIP is checked by the rule of the
/// status (`NIP.Rule`): a PNS NIP for PNS, an NI PPPK for PPPK. Checks: NIP structure, duplicate NIPs (both lines named),
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
        .init("jenis_jabatan", required: false), .init("kelas_jabatan", required: false),
        .init("eselon", required: false), .init("sub_unit", aliases: ["bidang"], required: false),
        .init("nip_plt", required: false), .init("jenis_plt", required: false),
        .init("alasan_nonaktif", required: false),
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

    /// One row after the checks that need only the row itself (`check(_:report:)`): the values
    /// parsed, each nil when its field was reported.
    public struct CheckedRow: Sendable {
        public var nip: NIP?
        public var supervisor: NIP?
        public var status: EmploymentStatus?
        public var aktif: Bool?
        /// `unit_kerja` lowercased: units match case-insensitively.
        public var unitKey: String
        public var rank = EmployeeRank()
        public var acting: ActingAppraiser?
        public var inactiveReason: InactiveReason?
    }

    /// Checks what one row can tell alone (NIP by the status's rule, required and too long text,
    /// supervisor and acting NIPs, e-mail, status, aktif, the optional columns), reporting each problem
    /// as (column, code, message). Duplicates, supervisors, loops and units need the whole file.
    public static func check(_ row: EmployeeRow, report: (String, ImportProblem.Code, String) -> Void) -> CheckedRow {
        var p = CheckedRow(unitKey: row.unitKerja.lowercased())
        // nip
        if row.nip.isEmpty {
            report("nip", .missingValue, "nip is required")
        } else {
            // The rule follows the status: a PNS NIP for PNS, an NI PPPK for PPPK (either when the
            // status is unreadable; that is reported below).
            let rule = EmploymentStatus(parsing: row.status).map(NIP.Rule.init) ?? .any
            switch NIP.parse(row.nip, rule: rule) {
            case .success(let nip):
                p.nip = nip
            case .failure(let error):
                let hint = rule == .pns && NIP(row.nip) != nil ? " (an NI PPPK is accepted with status PPPK)" : ""
                report("nip", .badNIP, "'\(row.nip)' is not a valid NIP: \(error.message)\(hint)")
            }
        }
        // text fields
        for (name, value) in [("nama", row.nama), ("jabatan", row.jabatan), ("unit_kerja", row.unitKerja)] {
            if value.isEmpty {
                report(name, .missingValue, "\(name) is required")
            } else if value.count > maxTextLength {
                report(name, .tooLong, "\(name) has \(value.count) characters, at most \(maxTextLength) allowed")
            }
        }
        if row.telepon.count > maxTextLength {
            report("telepon", .tooLong, "telepon has \(row.telepon.count) characters, at most \(maxTextLength) allowed")
        }
        // nip_atasan
        if !row.nipAtasan.isEmpty {
            switch NIP.parse(row.nipAtasan) {
            case .success(let supervisor):
                if supervisor == p.nip {
                    report("nip_atasan", .selfSupervision, "the employee is named as their own supervisor (nip_atasan equals nip)")
                } else {
                    p.supervisor = supervisor
                }
            case .failure(let error):
                report("nip_atasan", .badNIP, "supervisor NIP '\(row.nipAtasan)' is not valid: \(error.message)")
            }
        }
        // email
        if !row.email.isEmpty, !FieldValue.isValidEmail(row.email) {
            report("email", .badEmail, "'\(row.email)' is not a valid e-mail address")
        }
        // status
        if row.status.isEmpty {
            report("status", .missingValue, "status is required (PNS or PPPK)")
        } else if let status = EmploymentStatus(parsing: row.status) {
            p.status = status
        } else {
            report("status", .badStatus, "status must be PNS or PPPK, found '\(row.status)'")
        }
        // aktif
        if row.aktif.isEmpty {
            report("aktif", .missingValue, "aktif is required (\(FieldValue.boolSpellings))")
        } else if let aktif = FieldValue.bool(row.aktif) {
            p.aktif = aktif
        } else {
            report("aktif", .badBoolean, "aktif must be one of \(FieldValue.boolSpellings), found '\(row.aktif)'")
        }
        readOptionalColumns(row, into: &p, report: report)
        return p
    }

    /// The messages of the checks that need the whole file, shared by every way a file is validated.
    public enum Message {
        public static func duplicate(_ nip: NIP, firstLine: Int, line: Int) -> String {
            "NIP \(nip) appears on lines \(firstLine) and \(line)"
        }

        /// `unit` is not among `known` (the stored unit codes, sorted).
        public static func unknownUnit(_ unit: String, known: [String]) -> String {
            let shown = known.isEmpty ? "no units are known yet; import units first"
                : "known: " + known.prefix(8).joined(separator: ", ") + (known.count > 8 ? ", …" : "")
            return "unit '\(unit)' is not a known unit (\(shown))"
        }

        /// `unit` is outside `scope` (lowercased codes).
        public static func outsideScope(_ unit: String, scope: Set<String>) -> String {
            "unit '\(unit)' is outside the import's scope (" + scope.sorted().map { $0.uppercased() }.joined(separator: ", ") + ")"
        }

        /// Where a supervisor or acting appraiser must be found.
        public static func whereKnown(scoped: Bool) -> String {
            scoped ? "in the file or stored outside the import's scope" : "in the file"
        }

        public static func unknownActing(_ nip: NIP, scoped: Bool) -> String {
            "acting appraiser NIP \(nip) is not \(whereKnown(scoped: scoped))"
        }

        public static func unknownSupervisor(_ nip: NIP, scoped: Bool) -> String {
            "supervisor NIP \(nip) is not \(whereKnown(scoped: scoped))"
        }

        /// A loop through `members` (NIP and file line, nil when stored), in supervisor direction.
        public static func loop(_ members: [(nip: NIP, line: Int?)]) -> String {
            let path = members.map { m in "\(m.nip) " + (m.line.map { "(line \($0))" } ?? "(stored)") }.joined(separator: " → ")
            return "supervisor loop of \(members.count) employees: \(path) → back to \(members[0].nip)"
        }

        /// An active employee's supervisor `supervisor` (at `line`, nil when stored) is inactive.
        public static func inactiveSupervisor(_ supervisor: NIP, line: Int?) -> String {
            "supervisor \(supervisor) (\(line.map { "line \($0)" } ?? "stored")) is inactive; "
                + "this employee will have no atasan review"
        }
    }

    static func validate(rows: [EmployeeRow], columns: CSVColumnMap, knownUnits: [Unit]?, scope: ImportScope? = nil,
                         collector: inout ProblemCollector) -> Result<ValidatedEmployees, ImportFailure> {
        func report(_ row: EmployeeRow, _ column: String, _ code: ImportProblem.Code, _ message: String) {
            collector.add(line: row.line, column: columns.number(column), columnName: column, code: code, message)
        }
        let known: [String: Unit]? = knownUnits.map { units in
            var map: [String: Unit] = [:]
            for u in units { map[u.code.lowercased()] = map[u.code.lowercased()] ?? u }
            return map
        }
        let knownCodes = known.map { $0.values.map(\.code).sorted() }

        var parsed: [CheckedRow] = []
        parsed.reserveCapacity(rows.count)
        var firstRow: [NIP: Int] = [:]
        firstRow.reserveCapacity(rows.count)
        for (r, row) in rows.enumerated() {
            let p = check(row) { report(row, $0, $1, $2) }
            if let nip = p.nip {
                if let first = firstRow[nip] {
                    report(row, "nip", .duplicateNIP, Message.duplicate(nip, firstLine: rows[first].line, line: row.line))
                } else {
                    firstRow[nip] = r
                }
            }
            if !row.unitKerja.isEmpty, let known, known[p.unitKey] == nil {
                report(row, "unit_kerja", .unknownUnit, Message.unknownUnit(row.unitKerja, known: knownCodes ?? []))
            }
            if let scope, !row.unitKerja.isEmpty, !scope.units.contains(p.unitKey) {
                report(row, "unit_kerja", .outsideScope, Message.outsideScope(row.unitKerja, scope: scope.units))
            }
            parsed.append(p)
        }

        // Employees outside a partial import's scope, which its rows may name as supervisors: they
        // follow the file's rows in the graph below (indices rows.count...).
        let outside = (scope?.outside ?? []).filter { firstRow[$0.nip] == nil }
        var outsideIndex: [NIP: Int] = [:]
        for (i, e) in outside.enumerated() { outsideIndex[e.nip] = rows.count + i }
        // Acting appraisers must be known.
        for (r, p) in parsed.enumerated() {
            if let acting = p.acting, firstRow[acting.nip] == nil, outsideIndex[acting.nip] == nil {
                report(rows[r], "nip_plt", .unknownSupervisor, Message.unknownActing(acting.nip, scoped: scope != nil))
            }
        }
        // Supervisors must be known; the "supervisor of" graph must have no loop.
        var parent = [Int](repeating: -1, count: rows.count + outside.count)
        for (r, p) in parsed.enumerated() {
            guard let supervisor = p.supervisor else { continue }
            if let s = firstRow[supervisor] ?? outsideIndex[supervisor] {
                if let nip = p.nip, firstRow[nip] == r { parent[r] = s }
            } else {
                report(rows[r], "nip_atasan", .unknownSupervisor, Message.unknownSupervisor(supervisor, scoped: scope != nil))
            }
        }
        for (i, e) in outside.enumerated() {
            if let s = e.supervisor { parent[rows.count + i] = firstRow[s] ?? outsideIndex[s] ?? -1 }
        }
        func member(_ v: Int) -> (nip: NIP, line: Int?) {
            v < rows.count ? (parsed[v].nip!, rows[v].line) : (outside[v - rows.count].nip, nil)
        }
        for var cycle in SupervisorGraph.cycles(parent: parent) where cycle.contains(where: { $0 < rows.count }) {
            // Start at a row of the file, so the problem has a line.
            if let at = cycle.firstIndex(where: { $0 < rows.count }), at > 0 { cycle = Array(cycle[at...] + cycle[..<at]) }
            report(rows[cycle[0]], "nip_atasan", .supervisorLoop, Message.loop(cycle.map(member)))
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
                telepon: row.telepon.isEmpty ? nil : row.telepon, status: p.status!, aktif: p.aktif!,
                rank: p.rank, acting: p.acting, inactiveReason: p.inactiveReason))
            lines[p.nip!] = row.line
        }
        var warnings: [ImportProblem] = []
        func person(_ v: Int) -> Employee { v < rows.count ? employees[v] : outside[v - rows.count] }
        for (r, e) in employees.enumerated() where e.aktif {
            if let s = parent[r] >= 0 ? parent[r] : nil, !person(s).aktif {
                warnings.append(ImportProblem(
                    line: rows[r].line, column: columns.number("nip_atasan"), columnName: "nip_atasan",
                    code: .inactiveSupervisor,
                    message: Message.inactiveSupervisor(person(s).nip, line: s < rows.count ? rows[s].line : nil)))
            }
        }
        if known == nil {
            var candidates: [String: [NIP]] = [:]
            for (r, e) in employees.enumerated() where e.aktif {
                let s = parent[r]
                if s < 0 || person(s).unit != e.unit { candidates[e.unit, default: []].append(e.nip) }
            }
            for (key, unit) in unitByKey {
                if let heads = candidates[unit.code], heads.count == 1 { unitByKey[key]?.head = heads[0] }
            }
        }
        return .success(ValidatedEmployees(
            employees: employees, lines: lines, units: unitByKey.values.sorted { $0.code < $1.code },
            unitsDerived: known == nil, warnings: warnings))
    }

    /// The optional columns: rank, acting appraiser, reason of inactivity.
    private static func readOptionalColumns(_ row: EmployeeRow, into p: inout CheckedRow,
                                            report: (String, ImportProblem.Code, String) -> Void) {
        if !row.jenisJabatan.isEmpty {
            p.rank.jenisJabatan = JenisJabatan(parsing: row.jenisJabatan)
            if p.rank.jenisJabatan == nil {
                report("jenis_jabatan", .badValue,
                       "jenis_jabatan must be struktural, fungsional or pelaksana, found '\(row.jenisJabatan)'")
            }
        }
        if !row.kelasJabatan.isEmpty {
            if let k = Int(row.kelasJabatan), EmployeeRank.kelasRange.contains(k) {
                p.rank.kelasJabatan = k
            } else {
                report("kelas_jabatan", .badValue, "kelas_jabatan must be a whole number from 1 to 17, found '\(row.kelasJabatan)'")
            }
        }
        if !row.eselon.isEmpty {
            p.rank.eselon = Eselon(parsing: row.eselon)
            if p.rank.eselon == nil {
                report("eselon", .badValue, "eselon must be one of "
                    + Eselon.allCases.map(\.rawValue).joined(separator: ", ") + ", found '\(row.eselon)'")
            }
        }
        if !row.subUnit.isEmpty {
            if row.subUnit.count > maxTextLength {
                report("sub_unit", .tooLong, "sub_unit has \(row.subUnit.count) characters, at most \(maxTextLength) allowed")
            } else {
                p.rank.subUnit = row.subUnit
            }
        }
        var kind = ActingKind.plt
        if !row.jenisPlt.isEmpty {
            if let k = ActingKind(parsing: row.jenisPlt) { kind = k } else {
                report("jenis_plt", .badValue, "jenis_plt must be Plt or Plh, found '\(row.jenisPlt)'")
            }
            if row.nipPlt.isEmpty { report("jenis_plt", .badValue, "jenis_plt is given but nip_plt is empty") }
        }
        if !row.nipPlt.isEmpty {
            switch NIP.parse(row.nipPlt) {
            case .success(let acting) where acting == p.nip:
                report("nip_plt", .selfSupervision, "the employee is named as their own acting appraiser (nip_plt equals nip)")
            case .success(let acting):
                p.acting = ActingAppraiser(nip: acting, kind: kind)
            case .failure(let error):
                report("nip_plt", .badNIP, "acting appraiser NIP '\(row.nipPlt)' is not valid: \(error.message)")
            }
        }
        if !row.alasanNonaktif.isEmpty {
            if let reason = InactiveReason(parsing: row.alasanNonaktif) {
                if p.aktif == true {
                    report("alasan_nonaktif", .badValue, "alasan_nonaktif is given but the employee is active (aktif true)")
                } else {
                    p.inactiveReason = reason
                }
            } else {
                report("alasan_nonaktif", .badValue, "alasan_nonaktif must be one of "
                    + InactiveReason.allCases.map(\.rawValue).joined(separator: ", ") + ", found '\(row.alasanNonaktif)'")
            }
        }
    }
}
