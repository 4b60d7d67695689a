import Foundation
import Testing
@testable import KinerjaDomain

@Suite("Org tree")
struct OrgTreeTests {
    /// 1 heads DLHK; 2 and 3 report to 1; 4, 5 report to 2; 6 is in BKPSDM under 1.
    static let small: [Employee] = [
        TestData.employee(5, supervisor: 2), TestData.employee(1), TestData.employee(3, supervisor: 1),
        TestData.employee(2, supervisor: 1), TestData.employee(4, supervisor: 2),
        TestData.employee(6, unit: "BKPSDM", supervisor: 1),
    ]

    @Test func queries() {
        let tree = OrgTree(employees: Self.small)
        let n = { (serial: Int) in TestData.nip(serial) }
        #expect(tree.count == 6)
        #expect(tree.employees.map(\.nip) == (1...6).map(n))
        #expect(tree.supervisor(of: n(4))?.nip == n(2))
        #expect(tree.supervisor(of: n(1)) == nil)
        #expect(tree.supervisorChain(of: n(5)) == [n(2), n(1)])
        #expect(tree.supervisorChain(of: n(1)) == [])
        #expect(tree.directSubordinates(of: n(1)).map(\.nip) == [n(2), n(3), n(6)])
        #expect(tree.directSubordinates(of: n(4)).isEmpty)
        #expect(tree.allSubordinates(of: n(1)) == [n(2), n(3), n(6), n(4), n(5)])
        #expect(tree.members(ofUnit: "DLHK").map(\.nip) == (1...5).map(n))
        #expect(tree.members(ofUnit: "BKPSDM").map(\.nip) == [n(6)])
        #expect(tree.unitCodes == ["BKPSDM", "DLHK"])
        #expect(tree.roots == [n(1)])
        #expect(tree.loops().isEmpty)
    }

    @Test func unknownSupervisorsAreListed() {
        let tree = OrgTree(employees: [TestData.employee(1, supervisor: 99), TestData.employee(2, supervisor: 1)])
        #expect(tree.unknownSupervisors.map(\.employee) == [TestData.nip(1)])
        #expect(tree.unknownSupervisors.map(\.supervisor) == [TestData.nip(99)])
        #expect(tree.roots == [TestData.nip(1)])
    }

    @Test func loops() {
        let n = { (serial: Int) in TestData.nip(serial) }
        let employees = [
            // self-loop
            TestData.employee(10, supervisor: 10),
            // 2-cycle
            TestData.employee(21, supervisor: 20), TestData.employee(20, supervisor: 21),
            // long cycle 30 → 31 → … → 39 → 30, with a tail 40 → 35
            TestData.employee(40, supervisor: 35),
        ] + (30...39).map { TestData.employee($0, supervisor: $0 == 39 ? 30 : $0 + 1) }
        + [TestData.employee(1), TestData.employee(2, supervisor: 1)]
        let tree = OrgTree(employees: employees.reversed())
        #expect(tree.loops() == [[n(10)], [n(20), n(21)], (30...39).map(n)])
        #expect(tree.supervisorChain(of: n(40)) == (35...39).map(n) + (30...34).map(n))
        #expect(tree.supervisorChain(of: n(10)) == [])
        #expect(tree.allSubordinates(of: n(30)).count == 10)  // 31…39 and the tail 40
    }

    @Test func deepChainDoesNotRecurse() {
        // One chain of 25,000 employees, and the same closed into one loop.
        let count = 25_000
        let chain = (1...count).map { TestData.employee($0, supervisor: $0 == 1 ? nil : $0 - 1) }
        let tree = OrgTree(employees: chain)
        #expect(tree.supervisorChain(of: TestData.nip(count)).count == count - 1)
        #expect(tree.allSubordinates(of: TestData.nip(1)).count == count - 1)
        #expect(tree.loops().isEmpty)
        var looped = chain
        looped[0].supervisor = TestData.nip(count)
        let loops = OrgTree(employees: looped).loops()
        #expect(loops.count == 1 && loops[0].count == count)
        #expect(loops[0].first == TestData.nip(1))
    }
}
