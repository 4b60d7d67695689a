/// The choice of rekan (peers) when a cycle opens.
///
/// Rules implemented (docs/admin-guide.md, "Ranks and peers"):
/// - A peer is an active member of the subject's unit who is neither the subject nor anyone in the
///   subject's line: no atasan at any level above, no bawahan at any level below (a kepala dinas is
///   nobody's rekan inside the dinas). Nobody reviews more than the cap.
/// - Peers come first from the same sub-unit at a nearby level: kelas jabatan (or the kelas an
///   eselon stands for) at most `rekanLevelWindow` apart; someone whose level is unknown takes any
///   level, and is taken only by others of unknown level. Subjects still short then take peers
///   from anywhere in the unit at a nearby level, and last from anywhere in the unit (the
///   fallback: counted and reported, with who).
/// - Deterministic: the unit's members, sorted by NIP, are shuffled into a ring by `SeededRandom`
///   seeded from (seed, period code, unit code). In a step with levels each group keeps the ring
///   order within equal levels and is sorted by level; a subject takes the next reviewers clockwise
///   within its level window. The last step walks the unit ring clockwise.
/// - Cost: the level window is a contiguous range of the sorted sub-unit, a union-find "next
///   reviewer under the cap" skips full reviewers in amortised constant time, and a line test is
///   O(1) (entry and exit times of one depth-first walk), so a unit of m costs O(m log m + m·k)
///   plus the members skipped for being in the subject's line: never a scan of the unit per subject.
enum PeerChoice {
    struct Outcome {
        /// The peers of active employee `i` at `rekan[i * k ..< i * k + k]` (indexes into `active`),
        /// -1 where fewer were found: integers, not keys, so the plan of a large instansi stays small.
        var rekan: [Int32] = []
        var shortfalls: [RekanShortfall] = []
        var fallbacks: [RekanFallback] = []
    }

    static func choose(active: PlanMembers, parent: [Int32], period: Period, policy: AssignmentPolicy) -> Outcome {
        var outcome = Outcome()
        guard policy.rekanPerSubject > 0, active.count > 0 else { return outcome }
        outcome.rekan = [Int32](repeating: -1, count: active.count * policy.rekanPerSubject)
        let line = LineTest(parent: parent)
        var byUnit = [[Int]](repeating: [], count: active.units.count)
        for i in 0..<active.count { byUnit[Int(active.unit[i])].append(i) }
        for u in active.units.indices.sorted(by: { active.units[$0] < active.units[$1] }) {
            choose(members: byUnit[u], unit: Int32(u), active: active, parent: parent, line: line, period: period,
                   policy: policy, into: &outcome)
            byUnit[u] = []
        }
        outcome.shortfalls.sort { $0.subject < $1.subject }
        outcome.fallbacks.sort { $0.subject < $1.subject }
        return outcome
    }

    /// "Next position under the cap" over `count` positions (`count` is the end sentinel).
    struct OpenPositions {
        private var next: [Int]
        init(count: Int) { next = Array(0...count) }
        mutating func find(_ start: Int) -> Int {
            var root = start
            while next[root] != root { root = next[root] }
            var p = start
            while next[p] != root {
                let up = next[p]
                next[p] = root
                p = up
            }
            return root
        }
        mutating func close(_ p: Int) { next[p] = p + 1 }
    }

