import Foundation
import GRDB
import GRDBSQLite
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// Every index the schema creates is there for a query that needs it: each is listed here with the
/// query that uses it, and the query's plan must name it. An index added without a query here, or a
/// query whose plan no longer picks its index, fails. (Indexes SQLite makes for UNIQUE and PRIMARY KEY
/// constraints are the constraints' and are not listed.) The queries are the store's own: its SQL
/// constants, or the statements a real call runs (traced as `WebRequestPlanTests.plans` does).
@Suite("indexes: each justified by a query's plan")
struct IndexJustificationTests {
    /// The follow-up store's seed (a unit, employees, a closed cycle, flags) with its tasks, and the
    /// flag store's findings as flags (with evidence a flag's detail reads).
    static func database() throws -> AppDatabase {
        let db = try AppDatabase.inMemory()
        try FollowupStoreTests.seed(db)
        _ = try db.createFollowups(FollowupPolicy(), today: FollowupStoreTests.today, now: FollowupStoreTests.t0)
        _ = try db.applyFindings(FlagStoreTests.findings(), units: FlagStoreTests.units, at: FlagStoreTests.t0)
        return db
    }

    /// The plan lines of a statement, its parameters left unbound (NULL; the plan does not depend on them).
    static func explain(_ db: AppDatabase, _ sql: String) throws -> [String] {
        try db.writer.read { d in
            let statement = try d.makeStatement(sql: "EXPLAIN QUERY PLAN " + sql)
            let unbound = StatementArguments(Array(repeating: DatabaseValue.null, count: Int(sqlite3_bind_parameter_count(statement.sqliteStatement))))
            return try Row.fetchAll(statement, arguments: unbound).map { $0["detail"] as String? ?? "" }
        }
    }

    /// The plan lines of every statement a call runs.
    static func traced(_ db: AppDatabase, _ work: () throws -> Void) throws -> [String] {
        try WebRequestPlanTests.plans(db, work).values.flatMap { $0 }
    }

    /// Each index and the plan lines of the query behind it.
    static func justifications(_ db: AppDatabase) throws -> [String: [String]] {
        let t0 = FollowupStoreTests.t0, quarter = try Period(parsing: "2025-Q3"), subject = FollowupStoreTests.nip(1)
        var bySubject = FollowupFilter(), byAppraiser = FollowupFilter(), flagsOfOne = FlagFilter()
        bySubject.subject = subject
        byAppraiser.appraiser = FollowupStoreTests.nip(10)
        flagsOfOne.nip = subject
        let task = try #require(try db.followupPage(FollowupFilter(), after: nil, limit: 10).rows.first)
        let flag = try #require(try db.flagPage(FlagFilter(), after: nil, limit: 10).rows.first { $0.rule == .decliningTrend })
        return [
            // The people and their units.
            "employee_unit": try explain(db, AppDatabase.activeEmployeesSQL),
            "employee_name": try explain(db, ReminderQueries.owedRowsSQL),
            // Cycles and assignments: a cycle's open and late counts in every cycle listing.
            "assignment_open": try traced(db) { _ = try db.cycles() },
            "assignment_late": try traced(db) { _ = try db.cycles() },
            "assignment_change_subject": try traced(db) { _ = try db.assignmentChanges(cycle: 1) },
            "review_web_touched": try explain(db, AppDatabase.webReviewsSQL),
            // The outbox.
            "outbox_due": try explain(db, AppDatabase.nextDueOutboxSQL),
            "outbox_status": try traced(db) { _ = try db.outboxMessages(status: .dead, limit: 10) } + (try explain(db, AppDatabase.outboxCountsSQL)),
            "outbox_recipient": try explain(db, ReminderQueries.batchMessagesSQL)
                + (try traced(db) { _ = try db.writer.read { try Outbox.lastMessageTimes(since: t0, in: $0) } }),
            "outbox_kind": try traced(db) { _ = try db.writer.read { try Outbox.lastMessageTime(kind: "admin_digest", in: $0) } },
            "outbox_text_kept": try explain(db, AppDatabase.sentWithTextSQL),
            "outbox_stage_message": try explain(db, AppDatabase.openStageMarkSQL),
            "followup_notice_message": try explain(db, AppDatabase.openNoticeSQL),
            // Motivation flags: the work list, one employee's flags, the counts, one flag's history.
            "flag_listing": try traced(db) { _ = try db.flagPage(FlagFilter(), after: nil, limit: 10) },
            "flag_on_subject_nip": try traced(db) { _ = try db.flagPage(flagsOfOne, after: nil, limit: 10) },
            "flag_status": try traced(db) { _ = try db.statusCounts(now: t0, since: t0) },
            "flag_event_on_flag_id": try traced(db) { _ = try db.flag(id: flag.id) },
            // Follow-up tasks.
            "followup_subject": try traced(db) { _ = try db.followupPage(bySubject, after: nil, limit: 10) },
            "followup_appraiser": try traced(db) { _ = try db.followupPage(byAppraiser, after: nil, limit: 10) },
            "followup_status": try traced(db) { _ = try db.advanceFollowups(FollowupPolicy(), today: FollowupStoreTests.today, now: t0) },
            "followup_event_on_followup_id": try traced(db) { _ = try db.followup(id: task.id) },
            // Web links and the public survey.
            "review_link_token": try traced(db) { _ = try db.reviewLink(tokenHash: Data(repeating: 7, count: 32), now: t0) },
            "review_link_reviewer": try explain(db, AppDatabase.revokeReviewLinksSQL),
            "survey_link_unit": try traced(db) { _ = try db.revokeSurveyLinks(unit: "DLHK", period: quarter, now: t0) },
            "skm_unit_period": try traced(db) { _ = try db.skmStats(unit: "DLHK", period: quarter, in: TimeZone(identifier: "Asia/Jakarta")!) },
            "skm_web_recent": try traced(db) { _ = try db.statusCounts(now: t0, since: t0) },
            // The scheduler's run history of one job.
            "job_run_on_name": try traced(db) { _ = try db.jobHistoryPage(name: "maintenance", after: nil, limit: 10) },
        ]
    }

