import Foundation
import GRDB
import Testing
@testable import KinerjaStore

/// The reviewers' counts the motivation analysis reads: every cycle's reviews in stored order, grouped
/// by the reviewer's integer key (a sort of small rows), and only then each group's NIP found, once.
@Suite("reviewer activity: reviews in stored order, grouped by integer key, the NIP found per group")
struct ReviewerActivityPlanTests {
    @Test("two cycles: each read as a range of review ids, one person look-up after the grouping")
    func plan() throws {
        let db = try AppDatabase.inMemory()
        let plan = try db.writer.read { d in
            try Row.fetchAll(d, sql: "EXPLAIN QUERY PLAN " + AppDatabase.reviewerRowsSQL(cycles: 2), arguments: [1, 10, 1, 11, 20, 2])
                .map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.filter { $0.hasPrefix("SEARCH v USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)") }.count == 2, "\(plan)")
        // A person joined per review (grouping by NIP text) would show one look-up per cycle, before
        // the groups are scanned.
        let people = plan.indices.filter { plan[$0].hasPrefix("SEARCH p ") }
        #expect(people.count == 1, "\(plan)")
        #expect(plan[people[0]] == "SEARCH p USING INTEGER PRIMARY KEY (rowid=?)", "\(plan)")
        #expect(plan.firstIndex(of: "SCAN g").map { $0 < people[0] } == true, "\(plan)")
        #expect(plan.contains("USE TEMP B-TREE FOR GROUP BY") && !plan.contains { $0.hasPrefix("SCAN v") || $0.hasPrefix("SCAN a") }, "\(plan)")
    }
}
