import GRDB

extension Migrations {
    /// An index a query plan needs, named with its query and asserted by a plan test.
    ///
    /// - `review_web_touched`: GetStatus counts today's web reviews on every call
    ///   (`StatusCounts.webReviewsSQL`); without it that count read every review of every cycle kept
    ///   (1.45 million a quarter for 250,000 employees) while a long write ran beside it. Partial (web
    ///   reviews only), so imported reviews cost nothing in it.
    static func registerStatusIndex(_ m: inout DatabaseMigrator) {
        m.registerMigration("v11-status-index") { db in
            try db.execute(sql: """
                CREATE INDEX review_web_touched ON review(max(recorded_at, coalesce(revised_at, recorded_at)))
                WHERE source = 'web'
                """)
        }
    }
}
