import GRDB

extension Migrations {
    /// Indexes for `flags list` at the size of a large instansi (21,942 flags after one quarter at
    /// 250,000 employees, about 1.4 KB each with their evidence):
    ///
    /// - `flag_listing` is the listing's order (severity rank, unit, rule, NIP, then the rowid), so a
    ///   page reads its own rows in order and stops. Sorting every open flag for each page read all
    ///   of them: 115–170 ms per call at 250,000 employees, even with `--limit 1`.
    /// - `flag_status` gains `condition_cleared` and `severity`, so the first page's total and the
    ///   count of flags left out for a cleared condition are read from the index alone (the count
    ///   read every flag's row: 17–27 ms).
    ///
    /// `AppDatabase.flagListingOrder` must stay the same expressions as `flag_listing`'s
    /// (`FlagListPlanTests`).
    static func registerFlagListing(_ m: inout DatabaseMigrator) {
        m.registerMigration("v16-flag-listing") { db in
            try db.execute(sql: """
                DROP INDEX flag_status;
                CREATE INDEX flag_status ON flag(status, condition_cleared, unit_code, rule, severity);
                CREATE INDEX flag_listing ON flag(CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                                                  COALESCE(unit_code, ''), rule, subject_nip);
                """)
        }
    }
}
