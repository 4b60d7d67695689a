/// A pejabat penilai kinerja who is not in the employee file: the Wali Kota (not an ASN, not in
/// SIMPEG) for the Sekda, or the Sekda for the kepala dinas when the Sekda is not imported.
///
/// Rule implemented (docs/admin-guide.md, "Appraisers outside the employee file"): the appraiser
/// writes the atasan review of every active employee named in `subjects`, and of every active
/// employee at the top of a unit in `unitHeadsOf` (a member without an active atasan in the file),
/// unless that employee already has an active atasan or acting appraiser in the file. The
/// appraiser is identified by `nip`: an ASN's own NIP, or for someone without one (the Wali Kota)
/// a number the configuration gives in the form of an NI PPPK-shaped identifier.
public struct ExternalAppraiser: Sendable, Hashable, Codable {
    public var nip: NIP
    public var nama: String
    public var jabatan: String
    public var email: String?
    /// Employees appraised, by NIP.
    public var subjects: Set<NIP>
    /// Unit codes (compared case-insensitively) whose top employee is appraised.
    public var unitHeadsOf: Set<String>

    public init(nip: NIP, nama: String, jabatan: String, email: String? = nil, subjects: Set<NIP> = [],
                unitHeadsOf: Set<String> = []) {
        self.nip = nip
        self.nama = nama
        self.jabatan = jabatan
        self.email = email
        self.subjects = subjects
        self.unitHeadsOf = Set(unitHeadsOf.map { $0.lowercased() })
    }
}

/// Who writes a subject's atasan review when it is not the atasan in the file.
public enum AtasanSource: String, Sendable, Hashable, Codable {
    /// The direct supervisor in the file.
    case supervisor
    /// An acting appraiser (Plt) named in the file.
    case plt = "Plt."
    /// An acting appraiser (Plh) named in the file.
    case plh = "Plh."
    /// An appraiser outside the file.
    case external

    init(_ kind: ActingKind) {
        self = kind == .plt ? .plt : .plh
    }

    /// The prefix shown before an acting appraiser's name ("Plt. "), empty otherwise.
    public var prefix: String {
        switch self {
        case .plt, .plh: return rawValue + " "
        case .supervisor, .external: return ""
        }
    }
}
