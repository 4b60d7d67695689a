import Foundation
import GRDB

/// The counts `GetStatus` and the STATUS= line show. Each is one aggregate query.
public struct StatusCounts: Sendable, Equatable {
    public var activeEmployees: Int
    public var units: Int
    /// Cycles not yet closed.
    public var openCycles: Int
    /// Assignments of open cycles not submitted and past their due date at `now`.
    public var overdueAssignments: Int
    /// Outbox messages not yet delivered: pending, or failed and awaiting a retry.
    public var pendingMessages: Int = 0
    /// Outbox messages whose every attempt failed.
    public var deadMessages: Int = 0
    /// Motivation flags still on someone's list (open or acknowledged).
    public var openFlags: Int = 0
    /// Reviews submitted or revised through the web front since `since`.
    public var webReviewsToday: Int = 0
    /// Survey responses given through the web front since `since`.
    public var webSurveyResponsesToday: Int = 0
}

extension AppDatabase {
    /// The counts at `now` (which decides what is overdue); the web counts are of what came since
    /// `since` (the start of today in the configured zone).
    public func statusCounts(now: Date, since: Date? = nil) throws -> StatusCounts {
        try writer.read { db in
            let outbox = try Self.outboxCounts(db)
            return StatusCounts(
                activeEmployees: try Int.fetchOne(db, sql: Self.activeEmployeesSQL) ?? 0,
                units: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM unit") ?? 0,
                openCycles: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cycle WHERE status = 'open'") ?? 0,
                overdueAssignments: try Int.fetchOne(db, sql: Self.overdueSQL, arguments: [StoredTime.seconds(now)]) ?? 0,
                pendingMessages: outbox.waiting,
                deadMessages: outbox.dead,
                openFlags: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM flag WHERE status IN ('open', 'acknowledged')") ?? 0,
                webReviewsToday: try Int.fetchOne(db, sql: Self.webReviewsSQL, arguments: [StoredTime.seconds(since ?? now)]) ?? 0,
                webSurveyResponsesToday: try Int.fetchOne(db, sql: Self.webSurveySQL, arguments: [since ?? now]) ?? 0
            )
        }
    }

    /// The active employees as all employees less the inactive ones. `COUNT(*) WHERE aktif` read an
    /// index entry per employee (about 10 ms of CPU at 250,000 employees on every GetStatus, which the
    /// probe asks for every 60 ms while a cycle opens); here the first count is SQLite's page-by-page
    /// count of the smallest index, and the inactive ones are a seek per unit into employee_unit
    /// (unit_code, aktif) — every employee's unit is a row of `unit` (a foreign key). About 2 ms
    /// against 50 ms on the same 250,000-employee database under load.
    static let activeEmployeesSQL = """
        SELECT (SELECT COUNT(*) FROM employee)
             - (SELECT COUNT(*) FROM employee WHERE unit_code IN (SELECT code FROM unit) AND aktif = 0)
        """

    /// The open cycles' assignments not submitted and due before a time (Unix seconds), summed from
    /// `assignment_open_count` (a few rows per cycle, kept by triggers; Migrations+OpenCounts.swift)
    /// instead of read from `assignment_open` an entry per open assignment.
    static let overdueSQL = """
        SELECT COALESCE(SUM(n), 0) FROM assignment_open_count
        WHERE cycle_id IN (SELECT id FROM cycle WHERE status = 'open') AND due_at < ?
        """
    /// Survey responses given through the web front since a time: a seek into the partial index
    /// `skm_web_recent`, not a read of every response ever given.
    static let webSurveySQL = "SELECT COUNT(*) FROM skm_response WHERE source = 'web' AND imported_at >= ?"

    /// Web reviews submitted or revised since a time (Unix seconds): answered by the partial expression index
    /// `review_web_touched` (the expression must stay the index's, word for word).
    static let webReviewsSQL = """
        SELECT COUNT(*) FROM review WHERE source_id = \(ReviewSource.web) AND max(recorded_at, coalesce(revised_at, recorded_at)) >= ?
        """
}
