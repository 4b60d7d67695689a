import Foundation
import GRDB
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// The follow-up tasks, assignment changes and review links hold `person` and `unit_key` ids: every
/// read that names a person by NIP seeks that person's id, then its rows by an index on the id, and
/// every NIP shown comes from `person`'s key. Each index these tables keep is used by one of these
/// reads (the last test lists them), checked on the plans of the statements the use cases really run.
@Suite("person keys: follow-ups, assignment changes and review links seek by person id")
struct PersonKeyPlanTests {
    /// The plan lines of every read `work` runs, all joined (`WebRequestPlanTests.plans`).
    static func lines(_ db: AppDatabase, _ work: () throws -> Void) throws -> [String] {
        try WebRequestPlanTests.plans(db, work).values.flatMap { $0 }
    }

    /// A plan line reading a whole table of people or of the converted rows.
    static func scan(_ line: String) -> Bool {
        ["SCAN sp", "SCAN apn", "SCAN p ", "SCAN p", "SCAN person", "SCAN x", "SCAN l", "SCAN review_link", "SCAN assignment_change"]
            .contains { line == $0 || line.hasPrefix($0 + " ") }
    }

    @Test("a task list by subject or appraiser, the cycle's changes, the results without predikat, a link's lookup and revocation")
    func seeks() throws {
        // One connection (a pool's reads would not be traced).
        let db = try AppDatabase.inMemory()
        try PersonKeysMigrationTests.fill(db)
        let task = try #require(try db.followupPage(FollowupFilter(), after: nil, limit: 1000).rows.first { $0.appraiser != nil })

        var bySubject = FollowupFilter()
        bySubject.subject = task.subject
        var rows: [FollowupRecord] = []
        var plan = try Self.lines(db) { rows = try db.followupPage(bySubject, after: nil, limit: 50).rows }
        #expect(rows.map(\.id).contains(task.id))
        #expect(plan.contains { $0.contains("fu USING INDEX followup_subject (subject_id=?)") }, "\(plan)")
        #expect(!plan.contains(where: Self.scan), "\(plan)")

        var byAppraiser = FollowupFilter()
        byAppraiser.appraiser = task.appraiser
        plan = try Self.lines(db) { rows = try db.followupPage(byAppraiser, after: nil, limit: 50).rows }
        #expect(rows.map(\.id).contains(task.id))
        #expect(plan.contains { $0.contains("fu USING INDEX followup_appraiser (appraiser_id=?)") }, "\(plan)")
        #expect(!plan.contains(where: Self.scan), "\(plan)")

        plan = try Self.lines(db) { _ = try db.advanceFollowups(FollowupPolicy(), today: CalendarDate(iso: "2025-10-21")!, now: PersonKeysMigrationTests.readAt) }
        #expect(plan.contains { $0.contains("INDEX followup_status (status=? AND due_date<?)") }, "\(plan)")

        let open = try #require(try db.cycles().first { $0.status == .open })
        var changes: [CycleChange] = []
        plan = try Self.lines(db) { changes = try db.assignmentChanges(cycle: open.id) }
        #expect(!changes.isEmpty)
        #expect(plan.contains { $0.contains("x USING INDEX assignment_change_subject (cycle_id=?)") }, "\(plan)")
        #expect(!plan.contains(where: Self.scan), "\(plan)")

        let closed = try #require(try db.cycles().first { $0.status == .closed })
        plan = try Self.lines(db) { _ = try db.withoutPredikat(.id(closed.id), unit: nil) }
        #expect(plan.contains { $0.contains("assignment_change USING INDEX assignment_change_subject (cycle_id=? AND subject_id=?)") },
                "\(plan)")

        let token = PersonKeysMigrationTests.tokens[1]
        var grant: ReviewLinkGrant?
        plan = try Self.lines(db) { grant = try db.reviewLink(tokenHash: token, now: PersonKeysMigrationTests.readAt) }
        #expect(grant != nil)
        #expect(plan.contains { $0.contains("l USING INDEX review_link_token (token_sha256=?)") }, "\(plan)")
        #expect(plan.contains { $0.contains("p USING INTEGER PRIMARY KEY (rowid=?)") }, "\(plan)")
        #expect(!plan.contains(where: Self.scan), "\(plan)")

        let reviewer = try #require(grant).reviewer
        let revoke = try db.writer.read { d in
            try Row.fetchAll(d, sql: "EXPLAIN QUERY PLAN " + AppDatabase.revokeReviewLinksSQL,
                             arguments: [PersonKeysMigrationTests.readAt, open.id, reviewer.description]).map { $0["detail"] as String? ?? "" }
        }
        #expect(revoke.contains { $0.contains("review_link USING INDEX review_link_reviewer (cycle_id=? AND reviewer_id=?)") }, "\(revoke)")
        #expect(revoke.contains { $0.contains("person USING COVERING INDEX sqlite_autoindex_person_1 (nip=?)") }, "\(revoke)")
        #expect(try db.revokeReviewLinks(reviewer: reviewer, cycle: nil, now: PersonKeysMigrationTests.readAt).1 == 1)
    }

    @Test("the converted tables keep only the indexes those reads use")
    func onlyUsedIndexes() throws {
        let db = try AppDatabase.inMemory()
        let indexes = try db.writer.read { d in
            try Row.fetchAll(d, sql: """
                SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'
                  AND tbl_name IN ('followup', 'assignment_change', 'review_link') ORDER BY 1, 2
                """).map { "\($0[0] as String).\($0[1] as String)" }
        }
        #expect(indexes == [
            "assignment_change.assignment_change_subject",
            "followup.followup_appraiser", "followup.followup_status", "followup.followup_subject",
            "followup.sqlite_autoindex_followup_1",  // flag_id UNIQUE: one task per flag
            "review_link.review_link_reviewer", "review_link.review_link_token",
        ])
    }
}
