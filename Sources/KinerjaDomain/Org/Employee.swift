import Foundation

/// An ASN employee as held in the organisation data (a SIMPEG export, `kinerjactl import employees`).
///
/// Rule implemented: each employee has at most one direct supervisor (atasan langsung), named by NIP;
/// only active (`aktif`) employees are evaluated. The unit is referred to by its code.
public struct Employee: Sendable, Hashable, Codable {
    public var nip: NIP
    public var nama: String
    public var jabatan: String
    /// Code of the unit kerja (e.g. `DPMPTSP`).
    public var unit: String
    /// The direct supervisor (atasan langsung); `nil` at the top of the tree.
    public var supervisor: NIP?
    public var email: String?
    public var telepon: String?
    public var status: EmploymentStatus
    public var aktif: Bool
    /// Rank and place (optional columns; see `EmployeeRank`).
    public var rank: EmployeeRank
    /// The acting appraiser (Plt/Plh) who appraises this employee while the atasan post is vacant.
    public var acting: ActingAppraiser?
    /// Why the employee is inactive, when the file says.
    public var inactiveReason: InactiveReason?

    public init(nip: NIP, nama: String, jabatan: String, unit: String, supervisor: NIP? = nil,
                email: String? = nil, telepon: String? = nil, status: EmploymentStatus = .pns,
                aktif: Bool = true, rank: EmployeeRank = EmployeeRank(), acting: ActingAppraiser? = nil,
                inactiveReason: InactiveReason? = nil) {
        self.nip = nip
        self.nama = nama
        self.jabatan = jabatan
        self.unit = unit
        self.supervisor = supervisor
        self.email = email
        self.telepon = telepon
        self.status = status
        self.aktif = aktif
        self.rank = rank
        self.acting = acting
        self.inactiveReason = inactiveReason
    }
}

/// The position's level and place inside the unit, from the optional columns `jenis_jabatan`,
/// `kelas_jabatan`, `eselon` and `sub_unit`; all may be unknown.
///
/// Rule implemented (docs/admin-guide.md, "Ranks and peers"): the level is the kelas jabatan
/// (1–17), or the kelas an eselon stands for (`Eselon.kelas`) when only the eselon is given.
public struct EmployeeRank: Sendable, Hashable, Codable {
    public var jenisJabatan: JenisJabatan?
    public var kelasJabatan: Int?
    public var eselon: Eselon?
    /// Bidang, bagian or seksi inside the unit (compared case-insensitively).
    public var subUnit: String?

    public init(jenisJabatan: JenisJabatan? = nil, kelasJabatan: Int? = nil, eselon: Eselon? = nil, subUnit: String? = nil) {
        self.jenisJabatan = jenisJabatan
        self.kelasJabatan = kelasJabatan
        self.eselon = eselon
        self.subUnit = subUnit
    }

    /// The level on the kelas jabatan scale, when known.
    public var level: Int? { kelasJabatan ?? eselon?.kelas }

    /// Allowed kelas jabatan values.
    public static let kelasRange = 1...17
}

/// An acting appraiser named for an employee whose atasan post is vacant (or whose atasan is away).
public struct ActingAppraiser: Sendable, Hashable, Codable {
    public var nip: NIP
    public var kind: ActingKind

    public init(nip: NIP, kind: ActingKind = .plt) {
        self.nip = nip
        self.kind = kind
    }
}

/// Kind of ASN appointment (UU 20/2023 on ASN): civil servant (PNS) or government employee with a work
/// agreement (PPPK, full- or part-time). Both carry an 18-digit NIP with the same structure.
public enum EmploymentStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pns = "PNS"
    case pppk = "PPPK"

    /// Case-insensitive `PNS` / `PPPK` after trimming; `nil` otherwise.
    public init?(parsing text: String) {
        switch text.trimmingCharacters(in: .whitespaces).uppercased() {
        case "PNS": self = .pns
        case "PPPK": self = .pppk
        default: return nil
        }
    }
}

/// A unit kerja (perangkat daerah such as DPMPTSP, DLHK, BKPSDM) with its head.
///
/// Rule implemented: units are imported or derived from the employee file (while none is stored); the
/// head is the employee who leads the unit (kepala), when known.
public struct Unit: Sendable, Hashable, Codable {
    /// Short code used in files and commands (`DPMPTSP`).
    public var code: String
    /// Full name (`Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu`); the code when unknown.
    public var name: String
    /// The unit's head (kepala), when known.
    public var head: NIP?

    public init(code: String, name: String? = nil, head: NIP? = nil) {
        self.code = code
        self.name = name ?? code
        self.head = head
    }
}
