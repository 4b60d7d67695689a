import Foundation
import Testing

@testable import KinerjaSchedule

@Suite("Timestamps")
struct TimestampTests {
    static let database = ZoneInfoDatabase.system
    /// 2012-11-23 18:15:22 in Asia/Shanghai, the "now" of the systemd.time(7) examples.
    static let manPageNow = SystemdTimestamp(microseconds: 1_353_665_722 * 1_000_000)

    static func zone(_ name: String) throws -> ZoneInfo { try database.zone(named: name) }

    /// The examples of systemd.time(7), "PARSING TIMESTAMPS" (TZ=Asia/Shanghai).
    static let manPageExamples: [(String, String)] = [
        ("Fri 2012-11-23 11:12:13", "Fri 2012-11-23 11:12:13"),
        ("2012-11-23 11:12:13", "Fri 2012-11-23 11:12:13"),
        ("2012-11-23 11:12:13 UTC", "Fri 2012-11-23 19:12:13"),
        ("2012-11-23", "Fri 2012-11-23 00:00:00"),
        ("12-11-23", "Fri 2012-11-23 00:00:00"),
        ("11:12:13", "Fri 2012-11-23 11:12:13"),
        ("11:12", "Fri 2012-11-23 11:12:00"),
        ("now", "Fri 2012-11-23 18:15:22"),
        ("today", "Fri 2012-11-23 00:00:00"),
        ("today UTC", "Fri 2012-11-23 08:00:00"),
        ("yesterday", "Thu 2012-11-22 00:00:00"),
        ("tomorrow", "Sat 2012-11-24 00:00:00"),
        ("tomorrow Pacific/Auckland", "Fri 2012-11-23 19:00:00"),
        ("+3h30min", "Fri 2012-11-23 21:45:22"),
        ("-5s", "Fri 2012-11-23 18:15:17"),
        ("11min ago", "Fri 2012-11-23 18:04:22"),
        ("@1395716396", "Tue 2014-03-25 10:59:56"),
    ]

    // The man page prints some of these with mistakes (yesterday as Friday, "today UTC" at 16:00,
    // Auckland on Thursday, @1395716396 in UTC); the values here are what systemd 252 computes.
    @Test("systemd.time(7) timestamp examples", arguments: manPageExamples)
    func manPage(text: String, expected: String) throws {
        let shanghai = try Self.zone("Asia/Shanghai")
        let parsed = try SystemdTimestamp.parse(text, now: Self.manPageNow, localZone: shanghai)
        #expect(parsed.formatted(in: shanghai) == expected + " CST")
    }

