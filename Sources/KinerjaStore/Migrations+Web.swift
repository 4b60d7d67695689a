import GRDB

extension Migrations {
    /// The web front: personal review links (one per reviewer per cycle) and public survey links (one
    /// per unit per period), each stored only as the SHA-256 of its token, so a copy of the database
    /// does not hand out working links. SKM responses gain their source (`import` or `web`), so a
    /// re-imported survey file replaces what was imported and leaves what the public answered online.
    static func registerWeb(_ m: inout DatabaseMigrator) {
        m.registerMigration("v8-web-links") { db in
            try db.create(table: "review_link") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("cycle_id", .integer).notNull().references("cycle", onDelete: .cascade)
                t.column("reviewer_nip", .text).notNull()
                t.column("token_sha256", .blob).notNull().unique()
                t.column("created_at", .datetime).notNull()
                t.column("created_by", .text).notNull()
                // NULL: valid while the cycle is open; otherwise also no later than this.
                t.column("expires_at", .datetime)
                t.column("revoked_at", .datetime)
            }
            try db.create(index: "review_link_reviewer", on: "review_link", columns: ["cycle_id", "reviewer_nip"])
            try db.create(table: "survey_link") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("unit_code", .text).notNull().references("unit", onDelete: .cascade)
                t.column("period", .text).notNull()
                t.column("period_start", .text).notNull()
                t.column("period_end", .text).notNull()
                t.column("token_sha256", .blob).notNull().unique()
                t.column("created_at", .datetime).notNull()
                t.column("created_by", .text).notNull()
                t.column("revoked_at", .datetime)
            }
            try db.create(index: "survey_link_unit", on: "survey_link", columns: ["unit_code", "period"])
            // The optional saran a respondent gives on the web, apart from the answers (which stay anonymous rows).
            try db.create(table: "skm_suggestion") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("unit_code", .text).notNull().references("unit", onDelete: .cascade)
                t.column("period", .text).notNull()
                t.column("text", .text).notNull()
                t.column("submitted_at", .datetime).notNull()
            }
            try db.alter(table: "skm_response") { t in
                t.add(column: "source", .text).notNull().defaults(to: "import")
            }
        }
    }

    /// The optional respondent fields of the survey form (PermenPANRB 14/2017): age band, sex,
    /// education, occupation (codes of `SKMRespondent`) and the service used (free text), NULL when
    /// not given. Kept with the anonymous response for aggregate statistics; never listed per row.
    static func registerSurveyRespondents(_ m: inout DatabaseMigrator) {
        m.registerMigration("v9-survey-respondents") { db in
            try db.alter(table: "skm_response") { t in
                t.add(column: "age_band", .text)
                t.add(column: "sex", .text)
                t.add(column: "education", .text)
                t.add(column: "occupation", .text)
                t.add(column: "service", .text)
            }
            // survey stats count a unit's responses per day and source.
            try db.create(index: "skm_unit_day", on: "skm_response", columns: ["unit_code", "period", "imported_at"])
        }
    }
}
