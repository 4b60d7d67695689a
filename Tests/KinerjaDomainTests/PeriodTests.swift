import Foundation
import Testing
@testable import KinerjaDomain

@Suite("Calendar dates and periods")
struct PeriodTests {
    @Test func calendarDateArithmetic() {
        let d = CalendarDate(year: 2024, month: 2, day: 28)!
        #expect(d.adding(days: 1) == CalendarDate(year: 2024, month: 2, day: 29))
        #expect(d.adding(days: 2) == CalendarDate(year: 2024, month: 3, day: 1))
        #expect(CalendarDate(year: 1970, month: 1, day: 1)!.daysSinceEpoch == 0)
        #expect(CalendarDate(daysSinceEpoch: -1) == CalendarDate(year: 1969, month: 12, day: 31))
        #expect(CalendarDate(year: 2025, month: 1, day: 6)!.isoWeekday == 1)  // a Monday
        #expect(CalendarDate(year: 2025, month: 1, day: 5)!.isoWeekday == 7)
        #expect(CalendarDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CalendarDate(iso: "2024-02-29") == CalendarDate(year: 2024, month: 2, day: 29))
        #expect(CalendarDate(iso: "2024-2-29") == nil)
        // Round trip over a long range.
        for days in stride(from: -800_000, to: 3_000_000, by: 997) {
            #expect(CalendarDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
    }

    @Test func instantsInATimeZone() throws {
        let jakarta = try #require(TimeZone(identifier: "Asia/Jakarta"))
        let day = CalendarDate(year: 2025, month: 3, day: 1)!
        let start = day.startInstant(in: jakarta)
        #expect(start == Date(timeIntervalSince1970: Double(day.daysSinceEpoch) * 86_400 - 7 * 3600))
        #expect(CalendarDate(start, in: jakarta) == day)
        #expect(CalendarDate(start.addingTimeInterval(-1), in: jakarta) == day.adding(days: -1))
    }

    struct ParseCase: Sendable {
        let text: String
        let kind: PeriodKind
        let code: String
        let start: String
        let end: String
    }

    @Test(arguments: [
        ParseCase(text: "2025-03", kind: .monthly, code: "2025-03", start: "2025-03-01", end: "2025-03-31"),
        ParseCase(text: "2024-02", kind: .monthly, code: "2024-02", start: "2024-02-01", end: "2024-02-29"),
        ParseCase(text: "2023-02", kind: .monthly, code: "2023-02", start: "2023-02-01", end: "2023-02-28"),
        ParseCase(text: "2025-Q1", kind: .quarterly, code: "2025-Q1", start: "2025-01-01", end: "2025-03-31"),
        ParseCase(text: " 2025-q4 ", kind: .quarterly, code: "2025-Q4", start: "2025-10-01", end: "2025-12-31"),
        ParseCase(text: "2025-S1", kind: .semester, code: "2025-S1", start: "2025-01-01", end: "2025-06-30"),
        ParseCase(text: "2025-S2", kind: .semester, code: "2025-S2", start: "2025-07-01", end: "2025-12-31"),
        ParseCase(text: "2025", kind: .annual, code: "2025", start: "2025-01-01", end: "2025-12-31"),
    ])
    func parse(_ c: ParseCase) throws {
        let p = try Period(parsing: c.text)
        #expect(p.kind == c.kind)
        #expect(p.code == c.code)
        #expect(p.start.description == c.start)
        #expect(p.end.description == c.end)
        #expect(p.contains(p.start) && p.contains(p.end))
        #expect(!p.contains(p.end.adding(days: 1)) && !p.contains(p.start.adding(days: -1)))
    }

    @Test(arguments: [
        ("", PeriodError.empty),
        ("2025-13", .badIndex(kind: .monthly, index: 13)),
        ("2025-00", .badIndex(kind: .monthly, index: 0)),
        ("2025-Q5", .badIndex(kind: .quarterly, index: 5)),
        ("2025-Q0", .badIndex(kind: .quarterly, index: 0)),
        ("2025-S3", .badIndex(kind: .semester, index: 3)),
        ("1899", .badYear(1899)),
        ("2025-3", .badFormat("2025-3")),
        ("2025/03", .badFormat("2025/03")),
        ("25-03", .badFormat("25-03")),
        ("2025-H1", .badFormat("2025-H1")),
        ("2025-Q12", .badFormat("2025-Q12")),
    ])
    func parseErrors(_ text: String, _ expected: PeriodError) {
        #expect(throws: expected) { try Period(parsing: text) }
    }

    @Test func containingNextPrevious() throws {
        let d = CalendarDate(year: 2025, month: 8, day: 17)!
        #expect(Period.containing(d, kind: .monthly)?.code == "2025-08")
        #expect(Period.containing(d, kind: .quarterly)?.code == "2025-Q3")
        #expect(Period.containing(d, kind: .semester)?.code == "2025-S2")
        #expect(Period.containing(d, kind: .annual)?.code == "2025")
        #expect(try Period(parsing: "2025-12").next?.code == "2026-01")
        #expect(try Period(parsing: "2025-01").previous?.code == "2024-12")
        #expect(try Period(parsing: "2025-Q4").next?.code == "2026-Q1")
        #expect(try Period(parsing: "2025-Q1").previous?.code == "2024-Q4")
        #expect(try Period(parsing: "2025-S2").next?.code == "2026-S1")
        #expect(try Period(parsing: "2025").previous?.code == "2024")
        #expect(try Period(parsing: "1900").previous == nil)
        #expect(try Period(parsing: "9999-12").next == nil)
        // Periods of a kind tile the calendar: next starts the day after the end.
        var p = try Period(parsing: "2023-11")
        for _ in 0..<30 {
            let n = try #require(p.next)
            #expect(n.start == p.end.adding(days: 1))
            p = n
        }
    }

    @Test func codableAndOrder() throws {
        let periods = try ["2025", "2025-Q1", "2025-01", "2024-S2"].map { try Period(parsing: $0) }
        #expect(periods.sorted().map(\.code) == ["2024-S2", "2025-01", "2025-Q1", "2025"])
        let data = try JSONEncoder().encode(periods)
        #expect(try JSONDecoder().decode([Period].self, from: data) == periods)
    }

    @Test func timestamps() throws {
        let jakarta = try #require(TimeZone(identifier: "Asia/Jakarta"))
        let base = CalendarDate(year: 2025, month: 3, day: 14)!.daysSinceEpoch * 86_400
        let expected = Date(timeIntervalSince1970: Double(base + 9 * 3600 + 30 * 60 - 7 * 3600))
        #expect(Timestamp.parse("2025-03-14T09:30:00+07:00", defaultTimeZone: jakarta) == expected)
        #expect(Timestamp.parse("2025-03-14 09:30", defaultTimeZone: jakarta) == expected)
        #expect(Timestamp.parse("2025-03-14T02:30:00Z", defaultTimeZone: jakarta) == expected)
        #expect(Timestamp.parse("2025-03-14T09:30:00+0700", defaultTimeZone: jakarta) == expected)
        #expect(Timestamp.parse("2025-03-14T09:30:00.500+07", defaultTimeZone: jakarta) == expected.addingTimeInterval(0.5))
        for bad in ["2025-03-14T24:00", "2025-02-30T10:00", "14/03/2025 09:30", "2025-03-14T09:30+7", "2025-03-14T09:30Zx"] {
            #expect(Timestamp.parse(bad, defaultTimeZone: jakarta) == nil, "\(bad)")
        }
    }
}
