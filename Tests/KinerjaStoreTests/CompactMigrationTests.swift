import Foundation
import GRDB
import KinerjaDemo
@testable import KinerjaDomain
@testable import KinerjaStore
import Testing

/// `v12-compact-rows` rewrites the assignment and review tables of a database in use. A database on the
/// schema before it (migrated up to `v11-status-index`, holding three closed quarters with results,
/// flags and follow-up tasks, an open quarter with reviews, reminders and their stage marks) is
/// converted in place, and every report reads the same before and after.
@Suite("v12-compact-rows: an old database converted in place reports the same")
struct CompactMigrationTests {
    static let jakarta = TimeZone(identifier: "Asia/Jakarta")!
    static let from = MailAddress(name: "BKPSDM Kota Bandung", email: "kinerjad@bandung.go.id")

    static func temporaryPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinerja-compact-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    /// Everything the reports show, read through the store's use cases.
    struct Reports: Equatable {
        var cycles: [CycleInfo] = []
        var details: [CycleDetail] = []
        var cycleReports: [CycleReportData] = []
        var withoutPredikat: [[WithoutPredikat]] = []
        var reviews: [AssignmentInfo] = []
        var overdue: [AssignmentInfo] = []
        var history: [[HistoryEntry]] = []
        var flags: [FlagRecord] = []
        var followups: [FollowupRecord] = []
        var followupEffects: [FollowupEffectRow] = []
        var status: StatusCounts?
        var reminders: ReminderPlan?
        var motivationRows: Int = 0
    }

    static let now = Timestamp.parse("2025-11-20T10:00", defaultTimeZone: jakarta)!

    static func reports(_ db: AppDatabase) throws -> Reports {
        var r = Reports()
        r.cycles = try db.cycles()
        for c in r.cycles {
            r.details.append(try db.cycleDetail(.id(c.id), at: now))
            r.cycleReports.append(try db.cycleReport(.id(c.id), unit: nil))
            r.withoutPredikat.append(try db.withoutPredikat(.id(c.id), unit: nil).employees)
        }
        r.reviews = try db.assignments(ReviewStoreFilter.all(at: now)).rows
        var overdue = ReviewStoreFilter.all(at: now)
        overdue.status = .overdue
        r.overdue = try db.assignments(overdue).rows
        for subject in Set(r.reviews.map(\.subject)).sorted().prefix(25) { r.history.append(try db.history(of: subject)) }
        r.flags = try db.flags(FlagFilter(statuses: Set(FlagStatus.allCases), limit: 100_000)).rows
        r.followups = try db.followupPage(FollowupFilter(), after: nil, limit: 100_000).rows
        r.followupEffects = try db.followupEffectRows(since: nil)
        r.status = try db.statusCounts(now: now, since: now.addingTimeInterval(-86_400))
        r.reminders = try db.previewReminders(planner, now: now)
        let history = try db.motivationHistory(periods: 6)
        r.motivationRows = history.kinds.map { $0.subjectRows.count + $0.reviewerRows.count }.reduce(0, +)
        return r
    }

    static let planner = ReminderPlanner(policy: ReminderPolicy(
        escalation: EscalationPolicy(ccAtasanFrom: 1, ccUnitHeadFrom: 2), workingHours: WorkingHours(timeZone: jakarta), holidays: []))

    /// Three quarters loaded and closed, the analysis and follow-up tasks run, the fourth quarter open
    /// with a third of its reviews in (through the web) and a reminder sweep written.
    static func fill(_ db: AppDatabase) throws {
        let loader = try DemoStoreLoader(DemoSpec(employees: 90, periods: 3, seed: 11, firstPeriod: try Period(parsing: "2025-Q1")))
        try loader.load(into: db)
        let asOf = Timestamp.parse("2025-10-05T10:00", defaultTimeZone: jakarta)!
        let history = try db.motivationHistory(periods: 6)
        _ = try db.applyFindings(history.findings(thresholds: MotivationThresholds(), asOf: CalendarDate(asOf, in: jakarta)),
                                 units: history.units, at: asOf)
        _ = try db.createFollowups(FollowupPolicy(), today: CalendarDate(asOf, in: jakarta), now: asOf)
        let opened = Timestamp.parse("2025-10-01T08:00", defaultTimeZone: jakarta)!
        _ = try db.openCycle(period: try Period(parsing: "2025-Q4"), openedAt: opened, policy: loader.generator.spec.assignmentPolicy,
                             by: "test")
        let open = try db.assignments(ReviewStoreFilter.all(at: now)).rows.filter { $0.cycle == "2025-Q4" }
        let submissions = open.enumerated().filter { $0.offset % 3 == 0 }.map { i, a in
            ReviewSubmission(line: i + 2, reference: AssignmentReference(id: a.id),
                             review: Review(scores: try! BerAKHLAKScores([4, 4, 3, 4, 5, 4, 4]), comment: "baik",
                                            hasilKerja: a.role == .atasan ? .sesuai : nil),
                             submittedAt: opened.addingTimeInterval(Double(i) * 3_600 + 0.25))
        }
        _ = try db.submitReviews(submissions, cycle: nil, now: now.addingTimeInterval(-86_400), dryRun: false, source: "web")
        _ = try db.sweepReminders(planner, from: from, now: now.addingTimeInterval(-2 * 86_400))
    }

