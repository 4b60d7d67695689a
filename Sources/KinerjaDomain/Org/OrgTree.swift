/// The organisation as a supervisor tree: who reports to whom, and who belongs to which unit.
///
/// Rule implemented: docs/domain-rules.md "Org": every employee has one direct supervisor (atasan langsung) and
/// the supervisor chain must have no loop. The tree is built once in O(n log n) (sort by NIP, then
/// index arrays); every query is a lookup or a walk that is iterative, never recursive, so a chain
/// or a loop of any length is safe. Employees are held as given (active or not); callers filter.
/// A supervisor NIP that names nobody in the set is treated as "no supervisor" and listed in
/// `unknownSupervisors`. When a NIP occurs twice, the first occurrence is kept.
public struct OrgTree: Sendable {
    /// The employees, sorted by NIP.
    public let employees: [Employee]
    private let indexByNIP: [NIP: Int]
    private let parent: [Int]
    private let childStart: [Int]
    private let children: [Int]
    private let membersByUnit: [String: [Int]]
    /// Employees whose supervisor NIP names nobody in the set, as (employee, missing supervisor).
    public let unknownSupervisors: [(employee: NIP, supervisor: NIP)]

    public init(employees input: [Employee]) {
        var seen = Set<NIP>()
        var list: [Employee] = []
        list.reserveCapacity(input.count)
        for e in input where seen.insert(e.nip).inserted { list.append(e) }
        list.sort { $0.nip < $1.nip }
        employees = list
        var index: [NIP: Int] = [:]
        index.reserveCapacity(list.count)
        for (i, e) in list.enumerated() { index[e.nip] = i }
        indexByNIP = index

        var parent = [Int](repeating: -1, count: list.count)
        var unknown: [(employee: NIP, supervisor: NIP)] = []
        var childCount = [Int](repeating: 0, count: list.count + 1)
        var units: [String: [Int]] = [:]
        for (i, e) in list.enumerated() {
            units[e.unit, default: []].append(i)
            guard let s = e.supervisor else { continue }
            if let p = index[s] {
                parent[i] = p
                childCount[p] += 1
            } else {
                unknown.append((e.nip, s))
            }
        }
        // Compressed adjacency: children of p are children[childStart[p] ..< childStart[p + 1]],
        // in NIP order because employees are visited in NIP order.
        var start = [Int](repeating: 0, count: list.count + 1)
        for i in 0..<list.count { start[i + 1] = start[i] + childCount[i] }
        var fill = start
        var kids = [Int](repeating: 0, count: start[list.count])
        for i in 0..<list.count where parent[i] >= 0 {
            kids[fill[parent[i]]] = i
            fill[parent[i]] += 1
        }
        self.parent = parent
        childStart = start
        children = kids
        membersByUnit = units
        unknownSupervisors = unknown
    }

    /// Number of employees in the tree.
    public var count: Int { employees.count }

    /// The employee with this NIP.
    public func employee(_ nip: NIP) -> Employee? {
        indexByNIP[nip].map { employees[$0] }
    }

    /// Whether the NIP is in the tree.
    public func contains(_ nip: NIP) -> Bool { indexByNIP[nip] != nil }

    /// The direct supervisor (atasan langsung), when it is in the tree.
    public func supervisor(of nip: NIP) -> Employee? {
        guard let i = indexByNIP[nip], parent[i] >= 0 else { return nil }
        return employees[parent[i]]
    }

    /// Supervisors from the nearest upwards. Ends at the top of the tree, at a supervisor outside the
    /// tree, or just before an employee would repeat (a loop; the subject itself is never listed).
    public func supervisorChain(of nip: NIP) -> [NIP] {
        guard let start = indexByNIP[nip] else { return [] }
        var seen: Set<Int> = [start]
        var chain: [NIP] = []
        var v = parent[start]
        while v >= 0, seen.insert(v).inserted {
            chain.append(employees[v].nip)
            v = parent[v]
        }
        return chain
    }

    /// The direct subordinates (bawahan langsung), sorted by NIP.
    public func directSubordinates(of nip: NIP) -> [Employee] {
        guard let i = indexByNIP[nip] else { return [] }
        return children[childStart[i]..<childStart[i + 1]].map { employees[$0] }
    }

    /// Everyone below `nip` in the tree (breadth first, nearest levels first), without `nip` itself
    /// even when a loop leads back to it.
    public func allSubordinates(of nip: NIP) -> [NIP] {
        guard let root = indexByNIP[nip] else { return [] }
        var visited: Set<Int> = [root]
        var queue = [root]
        var head = 0
        var result: [NIP] = []
        while head < queue.count {
            let v = queue[head]
            head += 1
            for c in children[childStart[v]..<childStart[v + 1]] where visited.insert(c).inserted {
                result.append(employees[c].nip)
                queue.append(c)
            }
        }
        return result
    }

    /// The employees of a unit (exact code), sorted by NIP.
    public func members(ofUnit code: String) -> [Employee] {
        (membersByUnit[code] ?? []).map { employees[$0] }
    }

    /// The unit codes present, sorted.
    public var unitCodes: [String] { membersByUnit.keys.sorted() }

    /// Employees whose supervisor is absent or outside the tree, sorted by NIP.
    public var roots: [NIP] {
        parent.indices.filter { parent[$0] < 0 }.map { employees[$0].nip }
    }

    /// Every supervisor loop, each listed once in supervisor direction (the second member is the
    /// supervisor of the first, and the last one's supervisor is the first), starting at the smallest
    /// NIP. Self-supervision is a loop of one.
    public func loops() -> [[NIP]] {
        SupervisorGraph.cycles(parent: parent).map { $0.map { employees[$0].nip } }
    }
}
