import Foundation
import Testing
@testable import KinerjaDomain

@Suite("Assignments")
struct AssignmentPlannerTests {
    static let opened = Date(timeIntervalSince1970: 1_740_787_200)  // 2025-03-01T00:00:00Z
    static let period = try! Period(parsing: "2025-Q1")

    /// A unit of `size` with a head (serial base+0) and everyone else reporting to the head's deputies.
    static func unit(_ code: String, base: Int, size: Int) -> [Employee] {
        (0..<size).map { j in
            TestData.employee(base + j, unit: code, supervisor: j == 0 ? nil : base + (j - 1) / 4)
        }
    }

    static func plan(_ employees: [Employee], _ policy: AssignmentPolicy = AssignmentPolicy(seed: 42)) throws -> AssignmentPlan {
        try AssignmentPlanner.plan(employees: employees, period: period, openedAt: opened, policy: policy)
    }

    /// The invariants every plan must satisfy.
    static func checkInvariants(_ plan: AssignmentPlan, employees: [Employee], policy: AssignmentPolicy) {
        let byNIP = Dictionary(employees.map { ($0.nip, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(Set(plan.assignments.map(\.key)).count == plan.assignments.count, "no duplicate assignment")
        var rekanLoad: [NIP: Int] = [:]
        var rekanWanted: [NIP: Int] = [:]
        for a in plan.assignments {
            let subject = byNIP[a.subject]!, reviewer = byNIP[a.reviewer]!
            #expect(subject.aktif && reviewer.aktif)
            switch a.role {
            case .selfAssessment: #expect(a.subject == a.reviewer)
            case .atasan: #expect(subject.supervisor == a.reviewer)
            case .bawahan: #expect(reviewer.supervisor == a.subject)
            case .rekan:
                #expect(a.subject != a.reviewer, "never self")
                #expect(subject.unit == reviewer.unit, "same unit")
                #expect(subject.supervisor != a.reviewer, "never the subject's atasan")
                #expect(reviewer.supervisor != a.subject, "never the subject's own bawahan")
                #expect(!chain(a.subject, byNIP).contains(a.reviewer), "never an atasan at any level")
                #expect(!chain(a.reviewer, byNIP).contains(a.subject), "never a bawahan at any level")
                rekanLoad[a.reviewer, default: 0] += 1
                rekanWanted[a.subject, default: 0] += 1
            }
        }
        #expect(rekanLoad.values.allSatisfy { $0 <= policy.rekanCapPerReviewer }, "cap respected")
        let short = Set(plan.rekanShortfalls.map(\.subject))
        for e in employees where e.aktif {
            let got = rekanWanted[e.nip] ?? 0
            if short.contains(e.nip) {
                #expect(got < policy.rekanPerSubject)
            } else {
                #expect(got == policy.rekanPerSubject, "\(e.nip) got \(got) peers")
            }
        }
        #expect(plan.assignments.map(\.key) == plan.assignments.map(\.key).sorted())
    }

    /// Active supervisors of `nip` upwards (the line ends at an inactive one, as in the plan).
    static func chain(_ nip: NIP, _ byNIP: [NIP: Employee]) -> [NIP] {
        var result: [NIP] = []
        var next = byNIP[nip]?.supervisor
        while let s = next, byNIP[s]?.aktif == true, !result.contains(s) {
            result.append(s)
            next = byNIP[s]?.supervisor
        }
        return result
    }

    /// A dinas of 23: a kepala dinas (eselon II.b, kelas 14), a sekretaris (III.a, 12) and two kepala
    /// bidang (III.b, 11) under the kepala, and in each bidang 9 staff under the kepala bidang: 3
    /// fungsional at kelas 8 and 6 pelaksana at kelas 5–7.
    static func rankedDinas() -> [Employee] {
        func e(_ serial: Int, _ supervisor: Int?, _ jenis: JenisJabatan, kelas: Int? = nil, eselon: Eselon? = nil,
               bidang: String?) -> Employee {
            var x = TestData.employee(serial, unit: "DISKOMINFO", supervisor: supervisor)
            x.rank = EmployeeRank(jenisJabatan: jenis, kelasJabatan: kelas, eselon: eselon, subUnit: bidang)
            return x
        }
        var all = [e(1000, nil, .struktural, eselon: .iiB, bidang: nil),
                   e(1001, 1000, .struktural, eselon: .iiiA, bidang: "Sekretariat"),
                   e(1002, 1000, .struktural, eselon: .iiiB, bidang: "Bidang TIK"),
                   e(1003, 1000, .struktural, eselon: .iiiB, bidang: "Bidang Statistik")]
        for (b, (head, bidang)) in [(1002, "Bidang TIK"), (1003, "Bidang Statistik")].enumerated() {
            let base = 1100 + b * 100
            for j in 0..<3 { all.append(e(base + j, head, .fungsional, kelas: 8, bidang: bidang)) }
            for j in 3..<9 { all.append(e(base + j, head, .pelaksana, kelas: 5 + j % 3, bidang: bidang)) }
        }
        return all
    }

    @Test func peersComeFromTheSameSubUnitAndANearbyLevel() throws {
        let employees = Self.rankedDinas()
        let policy = AssignmentPolicy(rekanPerSubject: 3, rekanCapPerReviewer: 4, seed: 3)
        let plan = try Self.plan(employees, policy)
        Self.checkInvariants(plan, employees: employees, policy: policy)
        let byNIP = Dictionary(uniqueKeysWithValues: employees.map { ($0.nip, $0) })
        let fallbackSubjects = Set(plan.rekanFallbacks.map(\.subject))
        for a in plan.assignments where a.role == .rekan && !fallbackSubjects.contains(a.subject) {
            let s = byNIP[a.subject]!, r = byNIP[a.reviewer]!
            #expect(s.rank.subUnit == r.rank.subUnit, "\(a): same bidang")
            #expect(abs(s.rank.level! - r.rank.level!) <= 2, "\(a): nearby level")
        }
        // Staff (9 per bidang, kelas 5–9) find 3 peers in their bidang: no fallback for them.
        let staff = employees.filter { $0.rank.jenisJabatan != .struktural }.map(\.nip)
        #expect(staff.allSatisfy { !fallbackSubjects.contains($0) })
        // The kepala dinas has everyone below: no rekan at all, and never a rekan of staff.
        #expect(plan.rekanShortfalls.map(\.subject) == [TestData.nip(1000)])
        #expect(!plan.assignments.contains { $0.role == .rekan && ($0.reviewer == TestData.nip(1000) || $0.subject == TestData.nip(1000)) })
        // The sekretaris and the two kepala bidang (kelas 12, 11, 11) are alone in their sub-units: all
        // their peers are fallbacks. Within 2 kelas and outside their lines they have only each other,
        // so each takes the other two, then one more from anywhere in the unit outside its line.
        func peers(_ serial: Int) -> Set<NIP> {
            Set(plan.assignments.filter { $0.role == .rekan && $0.subject == TestData.nip(serial) }.map(\.reviewer))
        }
        let heads = [1001, 1002, 1003]
        for head in heads {
            let f = try #require(plan.rekanFallbacks.first { $0.subject == TestData.nip(head) })
            #expect(f.preferred == 0 && f.fallback == 3)
            #expect(peers(head).isSuperset(of: heads.filter { $0 != head }.map { TestData.nip($0) }))
        }
        #expect(plan.rekanFallbacks.count == 3)
    }

    @Test func actingAndOutsideAppraisersWriteTheAtasanReview() throws {
        // The Sekda (not in the file) appraises the kepala dinas; the Wali Kota (no NIP) appraises the
        // top of SETDA; a vacant kepala bidang post has a Plt, the sekretaris.
        var employees = Self.rankedDinas()
        employees.append(TestData.employee(3000, unit: "SETDA"))
        for i in employees.indices where employees[i].supervisor == TestData.nip(1002) {
            employees[i].supervisor = nil
            employees[i].acting = ActingAppraiser(nip: TestData.nip(1001), kind: .plt)
        }
        employees.removeAll { $0.nip == TestData.nip(1002) }
        let sekda = ExternalAppraiser(nip: TestData.nip(9000), nama: "Sekda", jabatan: "Sekretaris Daerah",
                                      subjects: [TestData.nip(1000)])
        let walikota = ExternalAppraiser(nip: NIP.outsideAppraiser(1)!, nama: "Wali Kota", jabatan: "Wali Kota Bandung",
                                         unitHeadsOf: ["setda"])
        let plan = try AssignmentPlanner.plan(employees: employees, period: Self.period, openedAt: Self.opened,
                                              policy: AssignmentPolicy(seed: 1), appraisers: [sekda, walikota])
        func atasan(_ serial: Int) -> NIP? {
            plan.assignments.first { $0.role == .atasan && $0.subject == TestData.nip(serial) }?.reviewer
        }
        #expect(atasan(1000) == TestData.nip(9000))
        #expect(atasan(3000) == NIP.outsideAppraiser(1))
        #expect(atasan(1100) == TestData.nip(1001))
        #expect(plan.atasanSources[TestData.nip(1000)] == .external)
        #expect(plan.atasanSources[TestData.nip(3000)] == .external)
        #expect(plan.atasanSources[TestData.nip(1100)] == .plt)
        #expect(plan.atasanSources[TestData.nip(1001)] == nil)
        #expect(plan.subjectsWithoutAtasan.isEmpty)
        // Nobody reviews an outside appraiser or a Plt as bawahan for the acting relation.
        #expect(!plan.assignments.contains { $0.role == .bawahan && $0.subject == TestData.nip(9000) })
        #expect(plan.assignments.filter { $0.role == .bawahan && $0.subject == TestData.nip(1001) }.isEmpty)
    }

    @Test func rolesAndCounts() throws {
        let employees = Self.unit("DLHK", base: 1000, size: 20) + Self.unit("BKPSDM", base: 2000, size: 12)
        let policy = AssignmentPolicy(seed: 42)
        let plan = try Self.plan(employees, policy)
        Self.checkInvariants(plan, employees: employees, policy: policy)
        #expect(plan.count(of: .selfAssessment) == 32)
        #expect(plan.count(of: .atasan) == 30)
        #expect(plan.count(of: .bawahan) == 30)
        // Each unit head has everyone in the unit below them, so no rekan inside the unit: 30 × 3.
        #expect(plan.count(of: .rekan) == 30 * 3)
        #expect(plan.rekanShortfalls.map(\.subject) == [TestData.nip(1000), TestData.nip(2000)])
        #expect(plan.rekanShortfalls.allSatisfy { $0.eligiblePeers == 0 && $0.reason == .unitTooSmall })
        #expect(plan.subjectsWithoutAtasan == [TestData.nip(1000), TestData.nip(2000)])
        #expect(plan.assignments.allSatisfy { $0.due == Self.opened.addingTimeInterval(14 * 86_400) })
    }

    @Test func dueDateFromDuration() throws {
        let plan = try Self.plan(Self.unit("DLHK", base: 1000, size: 3),
                                 AssignmentPolicy(rekanPerSubject: 0, dueAfter: .seconds(36 * 3600)))
        #expect(plan.assignments.allSatisfy { $0.due == Self.opened.addingTimeInterval(36 * 3600) })
        #expect(plan.count(of: .rekan) == 0)
    }

    @Test func determinismIndependentOfInputOrder() throws {
        let employees = Self.unit("DLHK", base: 1000, size: 40) + Self.unit("DINKES", base: 3000, size: 25)
        let first = try Self.plan(employees)
        var rng = SeededRandom(seed: 7)
        for _ in 0..<5 {
            var shuffled = employees
            rng.shuffle(&shuffled)
            #expect(try Self.plan(shuffled) == first)
        }
        // Another seed or another period gives another choice of peers.
        let otherSeed = try Self.plan(employees, AssignmentPolicy(seed: 43))
        #expect(otherSeed.assignments.filter { $0.role == .rekan } != first.assignments.filter { $0.role == .rekan })
        let nextPeriod = try AssignmentPlanner.plan(employees: employees, period: Self.period.next!, openedAt: Self.opened,
                                                    policy: AssignmentPolicy(seed: 42))
        #expect(nextPeriod.assignments.filter { $0.role == .rekan } != first.assignments.filter { $0.role == .rekan })
        // Adding a unit does not change another unit's peers.
        let more = try Self.plan(employees + Self.unit("BKPSDM", base: 5000, size: 10))
        let dlhk = Set(employees.prefix(40).map(\.nip))
        let dlhkRekan = { (p: AssignmentPlan) in p.assignments.filter { $0.role == .rekan && dlhk.contains($0.subject) } }
        #expect(!dlhkRekan(first).isEmpty)
        #expect(dlhkRekan(more) == dlhkRekan(first))
    }

    @Test func onlyActiveEmployees() throws {
        var employees = Self.unit("DLHK", base: 1000, size: 10)
        employees[1].aktif = false  // a deputy with subordinates
        employees[7].aktif = false
        let policy = AssignmentPolicy(seed: 1)
        let plan = try Self.plan(employees, policy)
        Self.checkInvariants(plan, employees: employees, policy: policy)
        let inactive: Set<NIP> = [employees[1].nip, employees[7].nip]
        #expect(plan.assignments.allSatisfy { !inactive.contains($0.subject) && !inactive.contains($0.reviewer) })
        // Those under the inactive deputy have no atasan review.
        #expect(plan.subjectsWithoutAtasan.contains(employees[5].nip))
    }

    @Test func smallUnitsReportShortfalls() throws {
        // A unit of 3: head + 2 staff under the head. Staff may review each other only (head is atasan).
        let employees = Self.unit("KECIL", base: 1000, size: 3)
        let policy = AssignmentPolicy(rekanPerSubject: 3, rekanCapPerReviewer: 4, seed: 9)
        let plan = try Self.plan(employees, policy)
        Self.checkInvariants(plan, employees: employees, policy: policy)
        #expect(plan.rekanShortfalls.count == 3)
        #expect(plan.rekanShortfalls.allSatisfy { $0.reason == .unitTooSmall })
        let head = plan.rekanShortfalls.first { $0.subject == TestData.nip(1000) }!
        #expect(head.eligiblePeers == 0 && head.assigned == 0)
        let staff = plan.rekanShortfalls.first { $0.subject == TestData.nip(1001) }!
        #expect(staff.eligiblePeers == 1 && staff.assigned == 1)
    }

    @Test func capsBind() throws {
        // 10 peers under one head: 9 eligible each, but with a cap of 1 there are only 10 rekan slots.
        let head = TestData.employee(1000, unit: "U")
        let staff = (1...10).map { TestData.employee(1000 + $0, unit: "U", supervisor: 1000) }
        let employees = [head] + staff
        let policy = AssignmentPolicy(rekanPerSubject: 3, rekanCapPerReviewer: 1, seed: 5)
        let plan = try Self.plan(employees, policy)
        Self.checkInvariants(plan, employees: employees, policy: policy)
        #expect(plan.count(of: .rekan) <= 10)
        let capped = plan.rekanShortfalls.filter { $0.reason == .capReached }
        #expect(capped.count >= 7)
        #expect(capped.allSatisfy { $0.eligiblePeers == 9 })
    }

    @Test func evenSpreadWhenCapEqualsK() throws {
        // Without atasan/bawahan exclusions (everyone reports outside the unit) the ring gives everyone k.
        let boss = TestData.employee(1, unit: "TOP")
        let staff = (1...50).map { TestData.employee(1000 + $0, unit: "U", supervisor: 1) }
        let policy = AssignmentPolicy(rekanPerSubject: 4, rekanCapPerReviewer: 4, seed: 11)
        let plan = try Self.plan([boss] + staff, policy)
        var load: [NIP: Int] = [:]
        for a in plan.assignments where a.role == .rekan { load[a.reviewer, default: 0] += 1 }
        #expect(load.count == 50 && load.values.allSatisfy { $0 == 4 })
        #expect(plan.rekanShortfalls.map(\.subject) == [boss.nip])
    }

    @Test func invalidPolicy() {
        #expect(throws: AssignmentPolicyError.self) {
            try Self.plan([TestData.employee(1)], AssignmentPolicy(rekanPerSubject: -1, dueAfter: .zero))
        }
        #expect(AssignmentPolicy(rekanPerSubject: -1, dueAfter: .zero).problems.count == 2)
    }

    @Test func bandungScale() throws {
        let employees = TestData.organisation(count: 25_000, seed: 2025)
        let policy = AssignmentPolicy(rekanPerSubject: 3, rekanCapPerReviewer: 4, seed: 2025)
        let clock = ContinuousClock()
        var plan: AssignmentPlan?
        let elapsed = try clock.measure {
            plan = try AssignmentPlanner.plan(employees: employees, period: Self.period, openedAt: Self.opened,
                                              policy: policy)
        }
        let p = try #require(plan)
        let active = employees.filter(\.aktif).count
        print("assignments for \(employees.count) employees (\(active) active): \(p.assignments.count) in \(elapsed); "
              + "rekan shortfalls \(p.rekanShortfalls.count)")
        #expect(p.count(of: .selfAssessment) == active)
        #expect(p.assignments.count > 5 * active)
        Self.checkInvariants(p, employees: employees, policy: policy)
    }

    /// The batches a cycle open writes: whole subjects, in the order asked, and together exactly
    /// the plan (the same rekan draw), whatever the batch size; the notes count what they hold.
    @Test func batchesMakeThePlan() throws {
        let employees = TestData.organisation(count: 600, seed: 7)
        let policy = AssignmentPolicy(rekanPerSubject: 3, rekanCapPerReviewer: 4, seed: 7)
        let whole = try Self.plan(employees, policy)
        let prepared = try AssignmentPlanner.prepare(employees: employees, period: Self.period, openedAt: Self.opened,
                                                     policy: policy)
        #expect(prepared.notes.total == whole.assignments.count)
        for role in ReviewerRole.allCases { #expect(prepared.notes.byRole[role] == whole.count(of: role)) }
        #expect(prepared.notes.rekanShortfalls == whole.rekanShortfalls)
        #expect(prepared.notes.subjectsWithoutAtasan == whole.subjectsWithoutAtasan)
        // Reversed NIP order, small batches.
        let order: (NIP) -> Int64 = { -Int64(bitPattern: $0.value) }
        var batches: [[Assignment]] = []
        prepared.batches(subjectOrder: order, size: 50) { batches.append($0) }
        #expect(batches.count > 10)
        #expect(batches.dropLast().allSatisfy { $0.count >= 50 })
        let subjects = batches.map { Set($0.map(\.subject)) }
        for (a, b) in zip(subjects, subjects.dropFirst()) {
            #expect(a.isDisjoint(with: b), "a subject's assignments are in one batch")
            #expect(a.map(order).max()! < b.map(order).min()!, "batches follow the order asked")
        }
        #expect(batches.joined().sorted { $0.key < $1.key } == whole.assignments)
    }
}
