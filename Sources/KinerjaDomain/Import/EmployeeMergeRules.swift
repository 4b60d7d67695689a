/// The rules of merging a valid employee file into the stored employees (applied by the store's
/// `EmployeeMerge`, which streams both sides in NIP order).
///
/// Rule implemented: a valid file is applied in one transaction as a merge (new, changed and
/// deactivated employees counted and reported). The file is a full snapshot: an employee in the
/// current set who is absent from the file is deactivated (never deleted, history stays), as is one
/// the file marks `aktif=false`. An inactive employee who is absent stays as they are. Reactivation
/// (inactive now, `aktif=true` in the file) is a change of the `aktif` field. A new employee marked
/// inactive is still new.
public enum EmployeeMergeRules {
    /// Why an employee is deactivated.
    public enum DeactivationReason: String, Sendable, Hashable, Codable {
        /// In the current set, not in the file.
        case absentFromFile = "absent_from_file"
        /// In the file with `aktif=false`.
        case markedInactive = "marked_inactive"
    }

    /// Why a merge that deactivates `n` employees, `byUnit` of them per unit (sorted by code), is
    /// refused, or nil: it deactivates more than `maxShare` of the `activeInReach` active employees the
    /// file covers (all, or those of its scope) and `allowed` does not name exactly that count
    /// (`--allow-deactivate N`). An `allowed` count that differs from the merge's is refused whatever
    /// the share, so a mistaken expectation never passes.
    ///
    /// Rule implemented (docs/admin-guide.md, "Partial exports and deactivation"): nothing is
    /// deactivated in bulk by accident, such as a one-unit export taken for the whole city.
    public static func deactivationRefusal(deactivated n: Int, byUnit: [(unit: String, count: Int)], activeInReach: Int,
                                           maxShare: Double, allowed: Int?) -> String? {
        let units = byUnit.map { "\($0.unit) \($0.count)" }.joined(separator: ", ")
        if let allowed {
            return allowed == n ? nil
                : "--allow-deactivate \(allowed) does not match: the file would deactivate \(n)" + (n > 0 ? " (\(units))" : "")
        }
        guard activeInReach > 0, Double(n) > maxShare * Double(activeInReach) + 1e-9 else { return nil }
        let percent = (Double(n) * 1000 / Double(activeInReach)).rounded() / 10
        return "the file would deactivate \(n) of \(activeInReach) active employees (\(percent)%, more than "
            + "imports.max_deactivate_share \((maxShare * 1000).rounded() / 10)%): \(units). If the file is one "
            + "unit's export, import it with --scope UNIT; if the deactivations are meant, repeat with --allow-deactivate \(n)"
    }

    /// What the file does to one employee it names who is in the current set.
    public enum Outcome: Sendable, Hashable {
        case unchanged
        /// Active now, `aktif=false` in the file.
        case deactivated
        case changed([EmployeeField])
    }

    /// The outcome for an employee stored as `old` whom the file describes as `new`.
    public static func outcome(old: Employee, new: Employee) -> Outcome {
        let fields = EmployeeField.differences(old, new)
        if fields.isEmpty { return .unchanged }
        return old.aktif && !new.aktif ? .deactivated : .changed(fields)
    }

    /// Whether an employee stored as `old` and absent from the file is deactivated (`scope` lowercased).
    public static func deactivatesAbsent(_ old: Employee, scope: Set<String>?) -> Bool {
        old.aktif && scope?.contains(old.unit.lowercased()) != false
    }
}

/// The fields of an employee record, named as the file's columns.
public enum EmployeeField: String, Sendable, Hashable, Codable, CaseIterable {
    case nama, jabatan
    case unitKerja = "unit_kerja"
    case nipAtasan = "nip_atasan"
    case email, telepon, status, aktif
    case jenisJabatan = "jenis_jabatan"
    case kelasJabatan = "kelas_jabatan"
    case eselon
    case subUnit = "sub_unit"
    case nipPlt = "nip_plt"
    case alasanNonaktif = "alasan_nonaktif"

    static func differences(_ a: Employee, _ b: Employee) -> [EmployeeField] {
        var result: [EmployeeField] = []
        if a.nama != b.nama { result.append(.nama) }
        if a.jabatan != b.jabatan { result.append(.jabatan) }
        if a.unit != b.unit { result.append(.unitKerja) }
        if a.supervisor != b.supervisor { result.append(.nipAtasan) }
        if a.email != b.email { result.append(.email) }
        if a.telepon != b.telepon { result.append(.telepon) }
        if a.status != b.status { result.append(.status) }
        if a.aktif != b.aktif { result.append(.aktif) }
        if a.rank.jenisJabatan != b.rank.jenisJabatan { result.append(.jenisJabatan) }
        if a.rank.kelasJabatan != b.rank.kelasJabatan { result.append(.kelasJabatan) }
        if a.rank.eselon != b.rank.eselon { result.append(.eselon) }
        if a.rank.subUnit != b.rank.subUnit { result.append(.subUnit) }
        if a.acting != b.acting { result.append(.nipPlt) }
        if a.inactiveReason != b.inactiveReason { result.append(.alasanNonaktif) }
        return result
    }
}
