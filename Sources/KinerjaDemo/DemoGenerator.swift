import Foundation
import KinerjaDomain

/// One generated review: who reviewed whom in which role, the scores, and when it was submitted.
public struct DemoReview: Sendable, Hashable {
    public var key: AssignmentKey
    public var scores: BerAKHLAKScores
    public var comment: String?
    public var hasilKerja: Rating?
    public var submittedAt: Date
}

/// The data of one generated period: when its cycle opens and may be closed, its reviews (the
/// assignments that were submitted) and its public satisfaction survey.
public struct DemoPeriod: Sendable {
    public var period: Period
    public var openedAt: Date
    public var dueAt: Date
    /// After the latest submission: when a replay closes the cycle.
    public var closeAt: Date
    public var assignmentCount: Int
    public var reviews: [DemoReview]
    public var skm: [SKMResponse]
}

/// Generates a realistic, deterministic synthetic data set (`kinerjactl demo generate`).
///
/// Rules that make the planted patterns exact (so the flag rules can be checked against
/// `planted`): every employee who is not planted gets, from every reviewer in every role and in every
/// period, scores with the same total (the subject's level; individual values vary per reviewer, so
/// nobody but a planted reviewer gives uniform scores), the same hasil kerja from the atasan, and
/// self-assessments on time; so no unplanted employee declines, shows a self-vs-atasan gap or a drop
/// in peer feedback. Every reviewer who is not planted writes a comment on their first review of
/// someone else in each period. Everyone with a predikat below Baik in a period gets a training
/// dated 5–55 days before that period ends, except the planted `stalled_development` cases, who get
/// none at all. Planted declines are in the self and atasan scores only (peer feedback stays), so a
/// planted case shows its own pattern and not another's. Subjects reviewed by a planted
/// perfunctory reviewer (who scores 4 on every value) have the level 28 (mean 4), so the uniform
/// scores do not move their means. Randomness (lateness, missing peer reviews, comments, SKM) never
/// changes these invariants.
///
/// Besides the planted cases, `followups` (`DemoFollowupCase`) are employees with a stalled
/// development or a recognition gap from the first period, whose task the close of the second period
/// creates, with the outcome their atasan records; those that recover get better scores from the
/// third period on (and, when training was agreed, a training after the dialog), the others keep their
/// pattern to the end. They are neither planted nor steady.
public struct DemoGenerator {
    public let spec: DemoSpec
    public let units: [KinerjaDomain.Unit]
    public let employees: [Employee]
    public let planted: [PlantedCase]
    /// The follow-ups with planned outcomes, by NIP.
    public let followups: [DemoFollowupCase]
    public let periods: [Period]
    private var plans: [AssignmentPlan]
    private var openedAt: [Date]
    private var pattern: [NIP: DemoPattern] = [:]
    private var level: [NIP: Int] = [:]
    private var hasil: [NIP: Rating] = [:]
    /// Who had a predikat below Baik, per period index.
    private var lowPredikat: [Int: Set<NIP>] = [:]
    /// The first period (index) of better scores of the follow-ups that recover.
    private var recoversFrom: [NIP: Int] = [:]
    /// When each generated period's cycle closes, by index.
    private var closeTimes: [Int: Date] = [:]
    private var skmQuality: [String: Double] = [:]

