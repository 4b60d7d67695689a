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
    /// The whole plan at once (tests, the demo generator): every batch of `prepare`, in NIP order.
    public static func plan(employees: [Employee], period: Period, openedAt: Date, policy: AssignmentPolicy,
                            appraisers: [ExternalAppraiser] = []) throws(AssignmentPolicyError) -> AssignmentPlan {
        let prepared = try prepare(employees: employees, period: period, openedAt: openedAt, policy: policy,
                                   appraisers: appraisers)
        var assignments: [Assignment] = []
        assignments.reserveCapacity(prepared.notes.total)
        prepared.batches { assignments += $0 }
        let notes = prepared.notes
        var plan = AssignmentPlan(assignments: assignments, rekanShortfalls: notes.rekanShortfalls,
                                  subjectsWithoutAtasan: notes.subjectsWithoutAtasan)
        plan.atasanSources = notes.atasanSources
        plan.rekanFallbacks = notes.rekanFallbacks
        return plan
    }

    /// Who reviews whom, held as integers over the active employees (the rekan draw is made here,
    /// whole, as it depends on each unit's members). A cycle open reads it subject by subject
    /// (`PreparedPlan.reviewers(of:into:)`, written by the store's `CycleAssignmentWriter` straight
    /// from the integers), so it never holds the assignments; `PreparedPlan.batches` gives them as
    /// `Assignment` values, for the whole plan (`plan`) and the tests.
    public static func prepare(employees: [Employee], period: Period, openedAt: Date, policy: AssignmentPolicy,
                               appraisers: [ExternalAppraiser] = []) throws(AssignmentPolicyError) -> PreparedPlan {
        try prepare(members: PlanMembers(employees: employees), period: period, openedAt: openedAt, policy: policy,
                    appraisers: appraisers)
    }

    /// `prepare` over members read in columns (a cycle open reads them so from the database).
    public static func prepare(members: consuming PlanMembers, period: Period, openedAt: Date, policy: AssignmentPolicy,
                               appraisers: [ExternalAppraiser] = []) throws(AssignmentPolicyError) -> PreparedPlan {
        let problems = policy.problems
        guard problems.isEmpty else { throw AssignmentPolicyError(problems: problems) }
        let due = openedAt.addingTimeInterval(policy.dueAfter.inSeconds)
        var active = members
        active.sort()
        let n = active.count
        var parent = [Int32](repeating: -1, count: n)
        for i in 0..<n {
            if let p = active.index(of: active.supervisor[i]), p != i { parent[i] = Int32(p) }
        }
        // Outside appraisers by subject, the first named in the list winning.
        var outsideBySubject: [NIP: NIP] = [:]
        var outsideByUnit: [String: NIP] = [:]
        for a in appraisers {
            for s in a.subjects where outsideBySubject[s] == nil { outsideBySubject[s] = a.nip }
            for u in a.unitHeadsOf where outsideByUnit[u] == nil { outsideByUnit[u] = a.nip }
        }

        var notes = AssignmentPlanNotes()
        // The atasan of each subject: a member index, `PreparedPlan.none`, or `PreparedPlan.outside`
        // (the appraiser in `outsideAtasan`).
        var atasan = [Int32](repeating: PreparedPlan.none, count: n)
        var outsideAtasan: [Int32: NIP] = [:]
        for i in 0..<n {
            let nip = active.nips[i], p = parent[i]
            if let acting = active.actingAppraiser(i), let a = active.index(of: acting.nip.value), a != i {
                atasan[i] = Int32(a)
                notes.atasanSources[nip] = AtasanSource(acting.kind)
            } else if p >= 0 {
                atasan[i] = p
            } else if let outside = outsideBySubject[nip] ?? outsideByUnit[active.unitName(i).lowercased()], outside != nip {
                // An outside appraiser who is also an active employee reviews as that member.
                if let m = active.index(of: outside.value) {
                    atasan[i] = Int32(m)
                } else {
                    atasan[i] = PreparedPlan.outside
                    outsideAtasan[Int32(i)] = outside
                }
                notes.atasanSources[nip] = .external
            } else {
                notes.subjectsWithoutAtasan.append(nip)
            }
        }
        // Each subject's direct subordinates (its bawahan reviewers), as ranges of one array.
        var childStart = [Int32](repeating: 0, count: n + 1)
        for p in parent where p >= 0 { childStart[Int(p) + 1] += 1 }
        for i in 0..<n { childStart[i + 1] += childStart[i] }
        var fill = childStart
        var children = [Int32](repeating: 0, count: Int(childStart[n]))
        for (i, p) in parent.enumerated() where p >= 0 {
            children[Int(fill[Int(p)])] = Int32(i)
            fill[Int(p)] += 1
        }
        fill = []

        let peers = PeerChoice.choose(active: active, parent: parent, period: period, policy: policy)
        parent = []
        notes.rekanShortfalls = peers.shortfalls
        notes.rekanFallbacks = peers.fallbacks
        notes.subjects = n
        notes.byRole = [
            .selfAssessment: n, .atasan: n - notes.subjectsWithoutAtasan.count,
            .rekan: peers.rekan.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }, .bawahan: children.count,
        ]
        return PreparedPlan(notes: notes, due: due, members: active, atasan: atasan, outsideAtasan: outsideAtasan,
                            childStart: childStart, children: children, rekan: peers.rekan,
                            rekanPerSubject: policy.rekanPerSubject)
    }
}