    /// Whether a plan line reads through the named index.
    static func uses(_ line: String, _ index: String) -> Bool {
        line.contains("INDEX \(index) ") || line.hasSuffix("INDEX \(index)")
    }

    @Test("every index of the schema is listed with a query, and only those")
    func everyIndexListed() throws {
        let db = try Self.database()
        let indexes = try db.writer.read { d in
            try String.fetchAll(d, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
        }
        let listed = try Self.justifications(db).keys.sorted()
        #expect(indexes == listed, "not listed: \(Set(indexes).subtracting(listed).sorted()); listed but absent: \(Set(listed).subtracting(indexes).sorted())")
    }

    @Test("each listed query's plan reads through its index")
    func eachIndexUsed() throws {
        let db = try Self.database()
        for (index, plan) in try Self.justifications(db).sorted(by: { $0.key < $1.key }) {
            #expect(plan.contains { Self.uses($0, index) }, "\(index): \(plan)")
        }
    }

    @Test("GetStatus seeks: it reads no outbox, survey, review or flag entry by entry; only the employees are counted whole, and the units and cycles")
    func statusCountsSeek() throws {
        let db = try Self.database()
        let plan = try Self.traced(db) { _ = try db.statusCounts(now: FollowupStoreTests.t0, since: FollowupStoreTests.t0) }
        let scans = plan.filter { $0.hasPrefix("SCAN") && $0 != "SCAN CONSTANT ROW" }
        // COUNT(*) of a whole table is SQLite's count of the pages of its smallest index (AppDatabase.activeEmployeesSQL);
        // units and cycles are a few hundred rows after years.
        #expect(scans.allSatisfy { $0.hasPrefix("SCAN employee USING COVERING INDEX") || $0.hasPrefix("SCAN unit") || $0.hasPrefix("SCAN cycle") },
                "\(scans)")
        #expect(!plan.contains { $0.contains("outbox") && $0.hasPrefix("SCAN") }, "\(plan)")
        #expect(!plan.contains { $0.contains("skm_response") && $0.hasPrefix("SCAN") }, "\(plan)")
    }

    @Test("the counts GetStatus gives: messages waiting and dead, and today's web survey responses")
    func statusCountValues() throws {
        let db = try Self.database()
        let t0 = FollowupStoreTests.t0
        try db.writer.write { d in
            for (i, status) in ["pending", "failed", "failed", "dead", "sent", "sent"].enumerated() {
                _ = try Outbox.enqueue(OutboxStoreTests.draft("m\(i)"), at: t0, in: d)
                try d.execute(sql: "UPDATE outbox SET status = ? WHERE idempotency_key = ?", arguments: [status, "m\(i)"])
            }
            for (source, at) in [("web", t0), ("web", t0 - 86_400), ("import", t0)] {
                try d.execute(sql: """
                    INSERT INTO skm_response(unit_code, period, period_start, period_end, u1, u2, u3, u4, u5, u6, u7, u8, u9, imported_at, source)
                    VALUES ('DLHK', '2025-Q3', '2025-07-01', '2025-09-30', 4, 4, 4, 4, 4, 4, 4, 4, 4, ?, ?)
                    """, arguments: [at, source])
            }
        }
        let counts = try db.statusCounts(now: t0, since: t0 - 3600)
        #expect(counts.pendingMessages == 3 && counts.deadMessages == 1)
        #expect(counts.webSurveyResponsesToday == 1)
    }
}
