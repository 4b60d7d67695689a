import Foundation
import Testing
@testable import KinerjaDomain

/// The planner over members read in columns (a cycle open's way) makes the plan it makes from
/// `Employee` values, whatever order the members were added in; each member keeps its own key.
@Suite("plan members: the same plan from columns")
struct PlanMembersTests {
    static let opened = Date(timeIntervalSince1970: 1_740_787_200)
    static let period = try! Period(parsing: "2025-Q1")

    static func assignments(_ plan: PreparedPlan) -> [Assignment] {
        var all: [Assignment] = []
        plan.batches { all += $0 }
        return all
    }

    @Test func membersAddedInAnyOrderMakeThePlanOfTheEmployees() throws {
        var employees = TestData.organisation(count: 800, seed: 11)
        employees[3].aktif = false
        employees[5].acting = ActingAppraiser(nip: employees[9].nip, kind: .plh)
        let policy = AssignmentPolicy(rekanPerSubject: 3, rekanCapPerReviewer: 4, seed: 11)
        let fromEmployees = try AssignmentPlanner.prepare(employees: employees, period: Self.period, openedAt: Self.opened,
                                                          policy: policy)
        var members = PlanMembers()
        var rng = SeededRandom(seed: 3, mixing: ["order"])
        var shuffled = employees.filter(\.aktif)
        rng.shuffle(&shuffled)
        for e in shuffled {
            members.append(nip: e.nip, unit: e.unit, supervisor: e.supervisor, rank: e.rank, acting: e.acting,
                           key: Int64(e.nip.value % 1_000_003), unitKey: Int64(e.unit.count))
        }
        let fromMembers = try AssignmentPlanner.prepare(members: members, period: Self.period, openedAt: Self.opened, policy: policy)
        #expect(Self.assignments(fromMembers) == Self.assignments(fromEmployees))
        #expect(fromMembers.notes == fromEmployees.notes)
        // Sorted by NIP, each member with its own key and its unit's.
        let m = fromMembers.members
        #expect(m.nips == m.nips.sorted())
        for i in 0..<m.count {
            #expect(m.key[i] == Int64(m.nips[i].value % 1_000_003))
            let unit = employees.first { $0.nip == m.nips[i] }!.unit
            #expect(m.units[m.unitIndex(i)] == unit)
            #expect(m.unitKey[m.unitIndex(i)] == Int64(unit.count))
        }
    }

    @Test func reviewersOfASubjectAreItsAssignments() throws {
        let employees = TestData.organisation(count: 300, seed: 5)
        let plan = try AssignmentPlanner.prepare(employees: employees, period: Self.period, openedAt: Self.opened,
                                                 policy: AssignmentPolicy(seed: 5))
        var pairs: [(role: ReviewerRole, reviewer: Int)] = []
        var fromPairs: [AssignmentKey] = []
        for i in 0..<plan.members.count {
            plan.reviewers(of: i, into: &pairs)
            fromPairs += pairs.map { AssignmentKey(subject: plan.members.nips[i], reviewer: plan.members.nips[$0.reviewer], role: $0.role) }
        }
        #expect(fromPairs.sorted() == Self.assignments(plan).map(\.key).sorted())
        #expect(fromPairs.count == plan.notes.total)
    }

    @Test func anOutsideAppraiserWhoIsAnEmployeeReviewsAsThatEmployee() throws {
        let unit = "DINAS"
        let head = Employee(nip: NIP("198001012005011001")!, nama: "Head", jabatan: "Kepala", unit: unit)
        let staff = Employee(nip: NIP("198502022010012002")!, nama: "Staff", jabatan: "Staf", unit: unit,
                             supervisor: head.nip)
        let other = Employee(nip: NIP("197003032000031003")!, nama: "Sekda", jabatan: "Sekda", unit: "SETDA")
        let outsider = NIP.outsideAppraiser(1)!
        let appraisers = [
            ExternalAppraiser(nip: other.nip, nama: "Sekda", jabatan: "Sekda", subjects: [head.nip]),
            ExternalAppraiser(nip: outsider, nama: "Wali Kota", jabatan: "Wali Kota", subjects: [other.nip]),
        ]
        let plan = try AssignmentPlanner.prepare(employees: [head, staff, other], period: Self.period, openedAt: Self.opened,
                                                 policy: AssignmentPolicy(rekanPerSubject: 0), appraisers: appraisers)
        let keys = Set(Self.assignments(plan).map(\.key))
        #expect(keys.contains(AssignmentKey(subject: head.nip, reviewer: other.nip, role: .atasan)))
        #expect(keys.contains(AssignmentKey(subject: other.nip, reviewer: outsider, role: .atasan)))
        #expect(plan.outsideAppraisers == [outsider])
        #expect(plan.notes.atasanSources == [head.nip: .external, other.nip: .external])
        let i = plan.members.nips.firstIndex(of: other.nip)!
        var pairs: [(role: ReviewerRole, reviewer: Int)] = []
        plan.reviewers(of: i, into: &pairs)
        #expect(pairs.contains { $0.role == .atasan && $0.reviewer == PreparedPlan.outsideReviewer })
        #expect(plan.outsideAtasan(of: i) == outsider)
    }
}