    /// The same rows on the schema before v12: a file migrated up to `v11-status-index`, every table
    /// copied from `source`, the assignments and reviews as they were stored then (NIPs, unit codes,
    /// the role and the review's source as text, times as GRDB's date text), and the results and
    /// overrides likewise (`OldResultRows`).
    static func oldSchemaCopy(of source: String) throws -> String {
        try copy(of: source, upTo: "v11-status-index", except: ["assignment", "review"]) { db in
            try db.execute(sql: """
                INSERT INTO main.assignment(id, cycle_id, subject_nip, role, reviewer_nip, subject_unit, reviewer_unit, due_at,
                                            submitted_at, atasan_source)
                SELECT id, cycle_id, subject_nip, role, reviewer_nip, subject_unit, reviewer_unit,
                       strftime('%Y-%m-%d %H:%M:%f', due_at, 'unixepoch'), strftime('%Y-%m-%d %H:%M:%f', submitted_at, 'unixepoch'),
                       atasan_source
                FROM src.assignment_named
                """)
            let scores = BerAKHLAKColumns.list
            try db.execute(sql: """
                INSERT INTO main.review(assignment_id, \(scores), comment, hasil_kerja, submitted_at, recorded_at, revised_at, source)
                SELECT v.assignment_id, \(scores), v.comment, v.hasil_kerja, strftime('%Y-%m-%d %H:%M:%f', v.submitted_at, 'unixepoch'),
                       strftime('%Y-%m-%d %H:%M:%f', v.recorded_at, 'unixepoch'), strftime('%Y-%m-%d %H:%M:%f', v.revised_at, 'unixepoch'),
                       s.text
                FROM src.review v JOIN src.review_source s ON s.id = v.source_id
                """)
        }
    }

    /// A new file migrated up to `migration`, with every table of that schema but `excluded` (and,
    /// with `oldResults`, `result` and `perilaku_override`, copied as `OldResultRows` does) copied
    /// column by column from `source` (those `v19-person-keys` converted as `OldPersonKeyRows` reads them), then `rest` run with `source` attached as `src`; in one transaction.
    static func copy(of source: String, upTo migration: String, except excluded: [String], oldResults: Bool = true,
                     rest: (Database) throws -> Void = { _ in }) throws -> String {
        let path = temporaryPath("old.sqlite")
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(queue, upTo: migration)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS src", arguments: [source])
            try db.inTransaction {
                try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
                let skipped = (["grdb_migrations"] + excluded).map { "'\($0)'" }.joined(separator: ", ")
                let tables = try String.fetchAll(db, sql: """
                    SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                      AND name NOT IN (\(skipped)\(oldResults ? ", " + OldResultRows.tables : ""))
                    """)
                for table in tables {
                    let columns = try db.columns(in: table, in: "main").map { "\"\($0.name)\"" }.joined(separator: ", ")
                    // A message's body is in outbox_text since v22-outbox-text-retention.
                    let source = table == "outbox"
                        ? "(SELECT o.*, COALESCE((SELECT t.body FROM src.outbox_text t WHERE t.outbox_id = o.id), '') AS body FROM src.outbox o)"
                        : OldPersonKeyRows.source(table)
                    try db.execute(sql: "INSERT INTO main.\"\(table)\"(\(columns)) SELECT \(columns) FROM \(source)")
                }
                try rest(db)
                if oldResults { try OldResultRows.copy(db) }
                return .commit
            }
            try db.execute(sql: "DETACH DATABASE src")
        }
        try queue.close()
        return path
    }

    @Test("every report of an old-schema database reads the same after the conversion")
    func reportsUnchanged() throws {
        let source = Self.temporaryPath("new.sqlite")
        let expected: Reports
        do {
            let db = try AppDatabase.open(path: source)
            try Self.fill(db)
            expected = try Self.reports(db)
        }
        #expect(expected.cycles.count == 4 && expected.flags.count > 0 && expected.followups.count > 0)
        #expect(expected.overdue.count > 0 && (expected.reminders?.messages.count ?? 0) > 0)
        #expect((expected.status?.webReviewsToday ?? 0) > 0)
        #expect(expected.reviews.contains { $0.submittedAt != nil && $0.cycle == "2025-Q4" })

        let old = try Self.oldSchemaCopy(of: source)
        let oldAssignments = try DatabaseQueue(path: old).read { db in
            (try String.fetchOne(db, sql: """
                SELECT typeof(subject_nip) || typeof(due_at) || (SELECT typeof(recorded_at) || typeof(source) FROM review LIMIT 1)
                FROM assignment LIMIT 1
                """),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM assignment"))
        }
        #expect(oldAssignments.0 == "texttexttexttext")

        let migrated = try AppDatabase.open(path: old)
        #expect(try migrated.schemaVersion() == AppDatabase.currentSchemaVersion)
        let actual = try Self.reports(migrated)
        #expect(actual.cycles == expected.cycles)
        #expect(actual.details == expected.details)
        #expect(actual.cycleReports == expected.cycleReports)
        #expect(actual.withoutPredikat == expected.withoutPredikat)
        #expect(actual.reviews == expected.reviews)
        #expect(actual.overdue == expected.overdue)
        #expect(actual.history == expected.history)
        #expect(actual.flags == expected.flags)
        #expect(actual.followups == expected.followups)
        #expect(actual.followupEffects == expected.followupEffects)
        #expect(actual.status == expected.status)
        #expect(actual.reminders == expected.reminders)
        #expect(actual.motivationRows == expected.motivationRows)
        let count = try migrated.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM assignment") }
        #expect(count == oldAssignments.1)
        // The database stays usable: a sweep of the converted file writes what the original would.
        let again = try migrated.sweepReminders(Self.planner, from: Self.from, now: Self.now)
        let original = try AppDatabase.open(path: source).sweepReminders(Self.planner, from: Self.from, now: Self.now)
        #expect(again.summary == original.summary)
    }
}