    @Test("ISO 8601 with an offset")
    func iso8601() throws {
        let utc = ZoneInfo.utc
        let expected = SystemdTimestamp(microseconds: 1_795_914_000 * 1_000_000)  // 2026-11-29 01:00:00 UTC
        #expect(try SystemdTimestamp.parse("2026-11-29T08:00:00+07:00", now: Self.manPageNow, localZone: utc) == expected)
        #expect(try SystemdTimestamp.parse("2026-11-29T01:00:00Z", now: Self.manPageNow, localZone: utc) == expected)
        #expect(try SystemdTimestamp.parse("2026-11-29T08:00+0700", now: Self.manPageNow, localZone: utc) == expected)
        #expect(try SystemdTimestamp.parse("2026-11-28T20:00:00.250-05", now: Self.manPageNow, localZone: utc)
            == SystemdTimestamp(microseconds: expected.microseconds + 250_000))
        #expect(throws: TimestampError.self) { try SystemdTimestamp.parse("2026-11-29T08:00:00", now: Self.manPageNow, localZone: utc) }
        #expect(throws: TimestampError.self) { try SystemdTimestamp.parse("2026-02-30T08:00:00Z", now: Self.manPageNow, localZone: utc) }
        #expect(throws: TimestampError.self) {
            try SystemdTimestamp.parse("2026-11-29T08:00:00Z", now: Self.manPageNow, localZone: utc, iso8601: false)
        }
    }

    @Test("DST gaps and repeated hours resolve as glibc mktime does for systemd")
    func daylightSaving() throws {
        let berlin = try Self.zone("Europe/Berlin")
        // 02:30 does not exist on 2024-03-31: systemd gives 03:30 CEST.
        #expect(try SystemdTimestamp.parse("2024-03-31 02:30:00", now: Self.manPageNow, localZone: berlin).microseconds
            == 1_711_848_600 * 1_000_000)
        // 02:30 happens twice on 2024-10-27: systemd gives the second (CET) one.
        #expect(try SystemdTimestamp.parse("2024-10-27 02:30", now: Self.manPageNow, localZone: berlin).microseconds
            == 1_729_992_600 * 1_000_000)
        // A local abbreviation picks the flag: 02:30 CEST is the first one.
        #expect(try SystemdTimestamp.parse("2024-10-27 02:30 CEST", now: Self.manPageNow, localZone: berlin).microseconds
            == 1_729_989_000 * 1_000_000)
    }

    @Test("rejections say why")
    func errors() {
        let utc = ZoneInfo.utc
        func reason(_ text: String) -> String? {
            do {
                _ = try SystemdTimestamp.parse(text, now: Self.manPageNow, localZone: utc)
                return nil
            } catch {
                return error.reason
            }
        }
        #expect(reason("Sat 2012-11-23") == "the weekday does not match the date")
        #expect(reason("1969-12-31 23:59:59") == "the time is before 1970")
        #expect(reason("soon")?.hasPrefix("expected 'YYYY-MM-DD") == true)
        #expect(reason("5 parsecs ago")?.hasPrefix("bad time span") == true)
        #expect(reason("2012-11-23 11:12:13.x") == "expected digits after '.'")
    }

    @Test("formatting like systemd")
    func formatting() throws {
        let berlin = try Self.zone("Europe/Berlin")
        let t = SystemdTimestamp(microseconds: 1_353_708_135_123_456)
        #expect(t.formatted(in: berlin) == "Fri 2012-11-23 23:02:15 CET")
        #expect(t.formatted(in: berlin, style: .microseconds) == "Fri 2012-11-23 23:02:15.123456 CET")
        #expect(t.formatted(in: berlin, style: .utc) == "Fri 2012-11-23 22:02:15 UTC")
        #expect(t.formatted(in: berlin, style: .utcMicroseconds) == "Fri 2012-11-23 22:02:15.123456 UTC")
        #expect(t.formatted(in: berlin, style: .unix) == "@1353708135")
        #expect(SystemdTimestamp(microseconds: 253_402_214_400_000_000).formatted(in: berlin) == "--- XXXX-XX-XX XX:XX:XX")
        #expect(SystemdTimestamp(t.date) == t)
    }

    static let relativeVectors: [(Int64, String)] = [
        (0, "now"),
        (-500, "500us ago"),
        (1500, "1ms left"),
        (59 * 1_000_000, "59s left"),
        (-(4 * 60 + 3) * 1_000_000, "4min 3s ago"),
        (10 * 60 * 1_000_000, "10min left"),
        ((2 * 3600 + 15 * 60) * 1_000_000, "2h 15min left"),
        (7 * 3600 * 1_000_000, "7h left"),
        ((26 * 3600) * 1_000_000, "1 day 2h left"),
        (3 * 86_400 * 1_000_000, "3 days left"),
        (-(9 * 86_400) * 1_000_000, "1 week 2 days ago"),
        (40 * 86_400 * 1_000_000, "1 month 9 days left"),
        (-(800 * 86_400) * 1_000_000, "2 years 2 months ago"),
    ]

    @Test("relative formatting like systemd", arguments: relativeVectors)
    func relative(offset: Int64, text: String) {
        let now = Self.manPageNow
        #expect(SystemdTimestamp(microseconds: now.microseconds + offset).formattedRelative(to: now) == text)
    }
}