    public init(_ spec: DemoSpec) throws(DemoSpecError) {
        let problems = spec.problems
        guard problems.isEmpty else { throw DemoSpecError(problems: problems) }
        self.spec = spec
        var rng = SeededRandom(seed: spec.seed, mixing: ["organisation"])
        let org = DemoOrganisation(count: spec.employees, rng: &rng)
        units = org.units
        employees = org.employees
        periods = spec.periodList
        var opened: [Date] = []
        var plans: [AssignmentPlan] = []
        for p in periods {
            let at = p.end.adding(days: 1).startInstant(in: spec.timeZone).addingTimeInterval(8 * 3600)
            opened.append(at)
            do {
                plans.append(try AssignmentPlanner.plan(employees: employees, period: p, openedAt: at,
                                                        policy: spec.assignmentPolicy))
            } catch {
                throw DemoSpecError(problems: error.problems)
            }
        }
        self.plans = plans
        openedAt = opened

        // Levels (sum of the seven scores) and hasil kerja of everyone.
        for e in employees where e.aktif {
            let u = rng.below(100)
            let sum = u < 2 ? 18 + rng.below(3) : (u < 7 ? 22 + rng.below(3) : (u < 85 ? 25 + rng.below(6) : 31 + rng.below(3)))
            level[e.nip] = sum
            let h = rng.below(100)
            hasil[e.nip] = sum <= 26 && h < 20 ? .diBawah : (sum >= 28 && h < 25 ? .diAtas : .sesuai)
        }
        for unit in units { skmQuality[unit.code] = 2.55 + Double(rng.below(120)) / 100 }
        var followups: [DemoFollowupCase] = []
        planted = Self.plant(spec: spec, org: org, plans: plans, rng: &rng, pattern: &pattern, level: &level, hasil: &hasil,
                             followups: &followups)
        self.followups = followups
        for f in followups { if let r = f.recoversFrom { recoversFrom[f.nip] = r } }
    }

    /// When the cycle of period `index` closes (a task of that close is created on its day), once
    /// `period(index)` was generated.
    public func closeAt(period index: Int) -> Date? { closeTimes[index] }

    /// Chooses the planted cases (disjoint; see the type's rules), then the follow-ups among the rest,
    /// and sets their levels.
    private static func plant(spec: DemoSpec, org: DemoOrganisation, plans: [AssignmentPlan], rng: inout SeededRandom,
                              pattern: inout [NIP: DemoPattern], level: inout [NIP: Int],
                              hasil: inout [NIP: Rating], followups: inout [DemoFollowupCase]) -> [PlantedCase] {
        let active = org.employees.filter(\.aktif)
        let perPattern = spec.employees >= 50 ? max(2, Int((Double(spec.employees) * spec.plantedShare).rounded())) : 1
        var cases: [PlantedCase] = []
        var taken = Set<NIP>()
        func take(_ nip: NIP, _ p: DemoPattern) {
            taken.insert(nip)
            pattern[nip] = p
            cases.append(PlantedCase(nip: nip, pattern: p))
        }

        // Perfunctory reviewers first: staff without subordinates; everyone they review gets level 28.
        var leaves = org.leaves.sorted().map { org.employees[$0].nip }
        rng.shuffle(&leaves)
        var reviewees: [NIP: Set<NIP>] = [:]
        let candidates = Set(leaves.prefix(perPattern * 3))
        for plan in plans {
            for a in plan.assignments where candidates.contains(a.reviewer) {
                reviewees[a.reviewer, default: []].insert(a.subject)
            }
        }
        var forced = Set<NIP>()
        // Enough reviews of others in the last two periods for the pattern to show (at least 6).
        var recentLoad: [NIP: Int] = [:]
        for plan in plans.suffix(2) {
            for a in plan.assignments where a.role != .selfAssessment && candidates.contains(a.reviewer) {
                recentLoad[a.reviewer, default: 0] += 1
            }
        }
        for nip in leaves.prefix(perPattern * 3) where cases.count < perPattern && plans.count >= 2 {
            guard let set = reviewees[nip], recentLoad[nip, default: 0] >= 6,
                  !set.contains(where: { pattern[$0] != nil }) else { continue }
            take(nip, .perfunctoryReviewer)
            forced.formUnion(set)
            forced.insert(nip)
        }
        for nip in forced { level[nip] = 28 }
        taken.formUnion(forced)

        // Facts about each subject across the periods: rekan count per period, whether an atasan exists.
        var rekanCounts: [NIP: [Int]] = [:]
        var hasAtasan = Set<NIP>()
        for (t, plan) in plans.enumerated() {
            for a in plan.assignments {
                if a.role == .rekan {
                    rekanCounts[a.subject, default: [Int](repeating: 0, count: plans.count)][t] += 1
                }
                if a.role == .atasan { hasAtasan.insert(a.subject) }
            }
        }
        let minimum = spec.resultPolicy.anonymityMinimum
        var pool = active.map(\.nip).filter { hasAtasan.contains($0) && !taken.contains($0) }
        rng.shuffle(&pool)
        func choose(_ p: DemoPattern, where ok: (NIP) -> Bool) {
            var n = 0
            for nip in pool where n < perPattern && !taken.contains(nip) && ok(nip) {
                take(nip, p)
                n += 1
            }
        }
        let steadyPeers: (NIP) -> Bool = { nip in
            let counts = rekanCounts[nip] ?? []
            return counts.count == plans.count && (counts.allSatisfy { $0 >= minimum } || counts.allSatisfy { $0 < minimum })
        }
        if plans.count >= 3 {
            choose(.decliningTrend, where: steadyPeers)
        }
        choose(.recognitionGap, where: steadyPeers)
        choose(.disengaged) { _ in true }
        if plans.count >= 2 {
            choose(.feedbackDrop) { nip in
                let counts = rekanCounts[nip] ?? []
                return counts.count == plans.count && counts.allSatisfy { $0 >= max(3, minimum) }
            }
        }
        choose(.stalledDevelopment) { _ in true }
        followups = chooseFollowups(spec: spec, employees: org.employees, pool: pool.filter { !taken.contains($0) },
                                    periods: plans.count, steadyPeers: steadyPeers)
        for f in followups {
            pattern[f.nip] = f.pattern
            level[f.nip] = f.pattern == .recognitionGap ? 24 : 25
            hasil[f.nip] = f.pattern == .recognitionGap ? .sesuai : .diBawah
        }
        for c in cases {
            switch c.pattern {
            case .decliningTrend: hasil[c.nip] = .diAtas
            case .recognitionGap: level[c.nip] = 24; hasil[c.nip] = .sesuai
            case .disengaged, .feedbackDrop: level[c.nip] = 27 + (level[c.nip] ?? 28) % 4; hasil[c.nip] = .sesuai
            case .stalledDevelopment: level[c.nip] = 25; hasil[c.nip] = .diBawah
            case .perfunctoryReviewer: level[c.nip] = 28
            }
        }
        return cases.sorted { ($0.pattern, $0.nip) < ($1.pattern, $1.nip) }
    }

