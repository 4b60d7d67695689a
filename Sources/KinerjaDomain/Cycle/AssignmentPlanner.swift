import Foundation

/// How assignments are made when a cycle opens (from config).
///
/// Rule implemented: k rekan per subject (deterministic, seeded, never the subject, spread so no
/// reviewer gets more than a cap) and due dates from config. Defaults: 3 peers per subject, at most 4 peer
/// reviews per reviewer, due 14 days after opening. The caller parses the config's time span (`14d`)
/// into `dueAfter`.
public struct AssignmentPolicy: Sendable, Hashable, Codable {
    /// Peers (rekan) wanted per subject (k); 0 disables peer review.
    public var rekanPerSubject: Int
    /// Most rekan assignments one reviewer may get in a cycle.
    public var rekanCapPerReviewer: Int
    /// Seed for the peer choice; mixed with the period code and the unit code, so peers rotate from
    /// period to period and a unit's choice does not depend on other units.
    public var seed: UInt64
    /// Time from opening the cycle to the due date of every assignment.
    public var dueAfter: Duration

    public init(rekanPerSubject: Int = 3, rekanCapPerReviewer: Int = 4, seed: UInt64 = 0,
                dueAfter: Duration = .seconds(14 * 86_400)) {
        self.rekanPerSubject = rekanPerSubject
        self.rekanCapPerReviewer = rekanCapPerReviewer
        self.seed = seed
        self.dueAfter = dueAfter
    }

    /// What is wrong with the policy, one sentence per problem naming the field; empty when valid.
    public var problems: [String] {
        var result: [String] = []
        if rekanPerSubject < 0 { result.append("rekanPerSubject must be 0 or more, found \(rekanPerSubject)") }
        if rekanPerSubject > 0, rekanCapPerReviewer < 1 {
            result.append("rekanCapPerReviewer must be 1 or more, found \(rekanCapPerReviewer)")
        }
        if dueAfter <= .zero { result.append("dueAfter must be positive, found \(dueAfter)") }
        return result
    }
}

/// A subject who gets fewer peers than wanted, and why.
///
/// Rule implemented: a subject gets fewer than k peers when the unit is too small or the caps bind,
/// and the shortfall is reported rather than silently ignored.
public struct RekanShortfall: Sendable, Hashable, Codable {
    /// Why the subject is short of peers.
    public enum Reason: String, Sendable, Hashable, Codable {
        /// Fewer eligible peers in the unit than wanted.
        case unitTooSmall = "unit_too_small"
        /// Enough eligible peers, but those left had reached the cap.
        case capReached = "cap_reached"
    }

    public var subject: NIP
    public var unit: String
    public var wanted: Int
    public var assigned: Int
    /// Active members of the unit other than the subject, their atasan and their own bawahan.
    public var eligiblePeers: Int
    public var reason: Reason
}

/// The assignments of a cycle and what could not be assigned (see `AssignmentPlanner` for the rules).
public struct AssignmentPlan: Sendable, Hashable {
    /// Sorted by subject, role (self, atasan, rekan, bawahan), reviewer.
    public var assignments: [Assignment]
    /// Subjects with fewer than k peers, sorted by NIP.
    public var rekanShortfalls: [RekanShortfall]
    /// Active subjects without an active supervisor in the set (no atasan review), sorted by NIP.
    public var subjectsWithoutAtasan: [NIP]

    /// Number of assignments in `role`.
    public func count(of role: ReviewerRole) -> Int {
        assignments.reduce(0) { $0 + ($1.role == role ? 1 : 0) }
    }
}

/// Why a plan cannot be made: the policy breaks a rule of `AssignmentPolicy.problems`.
public struct AssignmentPolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { "invalid assignment policy: " + problems.joined(separator: "; ") }
}

