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

    /// Whether applying the plan changes nothing.
    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && deactivated.isEmpty }

    /// The plan that turns `current` into the state described by `incoming` (a validated file).
    public init(current: [Employee], incoming: [Employee]) {
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
            let fields = EmployeeField.differences(old, new)
            if fields.isEmpty {
                unchanged += 1
            } else if old.aktif && !new.aktif {
                deactivated.append(Deactivation(employee: new, reason: .markedInactive))
            } else {
                changed.append(Change(before: old, after: new, fields: fields))
            }
        }
        for old in current where old.aktif && !seen.contains(old.nip) {
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
        return result
    }
}
