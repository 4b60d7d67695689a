import Foundation
import GRDB
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// How a review import resolves its rows: keys to assignments by place (`AssignmentKeyLookup`), the
/// set of assignment ids that tells whether any was named twice (`AssignmentIDSet`), and the spool's
/// lookup of the duplicates' lines run only for a file that has one.
@Suite("review import: resolving rows to assignments", .serialized)
struct ReviewResolutionTests {
    let store = CycleStoreTests()

    func openDatabase() throws -> AppDatabase {
        let db = try store.database()
        _ = try db.openCycle(period: try Period(parsing: "2025-Q1"), openedAt: CycleStoreTests.opened, policy: CycleStoreTests.policy,
                             by: "test")
        return db
    }

    func key(_ reviewer: Int, _ subject: Int, _ role: ReviewerRole) -> AssignmentKey {
        AssignmentKey(subject: CycleStoreTests.nip(subject), reviewer: CycleStoreTests.nip(reviewer), role: role)
    }

    @Test("keys resolve in their own order, a key twice to the same assignment, an unknown key to nothing, at both statement sizes")
    func keysByPlace() throws {
        let db = try openDatabase()
        let expected = try db.assignments(.init(at: CycleStoreTests.opened)).rows
        let known = [key(2, 2, .selfAssessment), key(1, 2, .atasan), key(3, 3, .selfAssessment)]
        let ids = try known.map { k in
            try #require(expected.first { $0.subject == k.subject && $0.reviewer == k.reviewer && $0.role == k.role }?.id)
        }
        try db.writer.read { d in
            let cycle = try #require(try Int64.fetchOne(d, sql: "SELECT id FROM cycle"))
            var lookup = AssignmentKeyLookup(d)
            let keys = [known[2], key(3, 2, .atasan), known[0], known[1], known[0]]
            let slots = try lookup.slots(keys, cycle: cycle)
            #expect(slots.map { $0?.id } == [ids[2], nil, ids[0], ids[1], ids[0]])
            #expect(slots[3]?.role == ReviewerRole.atasan.code && slots[3]?.cycle == cycle && slots[3]?.submitted == nil)
            #expect(slots[3]?.due == expected.first { $0.id == ids[1] }?.dueAt)
            // A full chunk goes through the statement prepared once; the places still line up.
            let full = (0..<AppDatabase.reviewChunk).map { known[$0 % 3] }
            let fullSlots = try lookup.slots(full, cycle: cycle), otherCycle = try lookup.slots(full, cycle: cycle + 1)
            #expect(fullSlots.map { $0?.id } == (0..<AppDatabase.reviewChunk).map { ids[$0 % 3] })
            #expect(otherCycle.count == AppDatabase.reviewChunk && otherCycle.allSatisfy { $0 == nil })
        }
    }

    @Test("the id set tells a repeated id apart, within a block and across blocks far apart")
    func idSet() {
        var set = AssignmentIDSet()
        var added: [Bool] = []
        for id: Int64 in [1, 2, 4095, 4096, 64, 63, 9_000_000_001, 4096, 1, 63, 9_000_000_001, 4095, 0, 8191, 8191] {
            added.append(set.insert(id))
        }
        #expect(added == [true, true, true, true, true, true, true, false, false, false, false, false, true, true, false])
    }

    /// `SubmissionPages` that counts the calls asking for the duplicates' lines.
    final class CountingPages: ReviewPages {
        let inner: SubmissionPages<[ReviewSubmission]>
        var duplicateLookups = 0
        init(_ submissions: [ReviewSubmission]) { inner = SubmissionPages(submissions) }
        var count: Int { inner.count }
        var hasKeys: Bool { inner.hasKeys }
        func forEachPage(size: Int, _ body: ([ReviewSubmission]) throws -> Void) throws { try inner.forEachPage(size: size, body) }
        func startResolving() throws { try inner.startResolving() }
        func addResolved(_ pairs: [(id: Int64, line: Int)]) throws { try inner.addResolved(pairs) }
        func duplicates(_ body: (Int64, Int, Int) -> Void) throws {
            duplicateLookups += 1
            try inner.duplicates(body)
        }
    }

    @Test("the duplicates' lines are looked up only when an assignment was named twice; then every pair is reported")
    func duplicatesOnlyWhenNamedTwice() throws {
        let db = try openDatabase()
        let at = CycleStoreTests.opened.addingTimeInterval(3600)
        let clean = CountingPages([
            try store.review(2, 2, 2, .selfAssessment, [4, 4, 4, 4, 4, 4, 5], at: at),
            try store.review(3, 1, 2, .atasan, [4, 4, 4, 4, 4, 4, 4], hasil: .sesuai, at: at),
        ])
        let summary = try db.submitReviews(from: clean, cycle: nil, now: at, dryRun: true, source: "t", columns: nil,
                                           problemCap: 10, timeZone: TimeZone(identifier: "UTC")!, progress: { _ in })
        #expect(summary.added == 2 && clean.duplicateLookups == 0)

        let twice = CountingPages([
            try store.review(2, 2, 2, .selfAssessment, [4, 4, 4, 4, 4, 4, 5], at: at),
            try store.review(3, 1, 2, .atasan, [4, 4, 4, 4, 4, 4, 4], hasil: .sesuai, at: at),
            try store.review(4, 2, 2, .selfAssessment, [3, 3, 3, 3, 3, 3, 3], at: at),
        ])
        let before = try store.tableCounts(db)
        #expect(throws: ImportFailure.self) {
            _ = try db.submitReviews(from: twice, cycle: nil, now: at, dryRun: false, source: "t", columns: nil,
                                     problemCap: 10, timeZone: TimeZone(identifier: "UTC")!, progress: { _ in })
        }
        #expect(twice.duplicateLookups == 1)
        #expect(try store.tableCounts(db) == before)
    }
}
