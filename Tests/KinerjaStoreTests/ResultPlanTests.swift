import Foundation
import GRDB
import Testing
@testable import KinerjaStore

/// `result` (one row per subject per closed cycle) and `perilaku_override` keep no index besides their
/// key (cycle_id, subject_id), which is the table itself (WITHOUT ROWID): every read names the cycle,
/// or the cycle and the subject, and is answered by a seek on that key.
@Suite("results: every read seeks the key (cycle, subject), no other index")
struct ResultPlanTests {
    static func plan(_ sql: String, _ arguments: StatementArguments = []) throws -> [String] {
        try AppDatabase.inMemory().writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String? ?? "" }
        }
    }

    @Test("the tables have their key and nothing else")
    func onlyTheKey() throws {
        let indexes = try AppDatabase.inMemory().writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT l.origin FROM (SELECT 'result' AS t UNION ALL SELECT 'perilaku_override') x, pragma_index_list(x.t) l
                """).map { $0[0] as String }
        }
        #expect(indexes == ["pk", "pk"])
    }

    @Test("a cycle's report and the close's counts read the cycle's range of the key")
    func cycleRange() throws {
        let reads: [(String, StatementArguments)] = [
            (AppDatabase.resultCountsSQL(unit: false), [1]), (AppDatabase.resultCountsSQL(unit: true), [1, "DLHK"]),
            (AppDatabase.predikatCountsSQL, [1]), (AppDatabase.withoutPredikatSQL(unit: true), [1, "DLHK"]),
        ]
        for (sql, arguments) in reads {
            let plan = try Self.plan(sql, arguments)
            #expect(plan.contains { $0.contains("SEARCH result USING PRIMARY KEY (cycle_id=?)") || $0.contains("SEARCH r USING PRIMARY KEY (cycle_id=?)") },
                    "\(sql): \(plan)")
            #expect(!plan.contains { $0.contains("SCAN result") || $0.contains("SCAN r ") || $0 == "SCAN r" }, "\(sql): \(plan)")
        }
    }

    @Test("an employee's history finds each cycle's result by the key")
    func historyByKey() throws {
        let plan = try Self.plan(AppDatabase.historySQL, ["198001012005011001"])
        #expect(plan.contains { $0.contains("SEARCH r USING PRIMARY KEY (cycle_id=? AND subject_id=?)") }, "\(plan)")
    }

    @Test("the analysis reads results in NIP order without a sort: person by its NIP index, then each cycle's result by the key")
    func analysisInNIPOrder() throws {
        let plan = try Self.plan(AppDatabase.subjectRowsSQL("1,2"))
        #expect(plan.contains { $0.contains("SCAN sp USING COVERING INDEX sqlite_autoindex_person_1") }, "\(plan)")
        #expect(plan.contains { $0.contains("SEARCH r USING PRIMARY KEY (cycle_id=? AND subject_id=?)") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
    }
}
