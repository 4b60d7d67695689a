import GRDB

extension Migrations {
    /// Evaluation cycles: cycles, their 360 assignments and reviews, the supervisor's
    /// perilaku overrides, results computed at close, public satisfaction (SKM) responses, training,
    /// and a log of applied imports. NIPs are stored as their 18 digits (text, as in `employee`),
    /// instants as GRDB dates (UTC text), calendar dates as `YYYY-MM-DD`.
    static func registerCycles(_ m: inout DatabaseMigrator) {
        m.registerMigration("v2-cycles") { db in
            try db.create(table: "cycle") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("period", .text).notNull().unique()
                t.column("kind", .text).notNull().check { ["monthly", "quarterly", "semester", "annual"].contains($0) }
                t.column("period_start", .text).notNull()
                t.column("period_end", .text).notNull()
                t.column("status", .text).notNull().check { ["open", "closed"].contains($0) }
                t.column("opened_at", .datetime).notNull()
                t.column("opened_by", .text).notNull()
                t.column("due_at", .datetime).notNull()
                t.column("rekan_per_subject", .integer).notNull()
                t.column("rekan_cap", .integer).notNull()
                t.column("rekan_seed", .integer).notNull()
                t.column("closed_at", .datetime)
                t.column("closed_by", .text)
                t.column("forced", .boolean).notNull().defaults(to: false)
                t.column("force_reason", .text)
                t.column("open_required_at_close", .integer)
                // The result policy in force at close (JSON), so results can be explained later.
                t.column("result_policy", .text)
            }
            try db.create(table: "assignment") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("cycle_id", .integer).notNull().references("cycle", onDelete: .cascade)
                t.column("subject_nip", .text).notNull()
                t.column("role", .text).notNull().check { ["self", "atasan", "rekan", "bawahan"].contains($0) }
                t.column("reviewer_nip", .text).notNull()
                // Units at the time the cycle opened (employees move; results stay with their unit).
                t.column("subject_unit", .text).notNull()
                t.column("reviewer_unit", .text).notNull()
                t.column("due_at", .datetime).notNull()
                // When the review was first submitted; NULL while open.
                t.column("submitted_at", .datetime)
                t.uniqueKey(["cycle_id", "subject_nip", "role", "reviewer_nip"])
            }
            try db.create(index: "assignment_reviewer", on: "assignment", columns: ["cycle_id", "reviewer_nip"])
            // What is still open (overdue counts, reminders) and what came late: partial indexes, so
            // both are counted without reading the rows.
            try db.execute(sql: """
                CREATE INDEX assignment_open ON assignment(cycle_id, due_at) WHERE submitted_at IS NULL
                """)
            try db.execute(sql: "CREATE INDEX assignment_late ON assignment(cycle_id) WHERE submitted_at > due_at")
            try db.create(table: "review") { t in
                t.primaryKey("assignment_id", .integer).references("assignment", onDelete: .cascade)
                for value in ["berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"] {
                    t.column(value, .integer).notNull().check { $0 >= 1 && $0 <= 5 }
                }
                t.column("comment", .text)
                t.column("hasil_kerja", .text).check { $0 == nil || ["di_atas", "sesuai", "di_bawah"].contains($0) }
                t.column("submitted_at", .datetime).notNull()
                t.column("recorded_at", .datetime).notNull()
                t.column("revised_at", .datetime)
                t.column("source", .text).notNull()
            }
            try db.create(table: "perilaku_override") { t in
                t.column("cycle_id", .integer).notNull().references("cycle", onDelete: .cascade)
                t.column("subject_nip", .text).notNull()
                t.column("rating", .text).notNull().check { ["di_atas", "sesuai", "di_bawah"].contains($0) }
                t.column("reason", .text).notNull()
                t.column("set_by", .text).notNull()
                t.column("set_at", .datetime).notNull()
                t.primaryKey(["cycle_id", "subject_nip"])
            }
            try db.create(table: "result") { t in
                t.column("cycle_id", .integer).notNull().references("cycle", onDelete: .cascade)
                t.column("subject_nip", .text).notNull()
                t.column("unit_code", .text).notNull()
                t.column("self_mean", .double)
                t.column("atasan_mean", .double)
                t.column("rekan_mean", .double)
                t.column("rekan_count", .integer).notNull()
                t.column("bawahan_mean", .double)
                t.column("bawahan_count", .integer).notNull()
                t.column("weighted_mean", .double)
                t.column("computed_rating", .text)
                t.column("override_rating", .text)
                t.column("override_reason", .text)
                t.column("perilaku_rating", .text)
                t.column("hasil_kerja", .text)
                t.column("predikat", .text)
                t.primaryKey(["cycle_id", "subject_nip"])
            }
            try db.create(index: "result_subject", on: "result", columns: ["subject_nip"])
            try db.create(table: "skm_response") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("unit_code", .text).notNull().references("unit", onDelete: .restrict)
                t.column("period", .text).notNull()
                t.column("period_start", .text).notNull()
                t.column("period_end", .text).notNull()
                for i in 1...9 { t.column("u\(i)", .integer).notNull().check { $0 >= 1 && $0 <= 4 } }
                t.column("imported_at", .datetime).notNull()
            }
            try db.create(index: "skm_unit_period", on: "skm_response", columns: ["unit_code", "period"])
            try db.create(table: "training") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("nip", .text).notNull()
                t.column("course", .text).notNull()
                t.column("course_key", .text).notNull()
                t.column("date", .text).notNull()
                t.column("hours", .double).notNull()
                t.column("imported_at", .datetime).notNull()
                t.uniqueKey(["nip", "course_key", "date"])
            }
            try db.create(table: "import_log") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("records", .integer).notNull()
                t.column("summary", .text).notNull()
                t.column("source", .text).notNull()
                t.column("applied_at", .datetime).notNull()
            }
        }
    }
}