extension CompactMigrationTests {
    /// The schema and the migrations applied, read without migrating.
    static func contents(_ path: String) throws -> [String] {
        try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
                + String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
                + [String(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM assignment") ?? -1)]
        }
    }

    /// A rewriting migration's backup and failure: a database filled by `fill` on today's schema,
    /// copied to the schema before `migration` (`oldCopy`), is copied to the backup file before
    /// `migration` converts it; a copy `breaking` spoils fails the conversion and keeps its schema and rows.
    static func backupFirstAndUntouchedOnFailure(_ migration: String, fill: (AppDatabase) throws -> Void,
                                                 oldCopy: (String) throws -> String, breaking: (Database) throws -> Void) throws {
        let source = temporaryPath("new.sqlite")
        try fill(try AppDatabase.open(path: source))
        let directory = (temporaryPath("x") as NSString).deletingLastPathComponent + "/backups"
        let name = { (migration: String) in "\(directory)/kinerja-before-\(migration).sqlite" }

        let old = try oldCopy(source)
        let before = try contents(old)
        let migrated = try AppDatabase.open(path: old, backupBeforeRewrite: name)
        #expect(migrated.migrationBackup == name(migration))
        #expect(try contents(name(migration)) == before)
        #expect(try contents(old) != before)

        let broken = try oldCopy(source)
        try DatabaseQueue(path: broken).write(breaking)
        let brokenBefore = try contents(broken)
        #expect(throws: (any Error).self) { _ = try AppDatabase.open(path: broken) }
        #expect(try contents(broken) == brokenBefore)
    }

    @Test("the file is copied before the conversion (not when the database is new); a failed conversion leaves it as it was")
    func backupFirstAndUntouchedOnFailure() throws {
        let source = Self.temporaryPath("new.sqlite")
        do {
            let db = try AppDatabase.open(path: source)
            let loader = try DemoStoreLoader(DemoSpec(employees: 40, periods: 1, seed: 5, firstPeriod: try Period(parsing: "2025-Q1")))
            try loader.load(into: db)
        }
        let directory = (Self.temporaryPath("x") as NSString).deletingLastPathComponent + "/backups"
        let name = { (migration: String) in "\(directory)/kinerja-before-\(migration).sqlite" }

        // A new database has nothing to keep.
        #expect(try AppDatabase.open(path: Self.temporaryPath("fresh.sqlite"), backupBeforeRewrite: name).migrationBackup == nil)

        let old = try Self.oldSchemaCopy(of: source)
        let before = try Self.contents(old)
        let migrated = try AppDatabase.open(path: old, backupBeforeRewrite: name)
        let file = try #require(migrated.migrationBackup)
        #expect(file == name("v12-compact-rows"))
        #expect(try Self.contents(file) == before, "the backup is the file as it was before the conversion")
        #expect(try Self.contents(old) != before)

        // A database the conversion cannot check (a review without its assignment, written with the
        // foreign keys off) fails it: the file keeps its old schema and rows.
        let broken = try Self.oldSchemaCopy(of: source)
        try DatabaseQueue(path: broken).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: """
                INSERT INTO review(assignment_id, berorientasi_pelayanan, akuntabel, kompeten, harmonis, loyal, adaptif, kolaboratif,
                                   submitted_at, recorded_at, source)
                VALUES (999999, 3, 3, 3, 3, 3, 3, 3, '2025-04-01 00:00:00.000', '2025-04-01 00:00:00.000', 'test')
                """)
        }
        let brokenBefore = try Self.contents(broken)
        #expect(throws: (any Error).self) { _ = try AppDatabase.open(path: broken) }
        #expect(try Self.contents(broken) == brokenBefore)
    }
}

/// A filter listing every assignment of every cycle.
enum ReviewStoreFilter {
    static func all(at now: Date) -> AppDatabase.AssignmentFilter {
        AppDatabase.AssignmentFilter(at: now, limit: 1_000_000)
    }
}
