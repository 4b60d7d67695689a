/// Kind of position (jenis jabatan, UU 20/2023 on ASN and PP 11/2017): a structural post (a unit,
/// bidang or seksi head), a functional post (jabatan fungsional: analis, pranata komputer, guru, …)
/// or an executive post (pelaksana).
public enum JenisJabatan: String, Sendable, Hashable, Codable, CaseIterable {
    case struktural
    case fungsional
    case pelaksana

    /// Case-insensitive after trimming; `JPT`/`administrator`/`pengawas` count as struktural and
    /// `JF`/`JFT`/`JFU`/`staf` as fungsional or pelaksana as usual in SIMPEG exports.
    public init?(parsing text: String) {
        switch text.trimmed.lowercased() {
        case "struktural", "jpt", "administrator", "pengawas": self = .struktural
        case "fungsional", "jf", "jft": self = .fungsional
        case "pelaksana", "jfu", "staf": self = .pelaksana
        default: return nil
        }
    }
}

/// Eselon of a structural post in a regional government (II.a Sekda … IV.b kepala seksi/subbagian).
///
/// Rule implemented (docs/admin-guide.md, "Ranks and peers"): an eselon stands for the kelas
/// jabatan the post usually has, so that people graded by eselon and people graded by kelas compare
/// on one scale: II.a 15, II.b 14, III.a 12, III.b 11, IV.a 9, IV.b 8.
public enum Eselon: String, Sendable, Hashable, Codable, CaseIterable {
    case iiA = "II.a", iiB = "II.b", iiiA = "III.a", iiiB = "III.b", ivA = "IV.a", ivB = "IV.b"

    /// `II.a`, `IIa`, `2a`, `II/a`, `ii.a` and the like.
    public init?(parsing text: String) {
        let t = text.trimmed.lowercased().replacingOccurrences(of: ".", with: "").replacingOccurrences(of: "/", with: "")
            .replacingOccurrences(of: " ", with: "")
        let roman = t.replacingOccurrences(of: "4", with: "iv").replacingOccurrences(of: "3", with: "iii")
            .replacingOccurrences(of: "2", with: "ii")
        guard let found = Self.allCases.first(where: {
            $0.rawValue.lowercased().replacingOccurrences(of: ".", with: "") == roman
        }) else { return nil }
        self = found
    }

    /// The kelas jabatan this eselon stands for.
    public var kelas: Int {
        switch self {
        case .iiA: return 15
        case .iiB: return 14
        case .iiiA: return 12
        case .iiiB: return 11
        case .ivA: return 9
        case .ivB: return 8
        }
    }
}

/// An acting appraiser: a Plt (pelaksana tugas, the post is vacant) or a Plh (pelaksana harian, the
/// holder is away), named in the employee file for those whose atasan post is not filled.
public enum ActingKind: String, Sendable, Hashable, Codable, CaseIterable {
    case plt = "Plt."
    case plh = "Plh."

    /// `Plt`, `Plt.`, `Plh`, `Plh.` in any case.
    public init?(parsing text: String) {
        switch text.trimmed.lowercased() {
        case "plt", "plt.": self = .plt
        case "plh", "plh.": self = .plh
        default: return nil
        }
    }
}

/// Why an employee is inactive, when the file says (column `alasan_nonaktif`).
///
/// Rule implemented (docs/admin-guide.md, "Changes during an open cycle"): `pensiun`, `meninggal`
/// and `berhenti` mean the employee left; `cuti` means on leave (away for the rest of the period,
/// expected back). They decide what happens to an open cycle's assignments.
public enum InactiveReason: String, Sendable, Hashable, Codable, CaseIterable {
    case pensiun, meninggal, berhenti, cuti

    public init?(parsing text: String) {
        self.init(rawValue: text.trimmed.lowercased())
    }

    /// Whether the employee left for good (every other reason but leave).
    public var left: Bool { self != .cuti }
}
