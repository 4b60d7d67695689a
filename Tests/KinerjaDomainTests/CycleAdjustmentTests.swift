import Foundation
import Testing
@testable import KinerjaDomain

/// What an import does to an open cycle when someone moves, leaves or goes on leave.
@Suite("Cycle adjustment")
struct CycleAdjustmentTests {
    // DLHK: kepala 1 (no atasan in the file), kabid 2 and 3 under 1, staff 4 and 5 under 2, staff 6 under 3.
    // BKPSDM: kepala 10, staff 11 under 10.
    static func org() -> [NIP: Employee] {
        let list = [TestData.employee(1), TestData.employee(2, supervisor: 1), TestData.employee(3, supervisor: 1),
                    TestData.employee(4, supervisor: 2), TestData.employee(5, supervisor: 2),
                    TestData.employee(6, supervisor: 3),
                    TestData.employee(10, unit: "BKPSDM"), TestData.employee(11, unit: "BKPSDM", supervisor: 10)]
        return Dictionary(uniqueKeysWithValues: list.map { ($0.nip, $0) })
    }

    static func key(_ subject: Int, _ reviewer: Int, _ role: ReviewerRole) -> AssignmentKey {
        AssignmentKey(subject: TestData.nip(subject), reviewer: TestData.nip(reviewer), role: role)
    }

    /// The open assignments of the staff member 4 and around them.
    static let open: [CycleAdjustment.OpenAssignment] = [
        key(4, 4, .selfAssessment), key(4, 2, .atasan), key(2, 4, .bawahan), key(4, 5, .rekan), key(5, 4, .rekan),
        key(6, 4, .rekan), key(5, 2, .atasan), key(2, 2, .selfAssessment), key(2, 1, .atasan), key(1, 2, .bawahan),
        key(6, 3, .atasan),
    ].enumerated().map { CycleAdjustment.OpenAssignment(id: Int64($0.offset + 1), key: $0.element) }

    func run(_ change: (inout [NIP: Employee]) -> Void) -> ([CycleAdjustment.Change], [CycleAdjustment.EmployeeEvent]) {
        let before = Self.org()
        var after = before
        change(&after)
        let events = CycleAdjustment.events(before: before, after: after)
        let changes = CycleAdjustment.changes(open: Self.open, existing: Set(Self.open.map(\.key)), after: after, events: events)
        return (changes, CycleAdjustment.summary(changes, events: events))
    }

    func described(_ changes: [CycleAdjustment.Change]) -> Set<String> {
        Set(changes.map { c in
            let k = c.assignment.key
            let to = c.newReviewer.map { "→\($0.value % 1000)" } ?? "cancelled"
            return "\(k.role.rawValue) \(k.subject.value % 1000) by \(k.reviewer.value % 1000) \(to)"
        })
    }

    @Test func transferToAnotherUnit() {
        // Staff 4 moves to BKPSDM under 10: its atasan review goes to 10, its rekan reviews (both ways)
        // and its bawahan review of 2 are cancelled; its self review stays.
        let (changes, events) = run { $0[TestData.nip(4)]!.unit = "BKPSDM"; $0[TestData.nip(4)]!.supervisor = TestData.nip(10) }
        #expect(described(changes) == ["atasan 4 by 2 →10", "bawahan 2 by 4 cancelled", "rekan 4 by 5 cancelled",
                                        "rekan 5 by 4 cancelled", "rekan 6 by 4 cancelled"])
        #expect(events.map(\.detail) == ["moved from DLHK to BKPSDM"])
        #expect(events.first?.event == .transfer && events.first?.reassigned == 1 && events.first?.cancelled == 4)
    }

    @Test func retirementOfAnAtasan() {
        // Kabid 2 retires; staff 4 and 5 now report to the kepala 1 (the file says so): their atasan
        // reviews go to 1. Everything 2 still had to write or receive is cancelled.
        let (changes, events) = run {
            $0[TestData.nip(2)]!.aktif = false
            $0[TestData.nip(2)]!.inactiveReason = .pensiun
            $0[TestData.nip(4)]!.supervisor = TestData.nip(1)
            $0[TestData.nip(5)]!.supervisor = TestData.nip(1)
        }
        #expect(described(changes) == ["atasan 4 by 2 →1", "atasan 5 by 2 →1", "bawahan 2 by 4 cancelled",
                                        "self 2 by 2 cancelled", "atasan 2 by 1 cancelled", "bawahan 1 by 2 cancelled"])
        // Every change is attributed to the retirement.
        #expect(events.map(\.detail) == ["left (pensiun)"])
        #expect(events.first?.reassigned == 2 && events.first?.cancelled == 4)
    }

    @Test func deathWithoutSuccessorCancelsTheAtasanReview() {
        // Kabid 3 dies and no one is named: the atasan review of 6 has nobody to go to.
        let (changes, events) = run {
            $0[TestData.nip(3)]!.aktif = false
            $0[TestData.nip(3)]!.inactiveReason = .meninggal
            $0[TestData.nip(6)]!.supervisor = nil
        }
        #expect(described(changes) == ["atasan 6 by 3 cancelled"])
        #expect(events.map(\.nip) == [TestData.nip(3)] && events.map(\.detail) == ["left (meninggal)"])
    }

    @Test func leaveKeepsTheReviewsAboutThem() {
        // Staff 4 goes on leave: what 4 must write is cancelled; the atasan still appraises 4.
        let (changes, events) = run { $0[TestData.nip(4)]!.aktif = false; $0[TestData.nip(4)]!.inactiveReason = .cuti }
        #expect(described(changes) == ["self 4 by 4 cancelled", "bawahan 2 by 4 cancelled", "rekan 5 by 4 cancelled",
                                        "rekan 6 by 4 cancelled"])
        #expect(events.map(\.detail) == ["on leave (cuti)"])
    }

    @Test func actingAppraiserTakesTheAtasanReview() {
        // Kabid 2's post falls vacant (2 left, absent from the file); kabid 3 becomes Plt. for 4 and 5.
        let (changes, _) = run {
            $0[TestData.nip(2)]!.aktif = false
            for s in [4, 5] {
                $0[TestData.nip(s)]!.supervisor = nil
                $0[TestData.nip(s)]!.acting = ActingAppraiser(nip: TestData.nip(3), kind: .plt)
            }
        }
        #expect(changes.filter { $0.newReviewer == TestData.nip(3) }.allSatisfy { $0.newSource == .plt })
        #expect(described(changes).isSuperset(of: ["atasan 4 by 2 →3", "atasan 5 by 2 →3"]))
    }
}
