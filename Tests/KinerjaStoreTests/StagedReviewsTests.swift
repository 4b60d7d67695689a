import Foundation
import GRDB
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// A review import committed from its on-disk spool: the problems (unknown assignments, the same
/// assignment twice by id or by key, also across pages) are those of the import in memory, with their
/// lines; a dry run writes nothing (closing the spool leaves no file: `ImportSpoolTests`).
@Suite("staged reviews: committed from the spool", .serialized)
struct StagedReviewsTests {
    let store = CycleStoreTests()

    func openDatabase() throws -> (AppDatabase, Int64) {
        let db = try store.database()
        _ = try db.openCycle(period: try Period(parsing: "2025-Q1"), openedAt: CycleStoreTests.opened, policy: CycleStoreTests.policy,
                             by: "test")
        let selfID = try #require(try db.assignments(.init(subject: CycleStoreTests.nip(2), role: .selfAssessment,
                                                            at: CycleStoreTests.opened)).rows.first?.id)
        return (db, selfID)
    }

    func unknownID(_ line: Int) throws -> ReviewSubmission {
        ReviewSubmission(line: line, reference: AssignmentReference(id: 900_000 + Int64(line)), review: Review(scores: try BerAKHLAKScores(uniform: 3)))
    }

    @Test("unknown assignments and the same assignment twice (by id, by key, across pages) are found from the spool with their lines; nothing is written")
    func problemsFromTheSpool() throws {
        let (db, selfID) = try openDatabase()
        let columns = CSVColumnMap(canonical: ReviewImport.schema)
        let staged = try StagedReviews()
        // A first page of rows naming no assignment (lines after the others), so the last rows are read
        // on a second page.
        try staged.append(try (10_000..<(10_000 + AppDatabase.reviewPage)).map(unknownID))
        try staged.append([
            try store.review(2, 2, 2, .selfAssessment, [4, 4, 4, 4, 4, 4, 5]),
            try store.review(3, 3, 2, .atasan, [4, 4, 4, 4, 4, 4, 4], hasil: .sesuai),  // 3 is not 2's atasan
            try unknownID(4),
            ReviewSubmission(line: 5, reference: AssignmentReference(id: selfID), review: Review(scores: try BerAKHLAKScores(uniform: 3))),
            try store.review(6, 2, 2, .selfAssessment, [3, 3, 3, 3, 3, 3, 3]),
        ])
        #expect(staged.count == AppDatabase.reviewPage + 5)
        let before = try store.tableCounts(db)
        do {
            _ = try db.submitReviews(staged: staged, cycle: nil, now: CycleStoreTests.opened.addingTimeInterval(3600), dryRun: false,
                                     source: "t", columns: columns, problemCap: 10)
            Issue.record("expected problems")
        } catch let failure as ImportFailure {
            #expect(failure.totalCount == AppDatabase.reviewPage + 4)
            #expect(failure.problems.prefix(4).map(\.line) == [3, 4, 5, 6])
            #expect(failure.problems[0].message == "cycle 2025-Q1 has no atasan assignment of \(CycleStoreTests.nip(2)) to \(CycleStoreTests.nip(3))")
            #expect(failure.problems[0].column == columns.number("reviewer_nip"))
            #expect(failure.problems[1].message == "there is no assignment 900004" && failure.problems[1].column == columns.number("assignment_id"))
            #expect(failure.problems[2].message == "assignment \(selfID) is reviewed on lines 2 and 5" && failure.problems[2].code == .duplicateRecord)
            #expect(failure.problems[3].message == "assignment \(selfID) is reviewed on lines 5 and 6")
            #expect(failure.problems[4].line == 10_000)
        }
        #expect(try store.tableCounts(db) == before)
        staged.close()
    }

    @Test("a dry run from the spool counts what a commit would write and writes nothing; the commit then writes it")
    func dryRunWritesNothing() throws {
        let (db, _) = try openDatabase()
        let at = CycleStoreTests.opened.addingTimeInterval(3600)
        let staged = try StagedReviews()
        try staged.append([
            try store.review(2, 2, 2, .selfAssessment, [4, 4, 4, 4, 4, 4, 5], at: at),
            try store.review(3, 1, 2, .atasan, [4, 4, 4, 4, 4, 4, 4], hasil: .sesuai, at: at),
            try store.review(4, 3, 3, .selfAssessment, [3, 3, 3, 3, 3, 3, 3], at: at),
        ])
        let before = try store.tableCounts(db)
        let dry = try db.submitReviews(staged: staged, cycle: .period(try Period(parsing: "2025-Q1")), now: at, dryRun: true, source: "t")
        #expect(dry.dryRun && dry.records == 3 && dry.added == 3 && dry.replaced == 0)
        #expect(try store.tableCounts(db) == before)
        let submitted = { try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM assignment WHERE submitted_at IS NOT NULL") } }
        #expect(try submitted() == 0)

        let applied = try db.submitReviews(staged: staged, cycle: nil, now: at, dryRun: false, source: "t")
        #expect(!applied.dryRun && applied.added == 3)
        #expect(try store.tableCounts(db)["review"] == before["review"]! + 3)
        #expect(try submitted() == 3)
        staged.close()
    }
}