    /// The sum of the seven scores that `role` reviewers give `subject` in period `t`.
    private func sum(subject: NIP, role: ReviewerRole, period t: Int) -> Int {
        let base = level[subject] ?? 28
        switch pattern[subject] {
        case .decliningTrend?:
            // Self and atasan fall; rekan and bawahan stay, so the decline is not also a drop in
            // peer feedback (feedback_drop).
            guard role == .selfAssessment || role == .atasan else { return 32 }
            let declineStart = max(0, periods.count - 4)
            return 32 - 4 * max(0, t - declineStart)
        case .recognitionGap?:
            if let r = recoversFrom[subject], t >= r {
                // After the dialog the atasan sees more of the effort and the self-assessment comes down
                // a little: partly in the first period (the gap under the margin), fully from the next.
                if t == r { return role == .selfAssessment ? 31 : (role == .atasan ? 26 : 25) }
                return role == .selfAssessment ? 30 : (role == .atasan ? 29 : 26)
            }
            return role == .selfAssessment ? 32 : 24
        case .stalledDevelopment?:
            if let r = recoversFrom[subject], t >= r { return 29 }
            return base
        case .feedbackDrop?:
            return t == periods.count - 1 && (role == .rekan || role == .bawahan) ? base - 10 : base
        default:
            return base
        }
    }

    private func hasilKerja(subject: NIP, period t: Int) -> Rating {
        if pattern[subject] == .decliningTrend {
            let s = sum(subject: subject, role: .atasan, period: t)
            return s >= 30 ? .diAtas : (s >= 22 ? .sesuai : .diBawah)
        }
        if let r = recoversFrom[subject], t >= r { return .sesuai }
        return hasil[subject] ?? .sesuai
    }

    /// Seven scores with the given total, never all equal, in a shape fixed per subject.
    private static func profile(total: Int, subject: NIP) -> [Int] {
        var v = [Int](repeating: total / 7, count: 7)
        var shape = SeededRandom(seed: subject.value)
        for _ in 0..<(total % 7) {
            var i = shape.below(7)
            while v[i] > total / 7 { i = (i + 1) % 7 }
            v[i] += 1
        }
        if Set(v).count == 1 {
            let i = shape.below(7), j = (i + 1 + shape.below(6)) % 7
            if v[i] > 1 && v[j] < 5 { v[i] -= 1; v[j] += 1 }
        }
        return v
    }

