import Foundation
import GRDB
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// Loading past periods: each window is judged as it stood at its own period's end, a review that
/// was not due when its cycle closed counts for nobody, flags that only a partial history load raised
/// are retired, and the flag list shows by default only flags whose condition still holds.
@Suite("History judged as of its periods")
struct HistoryJudgementTests {
    static func nip(_ n: Int) -> NIP { NIP(String(format: "198001012005011%03d", n))! }
    static let today = CalendarDate(iso: "2026-12-05")!

    static func at(_ text: String) -> Date { Timestamp.parse(text, defaultTimeZone: TimeZone(identifier: "Asia/Jakarta")!)! }

    static func closedCycle(_ db: Database, _ id: Int, _ period: String, due: String, closed: String) throws {
        let p = try Period(parsing: period)
        try db.execute(sql: """
            INSERT INTO cycle(id, period, kind, period_start, period_end, status, opened_at, opened_by, due_at, closed_at,
                              rekan_per_subject, rekan_cap, rekan_seed)
            VALUES (?, ?, ?, ?, ?, 'closed', ?, 'test', ?, ?, 3, 4, 0)
            """, arguments: [id, p.code, p.kind.rawValue, p.start.description, p.end.description, at(due).addingTimeInterval(-14 * 86_400),
                             at(due), at(closed)])
    }

    static func lowResult(_ db: Database, cycle: Int, subject: Int) throws {
        try AssignmentRows.insertResult(db, cycle: cycle, subject: nip(subject).description, unit: "DLHK",
                                        ["rekan_count": 0, "bawahan_count": 0, "predikat": "kurang"])
    }

    static func training(_ db: Database, _ subject: Int, _ date: String) throws {
        try db.execute(sql: "INSERT INTO training(nip, course, course_key, date, hours, imported_at) VALUES (?, 'x', ?, ?, 8, ?)",
                       arguments: [nip(subject).description, date + "-\(subject)", date, at("2026-12-05T10:00")])
    }

    @Test("stalled_development for 2025-Q4 is judged at 2025-12-31 with the trainings up to then, not today")
    func stalledAsOfPeriodEnd() throws {
        let db = try AppDatabase.inMemory()
        try db.writer.write { d in
            try Self.closedCycle(d, 1, "2025-Q4", due: "2026-01-15T08:00", closed: "2026-01-22T08:00")
            // Subject 1: trained 2025-11-13, within 12 months of 2025-12-31 (but 13 months before today).
            try Self.lowResult(d, cycle: 1, subject: 1)
            try Self.training(d, 1, "2025-11-13")
            // Subject 2: last trained 2024-06-01 by the end of 2025-Q4; a training in 2026 came later.
            try Self.lowResult(d, cycle: 1, subject: 2)
            try Self.training(d, 2, "2024-06-01")
            try Self.training(d, 2, "2026-02-01")
        }
        let history = try db.motivationHistory(periods: 6)
        let findings = history.findings(thresholds: MotivationThresholds(), asOf: Self.today).filter { $0.rule == .stalledDevelopment }
        #expect(findings.map(\.subject) == [Self.nip(2)])
        let explanation = try #require(findings.first?.evidence.explanation)
        #expect(explanation.contains("in the 12 months up to 2025-12-31"), "\(explanation)")
        #expect(explanation.contains("last training: 2024-06-01, 18 months earlier"), "\(explanation)")
        #expect(history.lastTraining(upTo: CalendarDate(iso: "2025-12-31")!)[Self.nip(2)] == CalendarDate(iso: "2024-06-01"))
    }

    @Test("a self-assessment not yet due when its cycle closed (an early, forced close) is neither late nor missing")
    func notDueAtCloseCountsForNobody() throws {
        let db = try AppDatabase.inMemory()
        try db.writer.write { d in
            // Closed two weeks before the due date; subject 1's self-assessment open, subject 2's submitted.
            try Self.closedCycle(d, 1, "2026-Q3", due: "2026-10-15T08:00", closed: "2026-10-01T08:00")
            for subject in [1, 2] {
                try Self.lowResult(d, cycle: 1, subject: subject)
                try AssignmentRows.insert(d, cycle: 1, subject: Self.nip(subject).description, role: "self",
                                          reviewer: Self.nip(subject).description, subjectUnit: "DLHK", reviewerUnit: "DLHK",
                                          due: Self.at("2026-10-15T08:00"), submitted: subject == 2 ? Self.at("2026-09-30T08:00") : nil)
            }
        }
        let rows = try db.motivationHistory(periods: 6).kinds[0].subjectRows
        #expect(rows.first { $0.subject == Self.nip(1) }?.selfAssessment == nil)
        #expect(rows.first { $0.subject == Self.nip(2) }?.selfAssessment == .onTime)
        let entry = try #require(try db.history(of: Self.nip(1)).first)
        #expect(!entry.selfLate)
    }

    /// Flags raised on 2026-12-05 for windows ending in 2025-Q3 (see `FlagStoreTests.findings`).
    static let raised = at("2026-12-05T10:00")

    @Test("an open flag cleared by a later period that had closed before the flag was raised is retired; a real one stays")
    func historyLeftoversRetired() throws {
        let leftover = try AppDatabase.inMemory()
        _ = try leftover.applyFindings(FlagStoreTests.findings(), units: FlagStoreTests.units, at: Self.raised)
        try leftover.writer.write { d in
            // Loading history: 2025-Q4 closed (as its record says) in January 2026, long before the flags.
            try Self.closedCycle(d, 9, "2025-Q4", due: "2026-01-15T08:00", closed: "2026-01-22T08:00")
        }
        let run = try leftover.applyFindings([], units: [:], at: Self.raised.addingTimeInterval(600))
        #expect(run.retired == 3 && run.cleared == 0)
        let all = try leftover.flags(FlagFilter(statuses: Set(FlagStatus.allCases), includeCleared: true)).rows
        #expect(all.count == 3 && all.allSatisfy { $0.status == .dismissed && $0.conditionCleared })
        let events = try leftover.flag(id: all[0].id).events
        #expect(events.map(\.action) == ["created", "dismissed"] && events[1].actor == "motivation-analysis")
        #expect(events[1].note?.contains("2025-Q4") == true)

        // The same flags when 2025-Q4 closes after they were raised: cleared, still open for a person.
        let live = try AppDatabase.inMemory()
        _ = try live.applyFindings(FlagStoreTests.findings(), units: FlagStoreTests.units, at: Self.raised)
        try live.writer.write { d in try Self.closedCycle(d, 9, "2025-Q4", due: "2026-12-06T08:00", closed: "2026-12-08T08:00") }
        let later = try live.applyFindings([], units: [:], at: Self.at("2026-12-08T09:00"))
        #expect(later.retired == 0 && later.cleared == 3)
    }

    @Test("the flag list leaves out flags whose condition cleared unless asked, and says how many")
    func listHidesClearedByDefault() throws {
        let db = try AppDatabase.inMemory()
        let findings = FlagStoreTests.findings()
        _ = try db.applyFindings(findings, units: FlagStoreTests.units, at: Self.raised)
        // The next run finds only the first pattern: the other two clear.
        _ = try db.applyFindings([findings[0]], units: FlagStoreTests.units, at: Self.raised.addingTimeInterval(86_400))
        let shown = try db.flags(FlagFilter())
        #expect(shown.rows.map(\.rule) == [findings[0].rule] && shown.total == 1 && shown.hiddenCleared == 2)
        let all = try db.flags(FlagFilter(includeCleared: true))
        #expect(all.rows.count == 3 && all.total == 3 && all.hiddenCleared == 0)
    }
}