/// What a plan reports besides its assignments (see `AssignmentPlan`).
public struct AssignmentPlanNotes: Sendable, Hashable {
    /// Subjects with fewer than k peers, sorted by NIP.
    public var rekanShortfalls: [RekanShortfall] = []
    /// Active subjects without anyone to write their atasan review, sorted by NIP.
    public var subjectsWithoutAtasan: [NIP] = []
    /// Subjects whose atasan review is written by an acting or an outside appraiser.
    public var atasanSources: [NIP: AtasanSource] = [:]
    /// Subjects who got some peers from outside their sub-unit or level, sorted by NIP.
    public var rekanFallbacks: [RekanFallback] = []
    /// Active employees (each one a subject).
    public var subjects = 0
    /// Assignments per role.
    public var byRole: [ReviewerRole: Int] = [:]
    /// Assignments in all.
    public var total: Int { byRole.values.reduce(0, +) }
}

/// A plan before its assignments are made: the active employees with their atasan, bawahan and
/// rekan as integers. `batches` makes the assignments a few subjects at a time; `reviewers(of:into:)`
/// gives one subject's reviewers as member indexes (a cycle open maps them to its row ids).
public struct PreparedPlan: Sendable {
    public let notes: AssignmentPlanNotes
    let due: Date
    /// The active employees, in NIP order: a subject or reviewer is an index into them.
    public let members: PlanMembers
    let atasan: [Int32]
    let outsideAtasan: [Int32: NIP]
    let childStart: [Int32]
    let children: [Int32]
    let rekan: [Int32]
    let rekanPerSubject: Int

    /// In `atasan`: no atasan review; an appraiser outside the members (`outsideAtasan`).
    static let none: Int32 = -1
    static let outside: Int32 = -2

    /// A reviewer of a subject: a member index, or `outsideReviewer` for the appraiser outside the
    /// members who writes the subject's atasan review (`outsideAtasan(of:)`).
    public static let outsideReviewer = -1

    /// The appraisers outside the members who write someone's atasan review.
    public var outsideAppraisers: Set<NIP> { Set(outsideAtasan.values) }

    /// The outside appraiser who writes subject `i`'s atasan review, if any.
    public func outsideAtasan(of i: Int) -> NIP? { outsideAtasan[Int32(i)] }

    /// Subject `i`'s reviews as (role, reviewer) pairs in `own` (emptied first): self, atasan,
    /// rekan and bawahan, in that order, the reviewer a member index or `outsideReviewer`.
    public func reviewers(of i: Int, into own: inout [(role: ReviewerRole, reviewer: Int)]) {
        own.removeAll(keepingCapacity: true)
        own.append((.selfAssessment, i))
        switch atasan[i] {
        case PreparedPlan.none: break
        case PreparedPlan.outside: own.append((.atasan, PreparedPlan.outsideReviewer))
        case let a: own.append((.atasan, Int(a)))
        }
        let k = rekanPerSubject
        if k > 0 {
            for r in rekan[(i * k)..<(i * k + k)] where r >= 0 { own.append((.rekan, Int(r))) }
        }
        for c in children[Int(childStart[i])..<Int(childStart[i + 1])] { own.append((.bawahan, Int(c))) }
    }

    /// The assignments in batches of whole subjects (at least `size` assignments each, the last
    /// one excepted): the subjects in the order of `subjectOrder` (NIP order without it), each
    /// subject's assignments by role (self, atasan, rekan, bawahan) and reviewer.
    public func batches(subjectOrder: ((NIP) -> Int64)? = nil, size: Int = 4096,
                        _ body: ([Assignment]) throws -> Void) rethrows {
        let nips = members.nips
        var subjects = Array(nips.indices)
        if let subjectOrder {
            let keys = nips.map(subjectOrder)
            subjects.sort { keys[$0] < keys[$1] }
        }
        var batch: [Assignment] = [], own: [AssignmentKey] = [], pairs: [(role: ReviewerRole, reviewer: Int)] = []
        batch.reserveCapacity(size + 16)
        for i in subjects {
            let nip = nips[i]
            reviewers(of: i, into: &pairs)
            own = pairs.map { pair in
                AssignmentKey(subject: nip, reviewer: pair.reviewer >= 0 ? nips[pair.reviewer] : outsideAtasan(of: i)!,
                              role: pair.role)
            }
            own.sort()
            for key in own { batch.append(Assignment(key: key, due: due)) }
            if batch.count >= size {
                try body(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try body(batch) }
    }
}
