import Foundation

/// How assignments are made when a cycle opens (from config).
///
/// Rule implemented: k rekan per subject (deterministic, seeded, never the subject, spread so no
/// reviewer gets more than a cap) and due dates from config. Defaults: 3 peers per subject, at most 4 peer
/// reviews per reviewer, peers preferably within 2 kelas jabatan, due 14 days after opening. The
/// caller parses the config's time span (`14d`) into `dueAfter`.
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
    /// A "nearby level": kelas jabatan at most this far apart (see `AssignmentPlanner`).
    public var rekanLevelWindow: Int

    public init(rekanPerSubject: Int = 3, rekanCapPerReviewer: Int = 4, seed: UInt64 = 0,
                dueAfter: Duration = .seconds(14 * 86_400), rekanLevelWindow: Int = 2) {
        self.rekanPerSubject = rekanPerSubject
        self.rekanCapPerReviewer = rekanCapPerReviewer
        self.seed = seed
        self.dueAfter = dueAfter
        self.rekanLevelWindow = rekanLevelWindow
    }

    /// What is wrong with the policy, one sentence per problem naming the field; empty when valid.
    public var problems: [String] {
        var result: [String] = []
        if rekanPerSubject < 0 { result.append("rekanPerSubject must be 0 or more, found \(rekanPerSubject)") }
        if rekanPerSubject > 0, rekanCapPerReviewer < 1 {
            result.append("rekanCapPerReviewer must be 1 or more, found \(rekanCapPerReviewer)")
        }
        if dueAfter <= .zero { result.append("dueAfter must be positive, found \(dueAfter)") }
        if rekanLevelWindow < 0 { result.append("rekanLevelWindow must be 0 or more, found \(rekanLevelWindow)") }
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

/// A subject whose peers could not all be found in the same sub-unit at a nearby level.
public struct RekanFallback: Sendable, Hashable, Codable {
    public var subject: NIP
    public var unit: String
    /// Peers from the same sub-unit and a nearby level.
    public var preferred: Int
    /// Peers from elsewhere in the unit.
    public var fallback: Int
}

/// The assignments of a cycle and what could not be assigned (see `AssignmentPlanner` for the rules).
public struct AssignmentPlan: Sendable, Hashable {
    /// Sorted by subject, role (self, atasan, rekan, bawahan), reviewer.
    public var assignments: [Assignment]
    /// Subjects with fewer than k peers, sorted by NIP.
    public var rekanShortfalls: [RekanShortfall]
    /// Active subjects without anyone to write their atasan review, sorted by NIP.
    public var subjectsWithoutAtasan: [NIP]
    /// Subjects whose atasan review is written by someone other than their supervisor in the file:
    /// an acting appraiser (Plt/Plh) or an appraiser outside the file.
    public var atasanSources: [NIP: AtasanSource] = [:]
    /// Subjects who got some peers from outside their sub-unit or level (see `AssignmentPlanner`),
    /// sorted by NIP.
    public var rekanFallbacks: [RekanFallback] = []

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
/// active subject: one `self`; one `atasan` by the first of: an active acting appraiser (Plt/Plh)
/// named in the file, the active direct supervisor, an appraiser outside the file that names the
/// subject (`ExternalAppraiser`); one `bawahan` per active direct subordinate (the supervisor in the
/// file, not an acting or outside appraiser); and k `rekan` from the same unit (`PeerChoice`).
public enum AssignmentPlanner {
    public static func plan(employees: [Employee], period: Period, openedAt: Date, policy: AssignmentPolicy,
                            appraisers: [ExternalAppraiser] = []) throws(AssignmentPolicyError) -> AssignmentPlan {
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
        for (i, e) in active.enumerated() {
            if let s = e.supervisor, let p = index[s], p != i { parent[i] = p }
        }
        // Outside appraisers by subject, the first named in the list winning.
        var outsideBySubject: [NIP: NIP] = [:]
        var outsideByUnit: [String: NIP] = [:]
        for a in appraisers {
            for s in a.subjects where outsideBySubject[s] == nil { outsideBySubject[s] = a.nip }
            for u in a.unitHeadsOf where outsideByUnit[u] == nil { outsideByUnit[u] = a.nip }
        }

        var keys: [AssignmentKey] = []
        keys.reserveCapacity(n * (3 + policy.rekanPerSubject))
        var withoutAtasan: [NIP] = []
        var sources: [NIP: AtasanSource] = [:]
        for (i, e) in active.enumerated() {
            keys.append(AssignmentKey(subject: e.nip, reviewer: e.nip, role: .selfAssessment))
            let p = parent[i]
            if p >= 0 { keys.append(AssignmentKey(subject: active[p].nip, reviewer: e.nip, role: .bawahan)) }
            if let acting = e.acting, let a = index[acting.nip], a != i {
                keys.append(AssignmentKey(subject: e.nip, reviewer: acting.nip, role: .atasan))
                sources[e.nip] = AtasanSource(acting.kind)
            } else if p >= 0 {
                keys.append(AssignmentKey(subject: e.nip, reviewer: active[p].nip, role: .atasan))
            } else if let outside = outsideBySubject[e.nip] ?? outsideByUnit[e.unit.lowercased()], outside != e.nip {
                keys.append(AssignmentKey(subject: e.nip, reviewer: outside, role: .atasan))
                sources[e.nip] = .external
            } else {
                withoutAtasan.append(e.nip)
            }
        }

        let peers = PeerChoice.choose(active: active, parent: parent, period: period, policy: policy)
        keys += peers.keys
        keys.sort()
        var plan = AssignmentPlan(assignments: keys.map { Assignment(key: $0, due: due) },
                                  rekanShortfalls: peers.shortfalls, subjectsWithoutAtasan: withoutAtasan)
        plan.atasanSources = sources
        plan.rekanFallbacks = peers.fallbacks
        return plan
    }
}
