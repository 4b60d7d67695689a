import GRDB

extension Migrations {
    /// `employee_on_supervisor_nip` goes: no query looks employees up by their atasan. The atasan is
    /// always reached from the employee (`su.nip = e.supervisor_nip`, through the primary key), and
    /// the cycle open reads every active employee in NIP order (`PlanMembers`). The index cost 7.7 MB
    /// at 250,000 employees and a write at a random place for every employee whose atasan changed.
    /// `employee` keeps `employee_unit` (the active count of GetStatus, `StatusCountsPlanTests`) and
    /// `employee_name` (the reminder batches' subject names, `ReminderQueryPlanTests`).
    static func registerEmployeeIndexes(_ m: inout DatabaseMigrator) {
        m.registerMigration("v18-employee-indexes") { db in
            try db.execute(sql: "DROP INDEX IF EXISTS employee_on_supervisor_nip")
        }
    }
}
