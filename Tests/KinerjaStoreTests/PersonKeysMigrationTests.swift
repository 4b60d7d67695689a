import Foundation
import GRDB
import KinerjaDemo
@testable import KinerjaDomain
@testable import KinerjaStore
import Testing

/// `v19-person-keys` rewrites the follow-up, assignment change and review link tables of a database in
/// use. A database on the schema before it (migrated up to `v18-employee-indexes`, holding three closed
/// quarters with flags and follow-up tasks, one held and one deleted with its flag, an open quarter an
/// employee import changed, and review links made, replaced, expired and revoked) is converted in
/// place; every read of those tables gives the same before and after, and the file checks clean.
@Suite("v19-person-keys: follow-ups, assignment changes and review links converted in place read the same")
struct PersonKeysMigrationTests {
    static let jakarta = CompactMigrationTests.jakarta
    static let imported = Timestamp.parse("2025-10-10T09:00", defaultTimeZone: jakarta)!
    static let linksMade = Timestamp.parse("2025-10-12T09:00", defaultTimeZone: jakarta)!
    static let readAt = Timestamp.parse("2025-10-20T09:00", defaultTimeZone: jakarta)!

    /// The review link tokens' hashes, in the order `fill` makes them.
    static let tokens = (1...6).map { Data(repeating: UInt8($0), count: 32) }

