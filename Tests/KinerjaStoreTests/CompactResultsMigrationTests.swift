import Foundation
import GRDB
import KinerjaDemo
@testable import KinerjaDomain
@testable import KinerjaStore
import Testing

/// `v14-compact-results` rewrites the result and perilaku override tables of a database in use. A
/// database on the schema before it (migrated up to `v13-open-counts`, holding three closed quarters
/// with results, flags and follow-up tasks, perilaku overrides in a closed and in the open quarter) is
/// converted in place; every report and every employee's results read the same before and after, and
/// closing the open quarter afterwards gives the same results as closing it on the original.
@Suite("v14-compact-results: an old database's results converted in place read the same")
struct CompactResultsMigrationTests {
    static let closing = Timestamp.parse("2025-12-31T16:00", defaultTimeZone: CompactMigrationTests.jakarta)!

    /// `CompactMigrationTests.fill`, then an override on a subject of a closed quarter (it rewrites the
    /// result) and two on subjects of the open quarter (its close reads them).
    static func fill(_ db: AppDatabase) throws {
        try CompactMigrationTests.fill(db)
        let selves = try db.assignments(ReviewStoreFilter.all(at: CompactMigrationTests.now)).rows.filter { $0.role == .selfAssessment }
        let cycles = try db.cycles()
        let closed = try #require(cycles.first { $0.status == .closed }), open = try #require(cycles.first { $0.status == .open })
        let closedSubject = try #require(selves.first { $0.cycle == closed.period.code }).subject
        let openSubjects = selves.filter { $0.cycle == open.period.code }.prefix(2).map(\.subject)
        let at = CompactMigrationTests.now
        _ = try db.setPerilakuOverride(cycle: .id(closed.id), subject: closedSubject,
                                       override: try PerilakuOverride(rating: .diAtas, reason: "kinerja luar biasa"), by: "atasan", at: at)
        for (subject, rating) in zip(openSubjects, [Rating.diBawah, .diAtas]) {
            _ = try db.setPerilakuOverride(cycle: .id(open.id), subject: subject,
                                           override: try PerilakuOverride(rating: rating, reason: "catatan atasan"), by: "atasan", at: at)
        }
    }

    /// The reports, and every subject's results across cycles.
    static func reads(_ db: AppDatabase) throws -> (CompactMigrationTests.Reports, [[HistoryEntry]]) {
        let reports = try CompactMigrationTests.reports(db)
        let subjects = Set(reports.reviews.map(\.subject)).sorted()
        return (reports, try subjects.map { try db.history(of: $0) })
    }

    /// The open quarter closed (forced: most reviews are missing).
    static func closeOpen(_ db: AppDatabase) throws -> CloseCycleOutcome {
        let open = try #require(try db.cycles().first { $0.status == .open })
        return try db.closeCycle(.id(open.id), force: true, reason: "akhir triwulan", requiredRoles: [.atasan], policy: ResultPolicy(),
                                 at: closing, by: "test")
    }

    /// The same rows on the schema before v14: a file migrated up to `v13-open-counts`, every table
    /// copied from `source`, the results and overrides as they were stored then (`OldResultRows`).
    static func v13Copy(of source: String) throws -> String {
        // assignment_open_count is filled by its triggers as the assignments are copied; v12 wrote the
        // web's review source, which the copy brings back with the others.
        try CompactMigrationTests.copy(of: source, upTo: "v13-open-counts", except: ["assignment_open_count", "review_source"]) { db in
            try db.execute(sql: "INSERT INTO main.review_source(id, text) SELECT id, text FROM src.review_source WHERE id <> \(ReviewSource.web)")
        }
    }

