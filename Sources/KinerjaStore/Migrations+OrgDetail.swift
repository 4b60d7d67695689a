import GRDB

extension Migrations {
    /// A real city's organisation data: the position's rank and sub-unit, the acting appraiser
    /// (Plt/Plh) and why an employee is inactive; who writes each atasan review when it is not the
    /// supervisor; appraisers outside the employee file (as they were when a cycle opened); and the
    /// changes an employee import made to an open cycle's assignments (transfers, departures, leave).
    static func registerOrgDetail(_ m: inout DatabaseMigrator) {
        m.registerMigration("v7-org-detail") { db in
            try db.alter(table: "employee") { t in
                t.add(column: "jenis_jabatan", .text)
                t.add(column: "kelas_jabatan", .integer)
                t.add(column: "eselon", .text)
                t.add(column: "sub_unit", .text)
                t.add(column: "acting_nip", .text)
                t.add(column: "acting_kind", .text)
                t.add(column: "inactive_reason", .text)
            }
            // NULL: the supervisor in the file; 'Plt.', 'Plh.' or 'external' otherwise.
            try db.alter(table: "assignment") { t in
                t.add(column: "atasan_source", .text)
            }
            try db.create(table: "appraiser") { t in
                t.primaryKey("nip", .text)
                t.column("nama", .text).notNull()
                t.column("jabatan", .text).notNull()
                t.column("email", .text)
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(table: "assignment_change") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("cycle_id", .integer).notNull().references("cycle", onDelete: .cascade)
                // The employee whose change caused it, and what happened to them.
                t.column("nip", .text).notNull()
                t.column("event", .text).notNull().check { ["transfer", "left", "leave", "atasan_change"].contains($0) }
                t.column("detail", .text).notNull()
                t.column("subject_nip", .text).notNull()
                t.column("role", .text).notNull()
                t.column("reviewer_nip", .text).notNull()
                // NULL when the assignment was cancelled.
                t.column("new_reviewer_nip", .text)
                t.column("changed_at", .datetime).notNull()
            }
            try db.create(index: "assignment_change_cycle", on: "assignment_change", columns: ["cycle_id", "nip"])
        }
    }
}