    static let comments: [(minimumMean: Double, texts: [String])] = [
        (4.2, ["Pelayanan kepada masyarakat sangat baik, pertahankan", "Sangat membantu rekan kerja",
               "Inisiatif tinggi dan dapat diandalkan", "Menjadi teladan dalam kedisiplinan"]),
        (3.4, ["Kerja sama tim baik", "Komunikasi sudah baik, terus tingkatkan", "Dokumen dikerjakan dengan teliti",
               "Perlu lebih proaktif dalam rapat koordinasi"]),
        (0, ["Perlu meningkatkan ketepatan waktu", "Perlu meningkatkan penguasaan aplikasi",
             "Sering terlambat menyelesaikan tugas", "Perlu dialog kinerja dengan atasan"]),
    ]

    /// The reviews and SKM survey of period `index` (0-based); records who had a low predikat.
    public mutating func period(_ index: Int) -> DemoPeriod {
        let period = periods[index]
        let plan = plans[index]
        let opened = openedAt[index]
        // The due date as the daemon sets it by default: moved off a weekend or holiday.
        let planned = plan.assignments.first?.due ?? opened
        let due = WorkingDays.standard(timeZone: spec.timeZone).onWorkingDay(planned) ?? planned
        let dueSeconds = due.timeIntervalSince(opened)
        var rng = SeededRandom(seed: spec.seed, mixing: ["reviews", period.code])
        var commented = Set<NIP>()
        var reviews: [DemoReview] = []
        reviews.reserveCapacity(plan.assignments.count)
        var latest = due
        var subjectScores: [RoleScores] = []
        var subjectHasil: Rating?
        func evaluate(_ subject: NIP) {
            let result = PerformanceEvaluation.evaluate(subject: subject, reviews: subjectScores, hasilKerja: subjectHasil,
                                                        policy: spec.resultPolicy)
            if let p = result.predikat, p < .baik { lowPredikat[index, default: []].insert(subject) }
            subjectScores.removeAll(keepingCapacity: true)
            subjectHasil = nil
        }
        var current: NIP?
        for a in plan.assignments {
            if a.subject != current {
                if let current { evaluate(current) }
                current = a.subject
            }
            let steady = pattern[a.subject] == .recognitionGap || pattern[a.subject] == .feedbackDrop
            // Missing and late reviews: never the atasan's; the self-assessment only for `disengaged`.
            let lateRoll = rng.below(100), missRoll = rng.below(100)
            var submitted: Date
            if a.role == .selfAssessment {
                if pattern[a.subject] == .disengaged {
                    if index % 2 == 0 { continue }
                    submitted = due.addingTimeInterval(Double(3 * 86_400 + rng.below(17 * 86_400)))
                } else {
                    submitted = opened.addingTimeInterval(Double(3600 + rng.below(Int(dueSeconds * 0.8))))
                }
            } else {
                if a.role != .atasan, !steady, missRoll < 3 { continue }
                if lateRoll < 10 {
                    submitted = due.addingTimeInterval(Double(3600 + rng.below(10 * 86_400)))
                } else {
                    submitted = opened.addingTimeInterval(Double(3600 + rng.below(max(1, Int(dueSeconds) - 7200))))
                }
            }
            latest = max(latest, submitted)
            let perfunctory = pattern[a.reviewer] == .perfunctoryReviewer
            var values: [Int]
            if perfunctory {
                values = [Int](repeating: 4, count: 7)
            } else {
                values = Self.profile(total: sum(subject: a.subject, role: a.role, period: index), subject: a.subject)
                if rng.below(10) < 6 {
                    let i = rng.below(7), j = (i + 1 + rng.below(6)) % 7
                    if values[i] > 1 && values[j] < 5 {
                        values[i] -= 1
                        values[j] += 1
                        if Set(values).count == 1 { values[i] += 1; values[j] -= 1 }
                    }
                }
            }
            let scores = try! BerAKHLAKScores(values)
            var comment: String?
            let firstOther = a.role != .selfAssessment && commented.insert(a.reviewer).inserted
            if !perfunctory, firstOther || rng.below(2) == 0 {
                let texts = Self.comments.first { scores.mean >= $0.minimumMean }!.texts
                comment = texts[rng.below(texts.count)]
            }
            let hk = a.role == .atasan ? hasilKerja(subject: a.subject, period: index) : nil
            reviews.append(DemoReview(key: a.key, scores: scores, comment: comment, hasilKerja: hk, submittedAt: submitted))
            subjectScores.append(RoleScores(role: a.role, scores: scores))
            if let hk { subjectHasil = hk }
        }
        if let current { evaluate(current) }

        var skm: [SKMResponse] = []
        for unit in units {
            let quality = skmQuality[unit.code] ?? 3
            for _ in 0..<(25 + rng.below(40)) {
                let answers = (0..<9).map { _ in
                    min(4, max(1, Int((quality + Double(rng.below(181)) / 100 - 0.9).rounded())))
                }
                skm.append(try! SKMResponse(unit: unit.code, period: period, answers: answers))
            }
        }
        let closeAt = latest.addingTimeInterval(86_400)
        closeTimes[index] = closeAt
        return DemoPeriod(period: period, openedAt: opened, dueAt: due, closeAt: closeAt,
                          assignmentCount: plan.assignments.count, reviews: reviews, skm: skm)
    }

