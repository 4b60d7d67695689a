import Foundation

/// One data row of an employee file, as text, with the line it came from (the columns of
/// `kinerjactl import employees`).
///
/// The daemon stages each row as it arrives, checked alone by `EmployeeImport.check(_:report:)`; the
/// checks that need the whole file run over the staged rows when the import is applied (the store's
/// `EmployeeSpool` and `EmployeeFileCheck`).
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

/// The rules of a SIMPEG-style employee file (`kinerjactl import employees`; docs/admin-guide.md,
/// "Import files"): its schema, the checks of one row, and the messages of the checks that need the
/// whole file, which the store runs over the staged file (`EmployeeFileCheck`).
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
/// their lines), unknown unit (against the stored units when there are any; otherwise units are derived from
/// the file), e-mail syntax, text longer than 255 characters. All problems are collected (up to the cap,
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

    /// The messages of the checks that need the whole file (run by the store over the staged file).
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
