import Foundation
import Testing
@testable import KinerjaDomain

/// The parts of the employee import that need no store: one row's checks and the merge rules. The
/// checks of the whole file run over the staged file in the store (KinerjaStoreTests, "Employee file
/// checks").
@Suite("Employee import")
struct EmployeeImportTests {
    /// One row's problems, as (column, code).
    func problems(_ row: EmployeeRow) -> [String] {
        var found: [String] = []
        _ = EmployeeImport.check(row) { column, code, _ in found.append("\(column):\(code)") }
        return found
    }

    @Test func oneRowIsCheckedAlone() {
        let boss = TestData.nip(1), me = TestData.nip(2)
        var row = EmployeeRow(line: 2, nip: me.description, nama: "Budi", jabatan: "Staf", unitKerja: "DLHK",
                              nipAtasan: boss.description, email: "budi@bandung.go.id")
        let checked = EmployeeImport.check(row) { _, _, _ in Issue.record("a valid row reported a problem") }
        #expect(checked.nip == me && checked.supervisor == boss && checked.aktif == true && checked.status == .pns)
        #expect(checked.unitKey == "dlhk")
        row.nipAtasan = me.description
        row.email = "budi@"
        row.status = "Honorer"
        row.aktif = "mungkin"
        row.nama = ""
        #expect(problems(row) == ["nama:missing_value", "nip_atasan:self_supervision", "email:bad_email",
                                  "status:bad_status", "aktif:bad_boolean"])
    }

    @Test func mergeRules() {
        let stored = TestData.employee(2, supervisor: 1)
        #expect(EmployeeMergeRules.outcome(old: stored, new: stored) == .unchanged)
        var moved = stored
        moved.unit = "BKPSDM"
        moved.jabatan = "Analis"
        #expect(EmployeeMergeRules.outcome(old: stored, new: moved) == .changed([.jabatan, .unitKerja]))
        var inactive = stored
        inactive.aktif = false
        #expect(EmployeeMergeRules.outcome(old: stored, new: inactive) == .deactivated)
        #expect(EmployeeMergeRules.outcome(old: inactive, new: stored) == .changed([.aktif]))
        // Absent from the file: deactivated when active and in the file's reach.
        #expect(EmployeeMergeRules.deactivatesAbsent(stored, scope: nil))
        #expect(EmployeeMergeRules.deactivatesAbsent(stored, scope: ["dlhk"]))
        #expect(!EmployeeMergeRules.deactivatesAbsent(stored, scope: ["bkpsdm"]))
        #expect(!EmployeeMergeRules.deactivatesAbsent(inactive, scope: nil))
        #expect(EmployeeMergeRules.deactivationRefusal(deactivated: 1, byUnit: [("DLHK", 1)], activeInReach: 100,
                                                       maxShare: 0.05, allowed: nil) == nil)
        #expect(EmployeeMergeRules.deactivationRefusal(deactivated: 10, byUnit: [("DLHK", 10)], activeInReach: 100,
                                                       maxShare: 0.05, allowed: nil)?.hasPrefix("the file would deactivate 10 of 100") == true)
        #expect(EmployeeMergeRules.deactivationRefusal(deactivated: 10, byUnit: [("DLHK", 10)], activeInReach: 100,
                                                       maxShare: 0.05, allowed: 10) == nil)
        #expect(EmployeeMergeRules.deactivationRefusal(deactivated: 10, byUnit: [("DLHK", 10)], activeInReach: 100,
                                                       maxShare: 0.05, allowed: 9) == "--allow-deactivate 9 does not match: the file would deactivate 10 (DLHK 10)")
    }

    @Test func emailSyntax() {
        for good in ["a@b.id", "budi.santoso+kinerja@bandung.go.id", "x_y@sub-domain.example.com"] {
            #expect(FieldValue.isValidEmail(good), "\(good)")
        }
        for bad in ["", "a", "a@b", "a@@b.id", "@b.id", "a@.id", "a@b.", ".a@b.id", "a..b@c.id", "a b@c.id",
                    "a@-b.id", "a@b.i", "a@b.1d"] {
            #expect(!FieldValue.isValidEmail(bad), "\(bad)")
        }
    }
}
