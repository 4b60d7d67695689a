import Testing
@testable import KinerjaDomain

@Suite("Indonesian holidays 2026–2027")
struct IndonesianHolidaysTests {
    /// SKB 1497/2025, 2/2025, 5/2025 as published, with the weekday it names (1 = Monday … 7 = Sunday).
    static let skb2026National: [(String, Int)] = [
        ("2026-01-01", 4), ("2026-01-16", 5), ("2026-02-17", 2), ("2026-03-19", 4), ("2026-03-21", 6),
        ("2026-03-22", 7), ("2026-04-03", 5), ("2026-04-05", 7), ("2026-05-01", 5), ("2026-05-14", 4),
        ("2026-05-27", 3), ("2026-05-31", 7), ("2026-06-01", 1), ("2026-06-16", 2), ("2026-08-17", 1),
        ("2026-08-25", 2), ("2026-12-25", 5),
    ]
    static let skb2026CutiBersama: [(String, Int)] = [
        ("2026-02-16", 1), ("2026-03-18", 3), ("2026-03-20", 5), ("2026-03-23", 1), ("2026-03-24", 2),
        ("2026-05-15", 5), ("2026-05-28", 4), ("2026-12-24", 4),
    ]

    @Test func matches2026Decree() {
        let y2026 = IndonesianHolidays.all.filter { $0.date.year == 2026 }
        #expect(y2026.allSatisfy { $0.source == .skb })
        let national = y2026.filter { $0.kind == .national }
        let cuti = y2026.filter { $0.kind == .cutiBersama }
        #expect(national.map(\.date.description) == Self.skb2026National.map(\.0))
        #expect(cuti.map(\.date.description) == Self.skb2026CutiBersama.map(\.0))
        for (date, weekday) in Self.skb2026National + Self.skb2026CutiBersama {
            #expect(CalendarDate(iso: date)!.isoWeekday == weekday, "\(date)")
        }
    }

    /// Easter by the anonymous Gregorian computus.
    static func easter(_ year: Int) -> CalendarDate {
        let a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4
        let f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451
        return CalendarDate(year: year, month: (h + l - 7 * m + 114) / 31, day: (h + l - 7 * m + 114) % 31 + 1)!
    }

    @Test func christianDatesFollowEaster() {
        #expect(Self.easter(2026).description == "2026-04-05")
        for year in [2026, 2027] {
            let dates = Set(IndonesianHolidays.all.filter { $0.date.year == year }.map(\.date))
            let e = Self.easter(year)
            #expect(dates.contains(e.adding(days: -2)), "Wafat Yesus Kristus \(year)")
            #expect(dates.contains(e), "Paskah \(year)")
            #expect(dates.contains(e.adding(days: 39)), "Kenaikan Yesus Kristus \(year)")
        }
    }

    @Test func estimatesFor2027AreMarked() {
        let y2027 = IndonesianHolidays.all.filter { $0.date.year == 2027 }
        #expect(y2027.count == 17)
        #expect(y2027.allSatisfy { $0.source == .estimate && $0.kind == .national })
        for fixed in ["2027-01-01", "2027-05-01", "2027-06-01", "2027-08-17", "2027-12-25"] {
            #expect(y2027.contains { $0.date.description == fixed })
        }
    }

    @Test func datesAreUniqueAndSorted() {
        let dates = IndonesianHolidays.all.map(\.date)
        #expect(dates == dates.sorted())
        #expect(Set(dates).count == dates.count)
        #expect(IndonesianHolidays.dates.count == dates.count)
    }
}
