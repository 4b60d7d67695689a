import GRDB

/// The versioned schema. Migrations are append-only once released: never edit one that shipped, add a
/// new one. The schema version reported by `GetStatus` is the number of migrations applied.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        // One line per area, in release order; each area's tables live in its own file
        // (Migrations+Area.swift) as `static func registerArea(_ m: inout DatabaseMigrator)`.
        registerOrg(&m)
        registerCycles(&m)
        registerJobs(&m)
        registerOutbox(&m)
        registerFlags(&m)
        registerJobRequests(&m)
        registerOrgDetail(&m)
        registerWeb(&m)
        registerSurveyRespondents(&m)
        registerFollowups(&m)
        registerStatusIndex(&m)
        registerCompactKeys(&m)
        registerOpenCounts(&m)
        registerCompactResults(&m)
        registerReviewerLookup(&m)
        registerFlagListing(&m)
        registerReminderNames(&m)
        registerEmployeeIndexes(&m)
        registerPersonKeys(&m)
        registerOutboxText(&m)
        registerOutboxHistory(&m)
        registerIndexReview(&m)
        return m
    }

    static func registerOrg(_ m: inout DatabaseMigrator) {
        m.registerMigration("v1-org") { db in
            try db.create(table: "unit") { t in
                t.primaryKey("code", .text)
                t.column("name", .text).notNull()
                t.column("head_nip", .text)
            }
            try db.create(table: "employee") { t in
                t.primaryKey("nip", .text)
                t.column("nama", .text).notNull()
                t.column("jabatan", .text).notNull()
                t.column("unit_code", .text).notNull().references("unit", onDelete: .restrict)
                t.column("supervisor_nip", .text).indexed()
                t.column("email", .text)
                t.column("telepon", .text)
                t.column("status", .text).notNull().check { ["PNS", "PPPK"].contains($0) }
                t.column("aktif", .boolean).notNull().defaults(to: true)
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(index: "employee_unit", on: "employee", columns: ["unit_code", "aktif"])
        }
    }

    /// Migrations that rewrite tables holding the city's data: the daemon backs the file up before one runs.
    static let rewriting: Set<String> = ["v12-compact-rows", "v14-compact-results", "v19-person-keys", "v22-outbox-text-retention"]

    /// Identifiers in the order they apply; the schema version is a position in this list.
    static var known: [String] { migrator.migrations }
}
