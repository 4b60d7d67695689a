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

    @Test func rolesAndCounts() throws {
        let employees = Self.unit("DLHK", base: 1000, size: 20) + Self.unit("BKPSDM", base: 2000, size: 12)
        let policy = AssignmentPolicy(seed: 42)
        let plan = try Self.plan(employees, policy)
        Self.checkInvariants(plan, employees: employees, policy: policy)
        #expect(plan.count(of: .selfAssessment) == 32)
        #expect(plan.count(of: .atasan) == 30)
        #expect(plan.count(of: .bawahan) == 30)
        #expect(plan.count(of: .rekan) == 32 * 3)
        #expect(plan.rekanShortfalls.isEmpty)
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
}
