import Foundation
import GRDB
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// The set-based loader of the motivation analysis against rows written directly: which cycles are
/// read, the self-assessment's timing, the anonymous aggregates, the reviewer counts, training.
@Suite("Motivation history loader")
struct MotivationHistoryTests {
    static func nip(_ n: Int) -> NIP { NIP(String(format: "198001012005011%03d", n))! }
    static let due = Date(timeIntervalSince1970: 1_750_000_000)

    func cycle(_ db: Database, _ id: Int, _ period: String, closed: Bool) throws {
        let p = try Period(parsing: period)
        try db.execute(sql: """
            INSERT INTO cycle(id, period, kind, period_start, period_end, status, opened_at, opened_by, due_at,
                              rekan_per_subject, rekan_cap, rekan_seed)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'test', ?, 3, 4, 0)
            """, arguments: [id, p.code, p.kind.rawValue, p.start.description, p.end.description, closed ? "closed" : "open",
                             Self.due, Self.due])
    }

    @discardableResult
    func assignment(_ db: Database, cycle: Int, subject: Int, role: String, reviewer: Int, unit: String = "DLHK",
                    reviewerUnit: String = "DLHK", submitted: Date?) throws -> Int64 {
        try AssignmentRows.insert(db, cycle: Int64(cycle), subject: Self.nip(subject).description, role: role,
                                  reviewer: Self.nip(reviewer).description, subjectUnit: unit, reviewerUnit: reviewerUnit,
                                  due: Self.due, submitted: submitted)
    }

    func review(_ db: Database, _ assignment: Int64, _ scores: [Int], comment: String?) throws {
        try AssignmentRows.insertReview(db, assignment: assignment, scores: scores, comment: comment, at: Self.due, source: "test")
    }

    func result(_ db: Database, cycle: Int, subject: Int, unit: String, predikat: String?, weighted: Double?, own: Double?,
                atasan: Double?, rekan: (Double?, Int), bawahan: (Double?, Int)) throws {
        try AssignmentRows.insertResult(db, cycle: cycle, subject: Self.nip(subject).description, unit: unit, [
            "self_mean": own, "atasan_mean": atasan, "rekan_mean": rekan.0, "rekan_count": rekan.1, "bawahan_mean": bawahan.0,
            "bawahan_count": bawahan.1, "weighted_mean": weighted, "predikat": predikat])
    }

