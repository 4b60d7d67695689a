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
}
