import Foundation
import Testing

@testable import KinerjaSchedule

@Suite("Next elapse")
struct NextElapseTests {
    static func zone(_ name: String) throws -> ZoneInfo { try ZoneInfoDatabase.system.zone(named: name) }

    /// The next elapse of `expression` after `base` (a timestamp in `zoneName`), printed in that zone.
    static func next(_ expression: String, after base: String, in zoneName: String) throws -> String {
        let zone = try zone(zoneName)
        let spec = try CalendarSpec.parse(expression, localZone: zone)
        let start = try SystemdTimestamp.parse(base, now: SystemdTimestamp(microseconds: 0), localZone: zone)
        switch spec.nextElapse(after: start, localZone: zone) {
        case .at(let t): return t.formatted(in: zone)
        case .never: return "never"
        case .failed(let failure): return "failed: \(failure)"
        }
    }

    static let vectors: [(String, String, String, String)] = [
        // DST gap in Berlin: 02:30 does not exist on 2024-03-31.
        ("02:30", "2024-03-31 01:30", "Europe/Berlin", "Mon 2024-04-01 02:30:00 CEST"),
        ("*:30", "2024-03-31 01:30", "Europe/Berlin", "Sun 2024-03-31 03:30:00 CEST"),
        // Repeated hour in Berlin: 02:30 CEST comes, but systemd skips the second 02:30 (CET).
        ("*:30", "2024-10-27 00:29:00 UTC", "Europe/Berlin", "Sun 2024-10-27 02:30:00 CEST"),
        ("*:30", "2024-10-27 00:30:00 UTC", "Europe/Berlin", "Sun 2024-10-27 03:30:00 CET"),
        // A forced DST flag systemd cannot satisfy in winter (its quirk, reproduced).
        ("daily CEST", "2024-03-30 12:00", "Europe/Berlin", "never"),
        // The expression's own zone wins over the local one.
        ("08:00 Asia/Jakarta", "2024-06-01 00:00 UTC", "Europe/Berlin", "Sat 2024-06-01 03:00:00 CEST"),
        ("*-01,04,07,10-01 08:00 Asia/Jakarta", "2026-11-29 08:00", "Asia/Jakarta", "Fri 2027-01-01 08:00:00 WIB"),
        ("Mon..Fri 09:00", "2026-11-28 10:00", "Asia/Jakarta", "Mon 2026-11-30 09:00:00 WIB"),
        ("*-*~01", "2024-02-01 00:00", "UTC", "Thu 2024-02-29 00:00:00 UTC"),
        ("Mon *-05~07/1", "2024-01-01", "UTC", "Mon 2024-05-27 00:00:00 UTC"),
        ("quarterly", "2024-11-15", "UTC", "Wed 2025-01-01 00:00:00 UTC"),
        ("*-02-29 12:00", "2024-03-01", "UTC", "Tue 2028-02-29 12:00:00 UTC"),
        ("2024-02-30", "2024-01-01", "UTC", "never"),
        ("*:*:0/7.5", "2024-01-01 00:00:59", "UTC", "Mon 2024-01-01 00:01:00 UTC"),
        // Lord Howe moves its clocks by 30 minutes.
        ("02:15", "2024-10-06 01:00", "Australia/Lord_Howe", "Mon 2024-10-07 02:15:00 +11"),
    ]

    @Test("next elapse like systemd 252", arguments: vectors)
    func vector(expression: String, base: String, zone: String, expected: String) throws {
        #expect(try Self.next(expression, after: base, in: zone) == expected)
    }

    @Test("Foundation Date and TimeZone entry point")
    func foundation() throws {
        let spec = try CalendarSpec.parse("Mon..Fri 09:00")
        let jakarta = try #require(TimeZone(identifier: "Asia/Jakarta"))
        let after = Date(timeIntervalSince1970: 1_764_378_000)  // Sat 2025-11-29 08:00 WIB
        let next = try #require(spec.nextElapse(after: after, in: jakarta))
        #expect(next == Date(timeIntervalSince1970: 1_764_554_400))  // Mon 2025-12-01 09:00 WIB
        #expect(try CalendarSpec.parse("2024-02-30").nextElapse(after: after, in: jakarta) == nil)
        // The expression's own zone is used whatever local zone is passed.
        let utcSpec = try CalendarSpec.parse("12:00 UTC")
        #expect(utcSpec.nextElapse(after: after, in: jakarta) == utcSpec.nextElapse(after: after, in: TimeZone(identifier: "Europe/Berlin")!))
    }

    @Test("successive elapses never repeat and never go back")
    func successive() throws {
        let berlin = try Self.zone("Europe/Berlin")
        for expression in ["*:0/20", "01..03:30", "Sun *-*-* 02:00:00", "*-*~03 02:30"] {
            let spec = try CalendarSpec.parse(expression, localZone: berlin)
            let start = SystemdTimestamp(microseconds: 1_704_067_200 * 1_000_000)  // 2024-01-01 UTC
            let elapses = spec.elapses(after: start, count: 400, localZone: berlin)
            #expect(elapses.count == 400)
            #expect(zip(elapses, elapses.dropFirst()).allSatisfy { $0 < $1 }, "\(expression)")
            #expect(elapses.first.map { $0 > start } == true)
        }
    }

    @Test("a base time beyond year 9999 is refused")
    func outOfRange() throws {
        let spec = try CalendarSpec.parse("daily")
        let base = SystemdTimestamp(microseconds: CalendarEvaluator.maximumMicroseconds + 1)
        #expect(spec.nextElapse(after: base, localZone: .utc) == .failed(.outOfRange))
        #expect(spec.nextElapse(after: SystemdTimestamp(microseconds: -1), localZone: .utc) == .failed(.outOfRange))
    }
}
