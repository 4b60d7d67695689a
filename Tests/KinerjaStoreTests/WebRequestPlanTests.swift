import Foundation
import GRDB
import Synchronization
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// A reviewer's page and one submitted review touch that reviewer's few assignments only. Two
/// statements on that path used to walk every assignment of the cycle (about 150,000 at 25,000
/// employees): the count of the page's rows, answered from the unique index's cycle prefix, and the
/// set-based marking of submitted assignments. Checked on the plans of the statements really run.
@Suite("web request plans: no pass over the cycle")
struct WebRequestPlanTests {
    /// The plan lines of every statement `work` runs (BEGIN, COMMIT and the review's INSERT aside).
    static func plans(_ db: AppDatabase, _ work: () throws -> Void) throws -> [String: [String]] {
        let statements = Mutex<[String]>([])
        try db.writer.writeWithoutTransaction { d in
            d.trace(options: .statement) { event in
                if case .statement(let s) = event { statements.withLock { $0.append(s.expandedSQL) } }
            }
        }
        try work()
        try db.writer.writeWithoutTransaction { d in d.trace(options: .statement, nil) }
        let run = statements.withLock { $0 }.filter { sql in
            let head = sql.trimmingCharacters(in: .whitespacesAndNewlines).prefix(6).uppercased()
            return head == "SELECT" || head == "UPDATE" || head.hasPrefix("WITH")
        }
        #expect(!run.isEmpty)
        return try db.writer.read { d in
            try Dictionary(run.map { sql in
                (sql, try Row.fetchAll(d, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String? ?? "" })
            }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// A plan line that reads the assignments of a whole cycle: a scan, or a search by the cycle alone.
    static func wholeCycle(_ line: String) -> Bool {
        line.hasPrefix("SCAN a") || line.hasPrefix("SCAN assignment")
            || ((line.hasPrefix("SEARCH a ") || line.hasPrefix("SEARCH assignment ")) && line.hasSuffix("(cycle_id=?)"))
    }

    @Test("a reviewer's assignments without their count, and one review by id, read no other assignment of the cycle")
    func reviewerPath() throws {
        let store = CycleStoreTests()
        let db = try store.database()
        let opened = try db.openCycle(period: try Period(parsing: "2025-Q1"), openedAt: CycleStoreTests.opened,
                                      policy: CycleStoreTests.policy, by: "test")
        let reviewer = CycleStoreTests.nip(2)
        let filter = AppDatabase.AssignmentFilter(cycle: .id(opened.cycle.id), reviewer: reviewer, at: CycleStoreTests.opened)
        var rows: [AssignmentInfo] = []
        let pagePlans = try Self.plans(db) { rows = try db.assignmentRows(filter) }
        #expect(!rows.isEmpty)
        for (sql, plan) in pagePlans {
            #expect(!plan.contains(where: Self.wholeCycle), "\(sql)\n\(plan)")
        }

        let now = CycleStoreTests.opened.addingTimeInterval(3600)
        let one = ReviewSubmission(line: 0, reference: AssignmentReference(id: rows[0].id),
                                   review: Review(scores: try BerAKHLAKScores(uniform: 4), hasilKerja: rows[0].role == .atasan ? .sesuai : nil),
                                   submittedAt: nil)
        let submitPlans = try Self.plans(db) {
            _ = try db.submitReviews([one], cycle: nil, now: now, dryRun: false, source: "web")
        }
        for (sql, plan) in submitPlans {
            #expect(!plan.contains(where: Self.wholeCycle), "\(sql)\n\(plan)")
        }
        // And it did mark the assignment submitted.
        var byID = AppDatabase.AssignmentFilter(at: now)
        byID.id = rows[0].id
        #expect(try db.assignmentRows(byID).first?.submittedAt == now)
    }
}
