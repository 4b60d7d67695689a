import Foundation
import GRDB
import Testing
@testable import KinerjaStore

/// GetStatus answers on every call, also while a cycle opens or closes: each of its counts must be
/// answered by an index, never by reading a table that grows with the years kept.
@Suite("status counts: answered by indexes")
struct StatusCountsPlanTests {
    @Test("today's web reviews are counted from the partial index review_web_touched, not by reading every review")
    func webReviews() throws {
        let db = try AppDatabase.inMemory()
        let plan = try db.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + AppDatabase.webReviewsSQL, arguments: [StoredTime.seconds(Date())])
                .map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.contains { $0.contains("SEARCH review USING INDEX review_web_touched (<expr>>?)") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN review") }, "\(plan)")
    }

    @Test("active employees are counted without reading an entry per employee: a count of all, less a seek per unit for the inactive")
    func activeEmployeesPlan() throws {
        let db = try AppDatabase.inMemory()
        let plan = try db.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + AppDatabase.activeEmployeesSQL).map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.contains { $0.contains("SEARCH employee USING COVERING INDEX employee_unit (unit_code=? AND aktif=?)") }, "\(plan)")
        #expect(!plan.contains { $0.contains("SCAN employee USING COVERING INDEX employee_unit") }, "\(plan)")
    }

    @Test("the active employee count equals COUNT(*) WHERE aktif, with inactive employees in several units")
    func activeEmployeesCount() throws {
        let db = try AppDatabase.inMemory()
        try db.writer.write { db in
            for unit in ["A", "B", "C"] {
                try db.execute(sql: "INSERT INTO unit(code, name) VALUES (?, ?)", arguments: [unit, "Unit \(unit)"])
            }
            for i in 0..<40 {
                try db.execute(sql: """
                    INSERT INTO employee(nip, nama, jabatan, unit_code, status, aktif, updated_at)
                    VALUES (?, 'N', 'J', ?, 'PNS', ?, '2025-01-01 00:00:00')
                    """, arguments: [String(198001012005011000 + i), ["A", "B", "C"][i % 3], i % 7 != 0])
            }
        }
        let (counted, expected) = try db.writer.read { db in
            (try Int.fetchOne(db, sql: AppDatabase.activeEmployeesSQL), try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM employee WHERE aktif"))
        }
        #expect(expected == 34)
        #expect(counted == expected)
        #expect(try db.statusCounts(now: Date()).activeEmployees == 34)
    }
}
