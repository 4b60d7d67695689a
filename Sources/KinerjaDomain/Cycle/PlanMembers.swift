/// The active employees as the assignment planner needs them, in columns of small values: a NIP, a
/// unit, a supervisor, a level, a sub-unit and an acting appraiser per employee, with the units and
/// sub-units as indexes into a table of their names. At 250,000 employees this is about 12 MB, where
/// as many `Employee` values (with their strings) took several times that, twice over while the
/// planner filtered and sorted them.
///
/// Each member may carry the caller's own key (`key`, e.g. the database's person id) and each unit
/// one too (`unitKey`), so a cycle open maps a planned assignment to its row without a dictionary
/// keyed by NIP.
public struct PlanMembers: Sendable {
    /// The members' NIPs, ascending once `sorted()` has run (a reader in NIP order keeps it so).
    public private(set) var nips: [NIP] = []
    /// The caller's key of each member (0 when not given).
    public private(set) var key: [Int64] = []
    /// Index into `units` of each member's unit.
    private(set) var unit: [Int32] = []
    /// Level on the kelas jabatan scale (`EmployeeRank.level`), `Int32.min` when unknown.
    private(set) var level: [Int32] = []
    /// Index into the sub-units (lowercased; "" when none) of each member's sub-unit.
    private(set) var subUnit: [Int32] = []
    /// The supervisor's NIP digits, 0 for none.
    private(set) var supervisor: [UInt64] = []
    /// The acting appraiser's NIP digits, 0 for none, and the kind (Plh when `actingIsPlh`).
    private(set) var acting: [UInt64] = []
    private(set) var actingIsPlh: [Bool] = []
    /// The unit codes, in order of first appearance; `unitKey` the caller's key of each.
    public private(set) var units: [String] = []
    public private(set) var unitKey: [Int64] = []
    private var unitIndex: [String: Int32] = [:]
    private var subUnitIndex: [String: Int32] = [:]
    private var inOrder = true

    public init() {}

    /// Active employees (inactive ones are left out; of one NIP given twice, the first is kept).
    public init(employees: [Employee]) {
        var seen = Set<NIP>()
        for e in employees where e.aktif && seen.insert(e.nip).inserted {
            append(nip: e.nip, unit: e.unit, supervisor: e.supervisor, rank: e.rank, acting: e.acting)
        }
        sort()
    }

    public var count: Int { nips.count }

    /// Adds an active employee. `key` and `unitKey` are the caller's (a unit keeps the key it was
    /// first given). NIPs must be distinct.
    public mutating func append(nip: NIP, unit code: String, supervisor boss: NIP?, rank: EmployeeRank,
                                acting appraiser: ActingAppraiser?, key memberKey: Int64 = 0, unitKey codeKey: Int64 = 0) {
        if let last = nips.last, !(last < nip) { inOrder = false }
        nips.append(nip)
        key.append(memberKey)
        let u = Self.intern(code, in: &unitIndex)
        if u.added {
            units.append(code)
            unitKey.append(codeKey)
        }
        unit.append(u.index)
        level.append(rank.level.map(Int32.init) ?? Int32.min)
        subUnit.append(Self.intern(rank.subUnit?.lowercased() ?? "", in: &subUnitIndex).index)
        supervisor.append(boss?.value ?? 0)
        acting.append(appraiser?.nip.value ?? 0)
        actingIsPlh.append(appraiser?.kind == .plh)
    }

    /// The index of `value` in `index`, added as the next one when new (`added`).
    private static func intern(_ value: String, in index: inout [String: Int32]) -> (index: Int32, added: Bool) {
        if let known = index[value] { return (known, false) }
        let next = Int32(index.count)
        index[value] = next
        return (next, true)
    }

    /// Puts the members in NIP order (nothing to do when they were added in it).
    public mutating func sort() {
        guard !inOrder else { return }
        let order = nips.indices.sorted { nips[$0] < nips[$1] }
        func permute<T>(_ column: inout [T]) { column = order.map { column[$0] } }
        permute(&nips); permute(&key); permute(&unit); permute(&level); permute(&subUnit)
        permute(&supervisor); permute(&acting); permute(&actingIsPlh)
        inOrder = true
    }

    /// The member whose NIP is `value` (binary search; the members are in NIP order).
    func index(of value: UInt64) -> Int? {
        guard value != 0 else { return nil }
        var lo = 0, hi = nips.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if nips[mid].value < value { lo = mid + 1 } else { hi = mid }
        }
        return lo < nips.count && nips[lo].value == value ? lo : nil
    }

    func unitName(_ i: Int) -> String { units[Int(unit[i])] }
    /// Index into `units` of member `i`'s unit.
    public func unitIndex(_ i: Int) -> Int { Int(unit[i]) }
    func actingAppraiser(_ i: Int) -> ActingAppraiser? {
        acting[i] == 0 ? nil : ActingAppraiser(nip: NIP(unchecked: acting[i]), kind: actingIsPlh[i] ? .plh : .plt)
    }
}
