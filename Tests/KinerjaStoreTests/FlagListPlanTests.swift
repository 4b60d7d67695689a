import Foundation
import GRDB
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// `flags list` at the size of a large instansi (over 20,000 flags): a page reads its own rows in the
/// listing's order from `flag_listing` and stops, never a sort of every flag; its total and the count
/// of flags left out for a cleared condition read `flag_status` alone.
@Suite("flag listing: an index walk in listing order, counts from an index")
struct FlagListPlanTests {
    static func plan(_ db: AppDatabase, _ statement: (sql: String, arguments: StatementArguments)) throws -> [String] {
        try db.writer.read { d in
            try Row.fetchAll(d, sql: "EXPLAIN QUERY PLAN " + statement.sql, arguments: statement.arguments).map { $0["detail"] as String? ?? "" }
        }
    }

    @Test("the work list's first and following pages: flag_listing in order, no sort; a narrower filter seeks its flags")
    func pages() throws {
        let db = try AppDatabase.inMemory()
        for filter in [FlagFilter(), FlagFilter(includeCleared: true)] {
            let query = AppDatabase.flagQuery(filter)
            let cursor = PageCursor(values: [1.databaseValue, "DISDIK".databaseValue, "disengaged".databaseValue,
                                             "198001012005011001".databaseValue, 7.databaseValue])
            for statement in [query.pageStatement(after: nil, limit: 50), query.pageStatement(after: cursor, limit: 50)] {
                let plan = try Self.plan(db, statement)
                #expect(plan.contains { $0.contains("f USING INDEX flag_listing") }, "\(plan)")
                #expect(!plan.contains { $0.contains("TEMP B-TREE FOR ORDER BY") }, "\(plan)")
            }
            let count = try Self.plan(db, query.countStatement())
            #expect(count.allSatisfy { $0.contains("COVERING INDEX flag_status") }, "\(count)")
        }
        var one = FlagFilter()
        one.nip = NIP("198001012005011001")!
        let byNIP = try Self.plan(db, AppDatabase.flagQuery(one).pageStatement(after: nil, limit: 50))
        #expect(byNIP.contains { $0.contains("SEARCH f USING INDEX flag_on_subject_nip (subject_nip=?)") }, "\(byNIP)")
        // A unit, a severity, a rule or other statuses may match a handful of flags among many closed
        // ones: seek them, never walk the whole listing.
        for filter in [FlagFilter(unit: "DISDIK"), FlagFilter(severity: .info), FlagFilter(rule: .disengaged),
                       FlagFilter(statuses: [.resolved])] {
            let plan = try Self.plan(db, AppDatabase.flagQuery(filter).pageStatement(after: nil, limit: 50))
            #expect(plan.contains { $0.hasPrefix("SEARCH f USING") } && !plan.contains { $0.contains("flag_listing") }, "\(plan)")
        }
    }

    @Test("the flags left out for a cleared condition are counted from flag_status alone")
    func hiddenCount() throws {
        let db = try AppDatabase.inMemory()
        let (conditions, arguments) = AppDatabase.flagConditions(FlagFilter(), cleared: true)
        let plan = try Self.plan(db, ("SELECT COUNT(*) FROM flag f WHERE " + conditions.joined(separator: " AND "), StatementArguments(arguments)))
        #expect(plan.allSatisfy { $0.contains("COVERING INDEX flag_status") }, "\(plan)")
    }

    @Test("pages of two flags give every flag once, in listing order")
    func walk() throws {
        let db = try AppDatabase.inMemory()
        let t0 = Date(timeIntervalSince1970: 1_764_900_000)
        try db.writer.write { d in
            for (n, (severity, unit, rule)) in [("warning", "DLHK", "disengaged"), ("critical", "DISDIK", "declining_trend"),
                                                 ("info", nil, "recognition_gap"), ("warning", "DINKES", "disengaged"),
                                                 ("critical", "DISDIK", "declining_trend"), ("warning", "DLHK", "feedback_drop")].enumerated() {
                let nip = String(format: "198001012005011%03d", 9 - n)
                try d.execute(sql: """
                    INSERT INTO flag(identity, rule, subject_nip, unit_code, window_start, window_end, window_start_date, window_end_date,
                                     severity, status, ratio, evidence, follow_up, created_at, updated_at)
                    VALUES (?, ?, ?, ?, '2025-Q2', '2025-Q3', '2025-04-01', '2025-09-30', ?, 'open', 1.5, '{}', 'mentoring', ?, ?)
                    """, arguments: ["\(rule)/\(nip)/2025-Q2", rule, nip, unit, severity, t0, t0])
            }
        }
        var seen: [String] = [], cursor: PageCursor?
        repeat {
            let page = try db.flagPage(FlagFilter(), after: cursor, limit: 2)
            seen += page.rows.map { "\($0.severity.rawValue) \($0.unit ?? "") \($0.rule.rawValue) \($0.nip)" }
            cursor = page.next
        } while cursor != nil
        let all = try db.flagPage(FlagFilter(), after: nil, limit: 100).rows.map { "\($0.severity.rawValue) \($0.unit ?? "") \($0.rule.rawValue) \($0.nip)" }
        #expect(seen == all && seen.count == 6, "\(seen)")
        #expect(seen.first?.hasPrefix("critical DISDIK declining_trend") == true && seen.last?.hasPrefix("info") == true, "\(seen)")
    }
}