    /// `CompactMigrationTests.fill`, then: an employee import that moves one employee's atasan and
    /// lets another leave (the open quarter's assignments reassigned and cancelled, kept in
    /// `assignment_change`); review links for four reviewers of the open quarter (one replaced, one
    /// expired, one revoked, one a reminder's); one task held, and the last task deleted with its
    /// flag, so that the task ids' sequence is ahead of the largest id.
    static func fill(_ db: AppDatabase) throws {
        try CompactMigrationTests.fill(db)
        let loader = try DemoStoreLoader(DemoSpec(employees: 90, periods: 3, seed: 11, firstPeriod: try Period(parsing: "2025-Q1")))
        var employees = loader.generator.employees
        let byNIP = Dictionary(uniqueKeysWithValues: employees.map { ($0.nip, $0) })
        let supervisors = Set(employees.compactMap(\.supervisor))
        let moved = try #require(employees.firstIndex { e in e.supervisor.flatMap { byNIP[$0]?.supervisor } != nil })
        let newAtasan = byNIP[employees[moved].supervisor!]!.supervisor!
        employees[moved].supervisor = newAtasan
        let leaving = try #require(employees.firstIndex { e in
            e.supervisor != nil && !supervisors.contains(e.nip) && ![employees[moved].nip, newAtasan].contains(e.nip)
        })
        employees.remove(at: leaving)
        let file = try DemoStoreLoader.accumulate(DemoCSV.employees(employees), EmployeeImport.schema,
                                                  { try EmployeeSpool(columns: $0) }, { $0.add($1) })
        _ = try db.importEmployees(file, dryRun: false, now: imported, source: "test", options: EmployeeImportOptions(allowDeactivate: 1))

        let open = try #require(try db.cycles().first { $0.status == .open })
        let reviewers = Array(Set(try db.assignments(ReviewStoreFilter.all(at: readAt)).rows.filter { $0.cycle == open.period.code }
            .map(\.reviewer)).sorted().prefix(4))
        #expect(reviewers.count == 4)
        _ = try db.createReviewLink(reviewer: reviewers[0], cycle: nil, tokenHash: tokens[0], expiresAt: nil, now: linksMade, by: "admin")
        _ = try db.createReviewLink(reviewer: reviewers[0], cycle: nil, tokenHash: tokens[1], expiresAt: nil, now: linksMade, by: "admin")
        _ = try db.createReviewLink(reviewer: reviewers[1], cycle: .id(open.id), tokenHash: tokens[2],
                                    expiresAt: linksMade.addingTimeInterval(86_400), now: linksMade, by: "admin")
        _ = try db.createReviewLink(reviewer: reviewers[2], cycle: nil, tokenHash: tokens[3], expiresAt: nil, now: linksMade, by: "admin")
        _ = try db.revokeReviewLinks(reviewer: reviewers[2], cycle: nil, now: linksMade)
        _ = try db.addReminderLinks(reviewer: reviewers[3], tokens: [open.id: tokens[4]], expiresAt: readAt.addingTimeInterval(86_400),
                                    now: linksMade, by: "outbox 1")

        let tasks = try db.followupPage(FollowupFilter(), after: nil, limit: 1000).rows
        #expect(tasks.count > 2)
        let outcome = FollowupOutcome(heldOn: tasks[0].createdOn.adding(days: 2), action: .mentoring, note: "dialog", nextCheck: nil)
        _ = try db.recordFollowupOutcome(id: tasks[0].id, outcome, by: "rina", via: "admin", now: linksMade)
        try db.writer.write { d in
            try d.execute(sql: "DELETE FROM flag WHERE id = (SELECT flag_id FROM followup ORDER BY id DESC LIMIT 1)")
        }
    }

    /// Everything read from the converted tables, through the store's use cases.
    struct Reads: Equatable {
        var reports: CompactMigrationTests.Reports
        var flagDetails: [FlagDetail]
        var followupPages: [[FollowupRecord]]
        var followupShows: [[FollowupEvent]]
        var wantingTraining: [FollowupRecord]
        var changes: [[CycleChange]]
        var links: [ReviewLinkGrant?]
    }

    static func reads(_ db: AppDatabase) throws -> Reads {
        let reports = try CompactMigrationTests.reports(db)
        let tasks = reports.followups
        var pages: [[FollowupRecord]] = []
        for task in tasks.prefix(3) {
            var bySubject = FollowupFilter(), byAppraiser = FollowupFilter(), byUnit = FollowupFilter()
            bySubject.subject = task.subject
            byAppraiser.appraiser = task.appraiser
            byUnit.unit = task.unit?.lowercased()
            for filter in [bySubject, byAppraiser, byUnit] { pages.append(try db.followupPage(filter, after: nil, limit: 1000).rows) }
        }
        return Reads(
            reports: reports,
            flagDetails: try reports.flags.map { try db.flag(id: $0.id) },
            followupPages: pages,
            followupShows: try tasks.map { try #require(try db.followup(id: $0.id)).1 },
            wantingTraining: try db.followupsWantingTraining(),
            changes: try reports.cycles.map { try db.assignmentChanges(cycle: $0.id) },
            links: try tokens.map { try db.reviewLink(tokenHash: $0, now: readAt) })
    }

    /// The same rows on the schema before v19: a file migrated up to `v18-employee-indexes`, every
    /// table copied from `source`, the follow-up tasks, assignment changes and review links as they
    /// were stored then (`OldPersonKeyRows`), and the tasks' id sequence.
    static func v18Copy(of source: String) throws -> String {
        // The assignments' triggers fill assignment_open_count and assignment_reviewer as they are
        // copied; v12 wrote the web's review source.
        try CompactMigrationTests.copy(of: source, upTo: "v18-employee-indexes",
                                       except: ["assignment_open_count", "assignment_reviewer", "review_source"], oldResults: false) { db in
            try db.execute(sql: """
                INSERT INTO main.review_source(id, text) SELECT id, text FROM src.review_source WHERE id <> \(ReviewSource.web);
                UPDATE main.sqlite_sequence SET seq = (SELECT seq FROM src.sqlite_sequence WHERE name = 'followup') WHERE name = 'followup';
                """)
        }
    }

    /// The tables' row counts, the followup sequence and the stored types of the converted columns.
    static func shape(_ db: Database) throws -> [String] {
        try ["followup", "assignment_change", "review_link"].map { String(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? -1) }
            + [String(try Int.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'followup'") ?? -1)]
    }

    @Test("every read of follow-ups, assignment changes and review links is the same after the conversion, and the file checks clean")
    func readsUnchanged() throws {
        let source = CompactMigrationTests.temporaryPath("new.sqlite")
        let original = try AppDatabase.open(path: source)
        try Self.fill(original)
        let expected = try Self.reads(original)
        #expect(expected.changes.joined().contains { $0.event == "atasan_change" && $0.reassigned > 0 })
        #expect(expected.changes.joined().contains { $0.event == "left" && $0.cancelled > 0 })
        #expect(expected.links.compactMap { $0 }.count == 2, "the replaced, expired and revoked links open nothing")
        #expect(expected.reports.followups.contains { $0.outcome != nil } && expected.reports.followups.contains { $0.appraiser != nil })
        #expect(expected.followupPages.allSatisfy { !$0.isEmpty })

        let old = try Self.v18Copy(of: source)
        let (oldShape, oldTypes) = try DatabaseQueue(path: old).read { db in
            (try Self.shape(db), try String.fetchOne(db, sql: """
                SELECT (SELECT typeof(subject_nip) || typeof(appraiser_nip) FROM followup WHERE appraiser_nip IS NOT NULL LIMIT 1)
                    || (SELECT typeof(nip) || typeof(role) || typeof(changed_at) FROM assignment_change LIMIT 1)
                    || (SELECT typeof(reviewer_nip) FROM review_link LIMIT 1)
                """))
        }
        #expect(oldTypes == "texttexttexttexttexttext")
        let largestTask = try DatabaseQueue(path: old).read { db in try Int.fetchOne(db, sql: "SELECT MAX(id) FROM followup") ?? 0 }
        #expect(Int(oldShape[3])! > largestTask, "the deleted task's id is behind the sequence")

        let migrated = try AppDatabase.open(path: old)
        #expect(try migrated.schemaVersion() == AppDatabase.currentSchemaVersion)
        let actual = try Self.reads(migrated)
        #expect(actual.reports == expected.reports)
        #expect(actual.flagDetails == expected.flagDetails)
        #expect(actual.followupPages == expected.followupPages)
        #expect(actual.followupShows == expected.followupShows)
        #expect(actual.wantingTraining == expected.wantingTraining)
        #expect(actual.changes == expected.changes)
        #expect(actual.links == expected.links)
        let (newShape, newTypes, problems, integrity) = try migrated.writer.read { db in
            (try Self.shape(db), try String.fetchOne(db, sql: """
                SELECT (SELECT typeof(subject_id) || typeof(appraiser_id) FROM followup WHERE appraiser_id IS NOT NULL LIMIT 1)
                    || (SELECT typeof(employee_id) || typeof(role) || typeof(changed_at) FROM assignment_change LIMIT 1)
                    || (SELECT typeof(reviewer_id) FROM review_link LIMIT 1)
                """),
             try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count, try String.fetchAll(db, sql: "PRAGMA integrity_check"))
        }
        #expect(newShape == oldShape, "the same rows, and the task ids' sequence carried over")
        #expect(newTypes == "integerintegerintegerintegerintegerinteger")
        #expect(problems == 0 && integrity == ["ok"])

        // The converted file goes on like the original: a new link for a reviewer replaces theirs, and
        // a task id given before is not given again.
        let reviewer = try #require(expected.links[1]).reviewer
        for db in [migrated, original] {
            _ = try db.createReviewLink(reviewer: reviewer, cycle: nil, tokenHash: Data(repeating: 9, count: 32), expiresAt: nil,
                                        now: Self.readAt, by: "admin")
        }
        #expect(try migrated.reviewLink(tokenHash: Self.tokens[1], now: Self.readAt) == nil)
        #expect(try migrated.reviewLink(tokenHash: Data(repeating: 9, count: 32), now: Self.readAt)
                == original.reviewLink(tokenHash: Data(repeating: 9, count: 32), now: Self.readAt))
        let nextID = try migrated.writer.write { db -> Int64 in
            try db.execute(sql: """
                INSERT INTO followup(flag_id, subject_id, recommendation, status, created_at, created_on, due_date, updated_at)
                SELECT f.id, p.id, 'dialog_kinerja', 'open', '2025-10-20 00:00:00.000', '2025-10-20', '2025-11-03', '2025-10-20 00:00:00.000'
                FROM flag f JOIN person p ON p.nip = f.subject_nip WHERE f.id NOT IN (SELECT flag_id FROM followup) LIMIT 1
                """)
            #expect(db.changesCount == 1)
            return db.lastInsertedRowID
        }
        #expect(nextID == Int64(oldShape[3])! + 1)
    }

    @Test("the file is copied before the conversion; a role the codes do not know fails it and leaves the file as it was")
    func backupFirstAndUntouchedOnFailure() throws {
        try CompactMigrationTests.backupFirstAndUntouchedOnFailure("v19-person-keys", fill: Self.fill, oldCopy: Self.v18Copy) { db in
            try db.execute(sql: "UPDATE assignment_change SET role = 'kepala' WHERE id = (SELECT MIN(id) FROM assignment_change)")
            #expect(db.changesCount == 1)
        }
    }
}

/// The tables `v19-person-keys` converted, read from a database on today's schema as they were stored
/// before it: NIPs, unit codes and the role as text, the change's time as GRDB's date text.
enum OldPersonKeyRows {
    /// What `table`'s old columns are selected from: its `…_named` view for a converted table, else the table.
    static func source(_ table: String) -> String {
        switch table {
        case "followup", "review_link": "src.\(table)_named"
        case "assignment_change": """
            (SELECT id, cycle_id, nip, event, detail, subject_nip, role, reviewer_nip, new_reviewer_nip,
                    strftime('%Y-%m-%d %H:%M:%f', changed_at, 'unixepoch') AS changed_at FROM src.assignment_change_named)
            """
        default: "src.\"\(table)\""
        }
    }
}
