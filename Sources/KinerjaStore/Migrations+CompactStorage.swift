import GRDB

extension Migrations {
    /// Storage designed for size, as far as it goes so far: only indexes a query plan needs, each
    /// named with its query and asserted by a plan test.
    ///
    /// - `review_web_touched`: GetStatus counts today's web reviews on every call
    ///   (`StatusCounts.webReviewsSQL`); without it that count read every review of every cycle kept
    ///   (1.45 million a quarter for 250,000 employees) while a long write ran beside it. Partial (web
    ///   reviews only), so imported reviews cost nothing in it.
    static func registerCompactStorage(_ m: inout DatabaseMigrator) {
        m.registerMigration("v11-compact-storage") { db in
            try db.execute(sql: """
                CREATE INDEX review_web_touched ON review(max(recorded_at, coalesce(revised_at, recorded_at)))
                WHERE source = 'web'
                """)
        }
    }
}