    func database() throws -> AppDatabase {
        let db = try AppDatabase.inMemory()
        try db.writer.write { d in
            try cycle(d, 1, "2025-Q1", closed: true)
            try cycle(d, 2, "2025-Q2", closed: true)
            try cycle(d, 3, "2025-Q3", closed: false)
            try cycle(d, 4, "2025", closed: true)
            // Subject 1: Q1 self two hours late, Q2 self missing; moved from DLHK to BKPSDM in Q2.
            try assignment(d, cycle: 1, subject: 1, role: "self", reviewer: 1, submitted: Self.due.addingTimeInterval(7200))
            try result(d, cycle: 1, subject: 1, unit: "DLHK", predikat: "baik", weighted: 4.0, own: 4.5, atasan: 3.5,
                       rekan: (4.1, 3), bawahan: (nil, 2))
            try assignment(d, cycle: 2, subject: 1, role: "self", reviewer: 1, unit: "BKPSDM", submitted: nil)
            try result(d, cycle: 2, subject: 1, unit: "BKPSDM", predikat: "butuh_perbaikan", weighted: 3.2, own: nil, atasan: 3.0,
                       rekan: (nil, 1), bawahan: (3.9, 4))
            // Subject 2: no self-assessment assigned in Q1, on time in Q2; 3 days late in the annual cycle.
            try result(d, cycle: 1, subject: 2, unit: "DLHK", predikat: nil, weighted: nil, own: nil, atasan: nil,
                       rekan: (nil, 0), bawahan: (nil, 0))
            try assignment(d, cycle: 2, subject: 2, role: "self", reviewer: 2, submitted: Self.due.addingTimeInterval(-86_400))
            try result(d, cycle: 2, subject: 2, unit: "DLHK", predikat: "baik", weighted: 4.2, own: 4.2, atasan: 4.2,
                       rekan: (4.2, 3), bawahan: (nil, 0))
            try assignment(d, cycle: 4, subject: 2, role: "self", reviewer: 2, submitted: Self.due.addingTimeInterval(3 * 86_400))
            try result(d, cycle: 4, subject: 2, unit: "DLHK", predikat: "baik", weighted: 4.1, own: 4.0, atasan: 4.0,
                       rekan: (nil, 0), bawahan: (nil, 0))
            // Reviewer 5 in Q2: three peer reviews (two uniform, one with a comment, one with an empty one),
            // a self review (not counted) and an open assignment (not counted).
            try review(d, try assignment(d, cycle: 2, subject: 1, role: "rekan", reviewer: 5, reviewerUnit: "DISHUB", submitted: Self.due),
                       [4, 4, 4, 4, 4, 4, 4], comment: nil)
            try review(d, try assignment(d, cycle: 2, subject: 2, role: "rekan", reviewer: 5, reviewerUnit: "DISHUB", submitted: Self.due),
                       [3, 3, 3, 3, 3, 3, 3], comment: "")
            try review(d, try assignment(d, cycle: 2, subject: 3, role: "rekan", reviewer: 5, reviewerUnit: "DISHUB", submitted: Self.due),
                       [4, 4, 5, 4, 4, 4, 4], comment: "Kerja sama tim baik")
            try review(d, try assignment(d, cycle: 2, subject: 5, role: "self", reviewer: 5, reviewerUnit: "DISHUB", submitted: Self.due),
                       [5, 5, 5, 5, 5, 5, 5], comment: nil)
            try assignment(d, cycle: 2, subject: 4, role: "rekan", reviewer: 5, reviewerUnit: "DISHUB", submitted: nil)
            // Reviews in the open cycle are not read.
            try review(d, try assignment(d, cycle: 3, subject: 1, role: "rekan", reviewer: 5, reviewerUnit: "DISHUB", submitted: Self.due),
                       [4, 4, 4, 4, 4, 4, 4], comment: nil)
            for (n, date) in [(1, "2024-05-01"), (1, "2025-03-01"), (2, "2023-01-10")] {
                try d.execute(sql: "INSERT INTO training(nip, course, course_key, date, hours, imported_at) VALUES (?, 'x', ?, ?, 8, ?)",
                              arguments: [Self.nip(n).description, date, date, Self.due])
            }
        }
        return db
    }

    /// Thresholds under which the small data set shows more rules (findings in both kinds).
    static var sensitive: MotivationThresholds {
        var t = MotivationThresholds()
        t.decliningTrend = DecliningTrendThresholds(periods: 1, minimumFall: 0.01)
        t.disengaged = DisengagedThresholds(window: 1, minimumPeriods: 1)
        t.stalledDevelopment = StalledDevelopmentThresholds(predikatAtMost: .sangatBaik, trainingMonths: 1)
        t.perfunctoryReviewer.minimumReviews = 1
        t.perfunctoryReviewer.window = 1
        return t
    }

    @Test("read one person at a time, quarterly and annual kinds together: the findings and units of the whole history")
    func streamedFindings() throws {
        let db = try database()
        for periods in [1, 8] {
            for asOf in [CalendarDate(year: 2025, month: 7, day: 1)!, CalendarDate(year: 2026, month: 3, day: 1)!] {
                for thresholds in [MotivationThresholds(), Self.sensitive] {
                    let history = try db.motivationHistory(periods: periods)
                    let findings = history.findings(thresholds: thresholds, asOf: asOf)
                    let run = try db.motivationFindings(periods: periods, thresholds: thresholds, asOf: asOf)
                    #expect(run.findings == findings)
                    #expect(run.units == history.units.filter { nip, _ in findings.contains { $0.subject == nip } })
                    #expect(run.kinds.map(\.closedPeriods) == history.kinds.map(\.closedPeriods))
                    #expect(run.kinds.map(\.subjects) == history.kinds.map { Set($0.subjectRows.map(\.subject)).count })
                }
            }
        }
    }