    private static func choose(members: [Int], unit u: Int32, active: PlanMembers, parent: [Int32], line: LineTest,
                               period: Period, policy: AssignmentPolicy, into outcome: inout Outcome) {
        let k = policy.rekanPerSubject, cap = policy.rekanCapPerReviewer, window = policy.rekanLevelWindow
        let unit = active.units[Int(u)]
        var ring = members  // in NIP order: independent of input order
        var rng = SeededRandom(seed: policy.seed, mixing: [period.code, unit])
        rng.shuffle(&ring)
        let m = ring.count
        var load = [Int](repeating: 0, count: m)  // by ring position
        var chosen = [[Int]](repeating: [], count: m)  // ring positions of each subject's peers
        func level(_ p: Int) -> Int {
            let l = active.level[ring[p]]
            return l == Int32.min ? Int.min : Int(l)
        }

        /// One step: the ring split into groups (in ring order), each sorted by level when
        /// `windowed`; every subject still short takes the next reviewers clockwise in its group,
        /// within its level window when `windowed`.
        func step(group: (Int) -> Int32, windowed: Bool) {
            var groupOf: [Int32: Int] = [:]
            var groups: [[Int]] = []
            for p in 0..<m {
                let key = group(p)
                if let g = groupOf[key] { groups[g].append(p) } else {
                    groupOf[key] = groups.count
                    groups.append([p])
                }
            }
            for var order in groups {
                if windowed { order.sort { (level($0), $0) < (level($1), $1) } }
                let levels = order.map(level)
                var open = OpenPositions(count: order.count)
                for (j, p) in order.enumerated() where load[p] >= cap { open.close(j) }
                for (j, subject) in order.enumerated() where chosen[subject].count < k {
                    let own = levels[j]
                    let lo = windowed && own != Int.min ? lowerBound(levels, own - window) : 0
                    let hi = windowed && own != Int.min ? lowerBound(levels, own + window + 1) : order.count
                    for (from, to) in [(j + 1, hi), (lo, j)] where chosen[subject].count < k {
                        var q = open.find(from)
                        while q < to, chosen[subject].count < k {
                            let reviewer = order[q]
                            if reviewer != subject, !chosen[subject].contains(reviewer),
                               !line.related(ring[subject], ring[reviewer]) {
                                chosen[subject].append(reviewer)
                                load[reviewer] += 1
                                if load[reviewer] >= cap { open.close(q) }
                            }
                            q = open.find(q + 1)
                        }
                    }
                }
            }
        }

        // 1. The same sub-unit, a nearby level.
        step(group: { active.subUnit[ring[$0]] }, windowed: true)
        let preferred = chosen.map(\.count)
        // 2. Anywhere in the unit, a nearby level; 3. anywhere in the unit.
        step(group: { _ in 0 }, windowed: true)
        step(group: { _ in 0 }, windowed: false)

        // Members of the unit in a subject's line, to explain a shortfall: descendants by entry
        // time, ancestors by walking up (a few levels).
        let groupEntries = members.map(line.entryTime).filter { $0 >= 0 }.sorted()
        func lineMembers(_ a: Int) -> Int {
            var count = line.descendantCount(a, groupEntries: groupEntries)
            var up = Int(parent[a]), steps = 0
            while up >= 0, steps < parent.count {
                if active.unit[up] == u { count += 1 }
                up = Int(parent[up])
                steps += 1
            }
            return count
        }
        for subject in 0..<m {
            let got = chosen[subject].count
            if got > preferred[subject] {
                outcome.fallbacks.append(RekanFallback(subject: active.nips[ring[subject]], unit: unit,
                                                       preferred: preferred[subject], fallback: got - preferred[subject]))
            }
            if got < k {
                let eligiblePeers = m - 1 - lineMembers(ring[subject])
                outcome.shortfalls.append(RekanShortfall(
                    subject: active.nips[ring[subject]], unit: unit, wanted: k, assigned: got,
                    eligiblePeers: eligiblePeers, reason: eligiblePeers < k ? .unitTooSmall : .capReached))
            }
            for (j, reviewer) in chosen[subject].enumerated() { outcome.rekan[ring[subject] * k + j] = Int32(ring[reviewer]) }
        }
    }

    /// First index whose value is ≥ `value` in the sorted `values`.
    static func lowerBound(_ values: [Int], _ value: Int) -> Int {
        var lo = 0, hi = values.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if values[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// Whether two employees are in one line of the supervisor forest (one is an atasan, at any level,
/// of the other), in O(1) after one iterative depth-first walk: entry and exit times nest.
struct LineTest {
    private var entry: [Int32]
    private var exit: [Int32]

    init(parent: [Int32]) {
        let n = parent.count
        var childCount = [Int](repeating: 0, count: n + 1)
        for p in parent where p >= 0 { childCount[Int(p)] += 1 }
        var start = [Int](repeating: 0, count: n + 1)
        for i in 0..<n { start[i + 1] = start[i] + childCount[i] }
        var fill = start
        var children = [Int](repeating: 0, count: start[n])
        for i in 0..<n where parent[i] >= 0 {
            children[fill[Int(parent[i])]] = i
            fill[Int(parent[i])] += 1
        }
        entry = [Int32](repeating: -1, count: n)
        exit = [Int32](repeating: -1, count: n)
        var clock: Int32 = 0
        var stack: [(node: Int, next: Int)] = []
        for root in 0..<n where parent[root] < 0 {
            entry[root] = clock; clock += 1
            stack.append((root, start[root]))
            while let top = stack.last {
                if top.next < start[top.node + 1] {
                    stack[stack.count - 1].next += 1
                    let child = children[top.next]
                    entry[child] = clock; clock += 1
                    stack.append((child, start[child]))
                } else {
                    exit[top.node] = clock; clock += 1
                    stack.removeLast()
                }
            }
        }
    }

    /// `a` is an ancestor of `b` (or the same).
    private func contains(_ a: Int, _ b: Int) -> Bool {
        entry[a] >= 0 && entry[b] >= 0 && entry[a] <= entry[b] && exit[b] <= exit[a]
    }

    func related(_ a: Int, _ b: Int) -> Bool { contains(a, b) || contains(b, a) }

    /// Members of the sorted entry times `groupEntries` below `a` (descendants in the group).
    func descendantCount(_ a: Int, groupEntries: [Int]) -> Int {
        guard entry[a] >= 0 else { return 0 }
        return PeerChoice.lowerBound(groupEntries, Int(exit[a])) - PeerChoice.lowerBound(groupEntries, Int(entry[a]) + 1)
    }

    /// Entry time of `a` (-1 when `a` sits on a supervisor loop, which an import never lets in).
    func entryTime(_ a: Int) -> Int { Int(entry[a]) }
}
