/// What applying a valid employee file would change in the current employee set.
///
/// Rule implemented: a valid file is applied in one transaction as a merge (new, changed and
/// deactivated employees counted and reported). The file is a full snapshot: an employee in the
/// current set who is absent from the file is deactivated (never deleted, history stays), as is one
/// the file marks `aktif=false`. An inactive employee who is absent stays as they are. Reactivation
/// (inactive now, `aktif=true` in the file) is a change of the `aktif` field. A new employee marked
/// inactive is still new. O(n log n): one dictionary, lists sorted by NIP.
public struct EmployeeMergePlan: Sendable, Hashable {
    /// Why an employee is deactivated.
    public enum DeactivationReason: String, Sendable, Hashable, Codable {
        /// In the current set, not in the file.
        case absentFromFile = "absent_from_file"
        /// In the file with `aktif=false`.
        case markedInactive = "marked_inactive"
    }

    /// An employee to deactivate: the state to write (`aktif == false`) and why.
    public struct Deactivation: Sendable, Hashable, Codable {
        public var employee: Employee
        public var reason: DeactivationReason
    }

    /// An employee whose fields change (including reactivation).
    public struct Change: Sendable, Hashable, Codable {
        public var before: Employee
        public var after: Employee
        public var fields: [EmployeeField]
    }

    /// Employees not in the current set, sorted by NIP.
    public var added: [Employee]
    /// Employees whose data change and who stay (or become) active, or stay inactive; sorted by NIP.
    public var changed: [Change]
    /// Active employees who become inactive, sorted by NIP.
    public var deactivated: [Deactivation]
    /// Employees in the file identical to the current set.
    public var unchangedCount: Int

    /// Deactivations per unit code (the unit the employee was in), sorted by code.
    public var deactivatedByUnit: [(unit: String, count: Int)] {
        var counts: [String: Int] = [:]
        for d in deactivated { counts[d.employee.unit, default: 0] += 1 }
        return counts.keys.sorted().map { ($0, counts[$0]!) }
    }

    /// Why applying the plan is refused, or nil: it deactivates more than `maxShare` of the
    /// `activeInReach` active employees the file covers (all, or those of its scope) and `allowed`
    /// does not name exactly that count (`--allow-deactivate N`). An `allowed` count that differs
    /// from the plan's is refused whatever the share, so a mistaken expectation never passes.
    ///
    /// Rule implemented (docs/admin-guide.md, "Partial exports and deactivation"): nothing is
    /// deactivated in bulk by accident, such as a one-unit export taken for the whole city.
    public func deactivationRefusal(activeInReach: Int, maxShare: Double, allowed: Int?) -> String? {
        Self.deactivationRefusal(deactivated: deactivated.count, byUnit: deactivatedByUnit, activeInReach: activeInReach,
                                 maxShare: maxShare, allowed: allowed)
    }

    /// `deactivationRefusal(activeInReach:maxShare:allowed:)` for a merge that deactivates `deactivated`
    /// employees, `byUnit` of them per unit (sorted by code), counted as it was streamed.
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

    /// Whether applying the plan changes nothing.
    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && deactivated.isEmpty }

    /// The plan that turns `current` into the state described by `incoming` (a validated file).
    /// With `scope` (unit codes of a partial file), only current employees of those units who are
    /// absent from the file are deactivated; everyone else absent stays as they are.
    public init(current: [Employee], incoming: [Employee], scope: Set<String>? = nil) {
        let scope = scope.map { Set($0.map { $0.lowercased() }) }
        var byNIP: [NIP: Employee] = [:]
        byNIP.reserveCapacity(current.count)
        for e in current { byNIP[e.nip] = e }
        var added: [Employee] = []
        var changed: [Change] = []
        var deactivated: [Deactivation] = []
        var unchanged = 0
        var seen = Set<NIP>()
        seen.reserveCapacity(incoming.count)
        for new in incoming where seen.insert(new.nip).inserted {
            guard let old = byNIP[new.nip] else {
                added.append(new)
                continue
            }
            switch Self.outcome(old: old, new: new) {
            case .unchanged: unchanged += 1
            case .deactivated: deactivated.append(Deactivation(employee: new, reason: .markedInactive))
            case .changed(let fields): changed.append(Change(before: old, after: new, fields: fields))
            }
        }
        for old in current where !seen.contains(old.nip) && Self.deactivatesAbsent(old, scope: scope) {
            var after = old
            after.aktif = false
            deactivated.append(Deactivation(employee: after, reason: .absentFromFile))
        }
        self.added = added.sorted { $0.nip < $1.nip }
        self.changed = changed.sorted { $0.after.nip < $1.after.nip }
        self.deactivated = deactivated.sorted { $0.employee.nip < $1.employee.nip }
        self.unchangedCount = unchanged
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