    static let courses: [(String, Double)] = [
        ("Pelatihan Pelayanan Publik Prima", 24), ("Diklat Teknis Pengadaan Barang/Jasa", 40),
        ("Pelatihan Literasi Digital", 16), ("Bimtek SAKIP", 8), ("Pelatihan Manajemen Arsip", 24),
        ("Pelatihan Analisis Kebijakan", 32), ("Coaching dan Mentoring Kinerja", 6),
        ("Pelatihan Penulisan Naskah Dinas", 12), ("Bimtek E-Kinerja BKN", 4.5),
        ("Pelatihan Kepemimpinan Pengawas", 40), ("Pelatihan Microsoft Excel Lanjutan", 16),
    ]

    /// Training records; call after every `period(_:)` (who had a low predikat is known then).
    public func training() -> [TrainingRecord] {
        var rng = SeededRandom(seed: spec.seed, mixing: ["training"])
        let first = periods[0].start.adding(days: -180).daysSinceEpoch
        let last = periods[periods.count - 1].end
        let span = last.daysSinceEpoch - first
        var records: [TrainingRecord] = []
        var seen = Set<String>()
        func add(_ nip: NIP, _ date: CalendarDate) {
            let course = Self.courses[rng.below(Self.courses.count)]
            guard seen.insert("\(nip)|\(course.0)|\(date)").inserted else { return }
            records.append(TrainingRecord(nip: nip, course: course.0, date: date, hours: course.1))
        }
        for e in employees where e.aktif && pattern[e.nip] != .stalledDevelopment {
            if rng.below(10) < 4 {
                for _ in 0..<(1 + rng.below(3)) { add(e.nip, CalendarDate(daysSinceEpoch: first + rng.below(span))) }
            }
        }
        // A training in every period with a low predikat, before the period ends (so no analysis
        // after any close sees a low predikat without recent training, except the planted ones).
        for t in lowPredikat.keys.sorted() {
            let end = periods[t].end
            let room = max(1, min(50, periods[t].dayCount - 6))
            for nip in lowPredikat[t]!.sorted() where pattern[nip] != .stalledDevelopment {
                add(nip, end.adding(days: -(5 + rng.below(room))))
            }
        }
        // The training agreed at a follow-up's dialog, attended 3 to 12 days later (by the end of the
        // period of recovery), by those who recover.
        for f in followups where f.action == .training {
            guard let r = f.recoversFrom, r < periods.count, let closed = closeTimes[f.taskPeriod],
                  let held = f.heldOn(createdOn: CalendarDate(closed, in: spec.timeZone)) else { continue }
            add(f.nip, min(held.adding(days: 3 + rng.below(10)), periods[r].end))
        }
        return records.sorted { ($0.date, $0.nip) < ($1.date, $1.nip) }
    }
}