    @Test("closed cycles only, each period kind apart, the last N of each")
    func cyclesByKind() throws {
        let history = try database().motivationHistory(periods: 8)
        #expect(history.kinds.map(\.kind) == [.quarterly, .annual])
        #expect(history.kinds[0].closedPeriods.map(\.code) == ["2025-Q1", "2025-Q2"])
        #expect(history.kinds[1].closedPeriods.map(\.code) == ["2025"])
        #expect(history.kinds[0].subjectRows.count == 4 && history.kinds[1].subjectRows.count == 1)
        let last = try database().motivationHistory(periods: 1)
        #expect(last.kinds[0].closedPeriods.map(\.code) == ["2025-Q2"])
        #expect(last.kinds[0].subjectRows.allSatisfy { $0.period.code == "2025-Q2" })
    }

    @Test("subject rows: results, the self-assessment's timing, aggregates only above the results' minimum")
    func subjectRows() throws {
        let history = try database().motivationHistory(periods: 8)
        func row(_ n: Int, _ period: String, kind: Int = 0) -> SubjectPeriodRecord? {
            history.kinds[kind].subjectRows.first { $0.subject == Self.nip(n) && $0.period.code == period }
        }
        let s1q1 = try #require(row(1, "2025-Q1"))
        #expect(s1q1.selfAssessment == .late(days: 1) && s1q1.predikat == .baik && s1q1.perilakuMean == 4.0)
        #expect(s1q1.selfMean == 4.5 && s1q1.atasanMean == 3.5)
        #expect(s1q1.rekan == AnonymousAggregate(mean: 4.1, reviewerCount: 3) && s1q1.bawahan == nil)
        let s1q2 = try #require(row(1, "2025-Q2"))
        #expect(s1q2.selfAssessment == .missing && s1q2.predikat == .butuhPerbaikan && s1q2.selfMean == nil)
        #expect(s1q2.rekan == nil && s1q2.bawahan == AnonymousAggregate(mean: 3.9, reviewerCount: 4))
        #expect(row(2, "2025-Q1")?.selfAssessment == nil && row(2, "2025-Q1")?.predikat == nil)
        #expect(row(2, "2025-Q2")?.selfAssessment == .onTime)
        #expect(row(2, "2025", kind: 1)?.selfAssessment == .late(days: 3))
    }

    @Test("reviewer rows: counts only (reviews, uniform, commented), self reviews and open assignments left out")
    func reviewerRows() throws {
        let history = try database().motivationHistory(periods: 8)
        #expect(history.kinds[0].reviewerRows == [
            ReviewerPeriodActivity(reviewer: Self.nip(5), period: try Period(parsing: "2025-Q2"), reviews: 3, uniformReviews: 2,
                                   commentedReviews: 1),
        ])
        #expect(history.kinds[1].reviewerRows.isEmpty)
    }

    @Test("latest training per employee; each employee's unit from the latest period read")
    func trainingAndUnits() throws {
        let history = try database().motivationHistory(periods: 8)
        #expect(history.lastTraining == [Self.nip(1): CalendarDate(iso: "2025-03-01")!, Self.nip(2): CalendarDate(iso: "2023-01-10")!])
        #expect(history.units[Self.nip(1)] == "BKPSDM" && history.units[Self.nip(2)] == "DLHK" && history.units[Self.nip(5)] == "DISHUB")
    }

    @Test("an empty database reads nothing and finds nothing")
    func empty() throws {
        let history = try AppDatabase.inMemory().motivationHistory(periods: 8)
        #expect(history.kinds.isEmpty && history.lastTraining.isEmpty)
        #expect(history.findings(thresholds: MotivationThresholds(), asOf: CalendarDate(iso: "2026-01-01")!).isEmpty)
    }
}