/// Makes the assignments of a cycle from the employee set.
///
/// Rules implemented (docs/admin-guide.md, "Cycles"): only active employees take part. For every
/// active subject: one `self`; one `atasan` when the direct supervisor is active; one `bawahan` per
/// active direct subordinate; and k `rekan` from the same unit.
///
/// Peer choice: the unit's active members, sorted by NIP (so input order does not matter), are shuffled
/// into a ring by `SeededRandom` seeded from (seed, period code, unit code). Subjects are taken in ring
/// order; each takes the next reviewers clockwise, skipping itself, its atasan, its own bawahan and
/// anyone at the cap, until it has k. Without exclusions every member reviews exactly k peers. A
/// union-find "next reviewer under the cap" structure skips full reviewers in amortised constant time,
/// so a unit of m members costs O(m α(m) + m·k) — no quadratic scan. Subjects left with fewer than k
/// are reported with the reason.
public enum AssignmentPlanner {
    public static func plan(employees: [Employee], period: Period, openedAt: Date,
                            policy: AssignmentPolicy) throws(AssignmentPolicyError) -> AssignmentPlan {
        let problems = policy.problems
        guard problems.isEmpty else { throw AssignmentPolicyError(problems: problems) }
        let due = openedAt.addingTimeInterval(policy.dueAfter.inSeconds)

        var seen = Set<NIP>()
        var active = employees.filter { $0.aktif && seen.insert($0.nip).inserted }
        active.sort { $0.nip < $1.nip }
        let n = active.count
        var index: [NIP: Int] = [:]
        index.reserveCapacity(n)
        for (i, e) in active.enumerated() { index[e.nip] = i }
        var parent = [Int](repeating: -1, count: n)
        var subordinatesInUnit = [Int](repeating: 0, count: n)
        var withoutAtasan: [NIP] = []
        for (i, e) in active.enumerated() {
            if let s = e.supervisor, let p = index[s], p != i {
                parent[i] = p
                if active[p].unit == e.unit { subordinatesInUnit[p] += 1 }
            } else {
                withoutAtasan.append(e.nip)
            }
        }

        var keys: [AssignmentKey] = []
        keys.reserveCapacity(n * (3 + policy.rekanPerSubject))
        for (i, e) in active.enumerated() {
            keys.append(AssignmentKey(subject: e.nip, reviewer: e.nip, role: .selfAssessment))
            let p = parent[i]
            if p >= 0 {
                keys.append(AssignmentKey(subject: e.nip, reviewer: active[p].nip, role: .atasan))
                keys.append(AssignmentKey(subject: active[p].nip, reviewer: e.nip, role: .bawahan))
            }
        }

        var shortfalls: [RekanShortfall] = []
        if policy.rekanPerSubject > 0 {
            var byUnit: [String: [Int]] = [:]
            for i in 0..<n { byUnit[active[i].unit, default: []].append(i) }
            for unit in byUnit.keys.sorted() {
                choosePeers(members: byUnit[unit]!, unit: unit, active: active, parent: parent,
                            subordinatesInUnit: subordinatesInUnit, period: period, policy: policy,
                            into: &keys, shortfalls: &shortfalls)
            }
        }
        keys.sort()
        shortfalls.sort { $0.subject < $1.subject }
        return AssignmentPlan(assignments: keys.map { Assignment(key: $0, due: due) },
                              rekanShortfalls: shortfalls, subjectsWithoutAtasan: withoutAtasan)
    }

    private static func choosePeers(members: [Int], unit: String, active: [Employee], parent: [Int],
                                    subordinatesInUnit: [Int], period: Period, policy: AssignmentPolicy,
                                    into keys: inout [AssignmentKey], shortfalls: inout [RekanShortfall]) {
        let k = policy.rekanPerSubject, cap = policy.rekanCapPerReviewer
        var ring = members  // in NIP order: independent of input order
        var rng = SeededRandom(seed: policy.seed, mixing: [period.code, unit])
        rng.shuffle(&ring)
        let m = ring.count
        var load = [Int](repeating: 0, count: m)
        // nextOpen[p]: p itself if under the cap, else a later position; m is the end sentinel.
        var nextOpen = Array(0...m)
        func find(_ start: Int) -> Int {
            var root = start
            while nextOpen[root] != root { root = nextOpen[root] }
            var p = start
            while nextOpen[p] != root {
                let up = nextOpen[p]
                nextOpen[p] = root
                p = up
            }
            return root
        }
        for s in 0..<m {
            let subject = ring[s]
            var taken = 0
            // Clockwise from s + 1 to the end, then from 0 back to s - 1.
            for (from, to) in [(s + 1, m), (0, s)] where taken < k {
                var p = find(from)
                while p < to, taken < k {
                    let reviewer = ring[p]
                    if reviewer != parent[subject], parent[reviewer] != subject {
                        keys.append(AssignmentKey(subject: active[subject].nip, reviewer: active[reviewer].nip,
                                                  role: .rekan))
                        taken += 1
                        load[p] += 1
                        if load[p] >= cap { nextOpen[p] = p + 1 }
                    }
                    p = find(p + 1)
                }
            }
            if taken < k {
                let atasanInUnit = parent[subject] >= 0 && active[parent[subject]].unit == unit ? 1 : 0
                let eligible = m - 1 - atasanInUnit - subordinatesInUnit[subject]
                shortfalls.append(RekanShortfall(
                    subject: active[subject].nip, unit: unit, wanted: k, assigned: taken,
                    eligiblePeers: eligible, reason: eligible < k ? .unitTooSmall : .capReached))
            }
        }
    }
}
