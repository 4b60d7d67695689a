import Foundation
import GRDB
import Testing
@testable import KinerjaStore

/// `reviews list --cycle`: every page, the first one too, is a walk in listing order (reviewers by NIP
/// from `person`'s unique key, each probed in `assignment_reviewer`), never a sort of the cycle's rows;
/// the first page's count reads the reviewer lookup's cycle prefix only.
@Suite("assignment listing of a cycle: an index walk, no sort of the cycle")
struct AssignmentListPlanTests {
    static let at = Date(timeIntervalSince1970: 1_743_465_600)

    static func plan(_ db: AppDatabase, _ statement: (sql: String, arguments: StatementArguments)) throws -> [String] {
        try db.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statement.sql, arguments: statement.arguments)
                .map { $0["detail"] as String? ?? "" }
        }
    }

    static func cursor(_ values: [any DatabaseValueConvertible]) -> PageCursor {
        PageCursor(values: values.map { $0.databaseValue })
    }

    @Test("first and following pages: reviewers walked by NIP, assignments probed by reviewer, no temporary sort of the listing")
    func cyclePages() throws {
        let db = try AppDatabase.inMemory()
        let query = AppDatabase.assignmentQuery(.init(cycle: .id(1), at: Self.at), cycleID: 1)
        for statement in [query.pageStatement(after: nil, limit: 5000),
                          query.pageStatement(after: Self.cursor(["196501012003011001", "196501012003011002", "rekan", 7]),
                                              limit: 5000)] {
            let plan = try Self.plan(db, statement)
            #expect(plan.first { $0.contains(" w ") }?.contains("w USING COVERING INDEX sqlite_autoindex_person_1") == true, "\(plan)")
            #expect(plan.contains { $0.hasPrefix("SEARCH x USING PRIMARY KEY (cycle_id=? AND reviewer_id=?)") }, "\(plan)")
            #expect(plan.contains { $0.hasPrefix("SEARCH a USING INTEGER PRIMARY KEY (rowid=?)") }, "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE FOR ORDER BY") && !$0.contains("RIGHT PART") }, "\(plan)")
            #expect(!plan.contains { $0.hasPrefix("SCAN a") || $0.contains("AUTOMATIC") }, "\(plan)")
        }
        // A following page seeks to its first reviewer instead of walking from the listing's start.
        let next = try Self.plan(db, query.pageStatement(after: Self.cursor(["196501012003011001", "196501012003011002", "rekan", 7]),
                                                         limit: 5000))
        #expect(next.contains { $0.hasPrefix("SEARCH w USING COVERING INDEX sqlite_autoindex_person_1 (nip>?)") }, "\(next)")
        // The count: the cycle's prefix of the reviewer lookup, no other table.
        let count = try Self.plan(db, query.countStatement())
        #expect(count == ["SEARCH x USING PRIMARY KEY (cycle_id=?)"], "\(count)")
    }

    @Test("one reviewer or one subject of a cycle: a search by that person, not a walk over everyone")
    func onePerson() throws {
        let db = try AppDatabase.inMemory()
        let nip = "196501012003011001"
        let reviewer = try Self.plan(db, AppDatabase.assignmentQuery(.init(cycle: .id(1), reviewer: .init(nip)!, at: Self.at), cycleID: 1)
            .pageStatement(after: nil, limit: 1000))
        #expect(reviewer.contains { $0.hasPrefix("SEARCH w USING COVERING INDEX sqlite_autoindex_person_1 (nip=?)") }, "\(reviewer)")
        let subject = try Self.plan(db, AppDatabase.assignmentQuery(.init(cycle: .id(1), subject: .init(nip)!, at: Self.at), cycleID: 1)
            .pageStatement(after: nil, limit: 1000))
        #expect(subject.contains { $0.hasPrefix("SEARCH a USING INDEX sqlite_autoindex_assignment_1 (cycle_id=? AND subject_id=?)") },
                "\(subject)")
        #expect(!subject.contains { $0.hasPrefix("SCAN") || $0.contains("AUTOMATIC") }, "\(subject)")
    }

    @Test("pages of two rows give the whole cycle once, by reviewer NIP then subject NIP and role, whatever order the people were added in")
    func pagesInNIPOrder() throws {
        let db = try AppDatabase.inMemory()
        // People added latest NIP first, so person ids run against NIP order.
        let reviewers = ["196501012003011009", "196501012003011005", "196501012003011001"]
        let subjects = ["197001012003011008", "197001012003011002", "197001012003011005"]
        try db.writer.write { db in
            for (id, period) in [(1, "2025-Q1"), (2, "2025-Q2")] {
                try db.execute(sql: """
                    INSERT INTO cycle(id, period, kind, period_start, period_end, status, opened_at, opened_by, due_at,
                                      rekan_per_subject, rekan_cap, rekan_seed)
                    VALUES (?, ?, 'quarterly', '2025-01-01', '2025-03-31', 'open', '2025-04-01 01:00:00.000', 'test',
                            '2025-04-15 01:00:00.000', 3, 4, 0)
                    """, arguments: [id, period])
            }
            for reviewer in reviewers {
                for subject in subjects {
                    for (cycle, role) in [(1, "rekan"), (1, "bawahan"), (2, "rekan")] {
                        try AssignmentRows.insert(db, cycle: Int64(cycle), subject: subject, role: role, reviewer: reviewer,
                                                  subjectUnit: "U", reviewerUnit: "U", due: "2025-04-15 01:00:00.000")
                    }
                }
            }
        }
        let filter = AppDatabase.AssignmentFilter(cycle: .id(1), at: Self.at)
        var pages: [Page<AssignmentInfo>] = []
        var cursor: PageCursor?
        repeat {
            let page = try db.assignmentPage(filter, after: cursor, limit: 2)
            pages.append(page)
            cursor = page.next
        } while cursor != nil
        let rows = pages.flatMap(\.rows)
        #expect(pages.first?.total == 18)
        #expect(pages.dropFirst().allSatisfy { $0.total == nil })
        #expect(rows.count == 18 && Set(rows.map(\.id)).count == 18 && rows.allSatisfy { $0.cycle == "2025-Q1" })
        let keys = rows.map { [$0.reviewer.description, $0.subject.description, $0.role.rawValue] }
        #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) }, "\(keys)")
        #expect(rows.first?.reviewer.description == "196501012003011001")
        #expect(try db.assignments(AppDatabase.AssignmentFilter(cycle: .id(1), at: Self.at, limit: 100)).rows.map(\.id) == rows.map(\.id))
        // One reviewer's rows, paged the same way.
        var own: [AssignmentInfo] = []
        cursor = nil
        repeat {
            let page = try db.assignmentPage(.init(cycle: .id(1), reviewer: .init(reviewers[1])!, at: Self.at), after: cursor, limit: 4)
            own += page.rows
            cursor = page.next
        } while cursor != nil
        #expect(own.map(\.id) == rows.filter { $0.reviewer.description == reviewers[1] }.map(\.id))
    }
}
