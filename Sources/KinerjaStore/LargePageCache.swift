import GRDB

/// A larger SQLite page cache on the writer's connection for one long step of a transaction, set
/// back after it (SQLite frees the pages over the limit as it releases them, at the latest at the
/// commit). It counts against the daemon's memory only while the step runs.
///
/// Where it pays (a 250,000-employee database, 2 MB default cache): the cycle open's inserts into
/// assignment_reviewer (cycle_id, reviewer_id), which take the rows at random pages — 12.4 s of CPU
/// with 2 MB, 8.5 s with 16 MB, 8.2 s with 64 MB for the 1.48 million rows from Python's sqlite3;
/// and the close's pass over the reviews, which looks each reviewer up in `person` at random —
/// 3.1 s with 2 MB, 2.4 s with 16 MB for 1.45 million reviews.
enum LargePageCache {
    /// The cache during such a step (KiB).
    static let kib = 16 * 1024

    static func during<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        let previous = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
        try db.execute(sql: "PRAGMA cache_size = \(-kib)")
        defer { try? db.execute(sql: "PRAGMA cache_size = \(previous)") }
        return try body()
    }
}