    @Test("every report and every employee's results read the same after the conversion, and the open quarter closes the same")
    func readsUnchanged() throws {
        let source = CompactMigrationTests.temporaryPath("new.sqlite")
        let original = try AppDatabase.open(path: source)
        try Self.fill(original)
        let expected = try Self.reads(original)
        #expect(expected.0.cycleReports.contains { $0.units.contains { $0.results > 0 } })
        #expect(expected.1.joined().contains { $0.overrideRating == .diAtas && $0.predikat != nil })

        let old = try Self.v13Copy(of: source)
        let oldShape = try DatabaseQueue(path: old).read { db in
            (try String.fetchOne(db, sql: """
                SELECT typeof(subject_nip) || typeof(unit_code) || typeof(predikat)
                       || (SELECT typeof(subject_nip) || typeof(rating) || typeof(set_at) FROM perilaku_override LIMIT 1)
                FROM result WHERE predikat IS NOT NULL LIMIT 1
                """),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM result"), try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM perilaku_override"))
        }
        #expect(oldShape.0 == "texttexttexttexttexttext")
        #expect(oldShape.2 == 3)

        let migrated = try AppDatabase.open(path: old)
        #expect(try migrated.schemaVersion() == AppDatabase.currentSchemaVersion)
        let actual = try Self.reads(migrated)
        #expect(actual.0 == expected.0)
        #expect(actual.1 == expected.1)
        let counts = try migrated.writer.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM result"), try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM perilaku_override"),
             try String.fetchOne(db, sql: "SELECT typeof(subject_id) || typeof(unit_id) || typeof(predikat) FROM result WHERE predikat IS NOT NULL"))
        }
        #expect(counts.0 == oldShape.1 && counts.1 == oldShape.2)
        #expect(counts.2 == "integerintegerinteger")

        // The overrides of the open quarter came through: its close on the converted file gives what the original's gives.
        let closedAgain = try Self.closeOpen(migrated)
        let closedOriginal = try Self.closeOpen(original)
        #expect(closedAgain == closedOriginal)
        let after = try Self.reads(migrated), originalAfter = try Self.reads(original)
        #expect(after.0 == originalAfter.0)
        #expect(after.1 == originalAfter.1)
        #expect(after.1.joined().contains { $0.period.code == "2025-Q4" && $0.overrideRating == .diBawah })
    }

    @Test("the file is copied before the conversion; a rating the codes do not know fails it and leaves the file as it was")
    func backupFirstAndUntouchedOnFailure() throws {
        try CompactMigrationTests.backupFirstAndUntouchedOnFailure("v14-compact-results", fill: Self.fill, oldCopy: Self.v13Copy) { db in
            try db.execute(sql: "UPDATE result SET predikat = 'istimewa' WHERE rowid = (SELECT MIN(rowid) FROM result)")
        }
    }
}

/// Results and perilaku overrides copied from a database on today's schema into one on a schema
/// before v14, as they were stored then: NIPs and unit codes as text, ratings and predikat by name,
/// the override's time as GRDB's date text.
enum OldResultRows {
    /// The tables it copies, as a SQL list.
    static let tables = "'result', 'perilaku_override'"

    /// Copies `src`'s rows into `main`.
    static func copy(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO main.result(cycle_id, subject_nip, unit_code, self_mean, atasan_mean, rekan_mean, rekan_count, bawahan_mean,
                                    bawahan_count, weighted_mean, computed_rating, override_rating, override_reason, perilaku_rating,
                                    hasil_kerja, predikat)
            SELECT cycle_id, subject_nip, unit_code, self_mean, atasan_mean, rekan_mean, rekan_count, bawahan_mean,
                   bawahan_count, weighted_mean, computed_rating, override_rating, override_reason, perilaku_rating,
                   hasil_kerja, predikat
            FROM src.result_named;
            INSERT INTO main.perilaku_override(cycle_id, subject_nip, rating, reason, set_by, set_at)
            SELECT o.cycle_id, p.nip, \(RatingCode.nameSQL("o.rating")), o.reason, o.set_by,
                   strftime('%Y-%m-%d %H:%M:%f', o.set_at, 'unixepoch')
            FROM src.perilaku_override o JOIN src.person p ON p.id = o.subject_id;
            """)
    }
}
