import Foundation
import Testing

@testable import KinerjaSchedule

/// The examples of systemd.time(7), section "CALENDAR EVENTS" (systemd 252).
@Suite("Calendar normalisation (systemd.time(7) examples)")
struct NormalizationTests {
    static let manPageExamples: [(String, String)] = [
        ("Sat,Thu,Mon..Wed,Sat..Sun", "Mon..Thu,Sat,Sun *-*-* 00:00:00"),
        ("Mon,Sun 12-*-* 2,1:23", "Mon,Sun 2012-*-* 01,02:23:00"),
        ("Wed *-1", "Wed *-*-01 00:00:00"),
        ("Wed..Wed,Wed *-1", "Wed *-*-01 00:00:00"),
        ("Wed, 17:48", "Wed *-*-* 17:48:00"),
        ("Wed..Sat,Tue 12-10-15 1:2:3", "Tue..Sat 2012-10-15 01:02:03"),
        ("*-*-7 0:0:0", "*-*-07 00:00:00"),
        ("10-15", "*-10-15 00:00:00"),
        ("monday *-12-* 17:00", "Mon *-12-* 17:00:00"),
        ("Mon,Fri *-*-3,1,2 *:30:45", "Mon,Fri *-*-01,02,03 *:30:45"),
        ("12,14,13,12:20,10,30", "*-*-* 12,13,14:10,20,30:00"),
        ("12..14:10,20,30", "*-*-* 12..14:10,20,30:00"),
        ("mon,fri *-1/2-1,3 *:30:45", "Mon,Fri *-01/2-01,03 *:30:45"),
        ("03-05 08:05:40", "*-03-05 08:05:40"),
        ("08:05:40", "*-*-* 08:05:40"),
        ("05:40", "*-*-* 05:40:00"),
        ("Sat,Sun 12-05 08:05:40", "Sat,Sun *-12-05 08:05:40"),
        ("Sat,Sun 08:05:40", "Sat,Sun *-*-* 08:05:40"),
        ("2003-03-05 05:40", "2003-03-05 05:40:00"),
        ("05:40:23.4200004/3.1700005", "*-*-* 05:40:23.420000/3.170001"),
        ("2003-02..04-05", "2003-02..04-05 00:00:00"),
        ("2003-03-05 05:40 UTC", "2003-03-05 05:40:00 UTC"),
        ("2003-03-05", "2003-03-05 00:00:00"),
        ("03-05", "*-03-05 00:00:00"),
        ("hourly", "*-*-* *:00:00"),
        ("daily", "*-*-* 00:00:00"),
        ("daily UTC", "*-*-* 00:00:00 UTC"),
        ("monthly", "*-*-01 00:00:00"),
        ("weekly", "Mon *-*-* 00:00:00"),
        ("weekly Pacific/Auckland", "Mon *-*-* 00:00:00 Pacific/Auckland"),
        ("yearly", "*-01-01 00:00:00"),
        ("annually", "*-01-01 00:00:00"),
        ("*:2/3", "*-*-* *:02/3:00"),
        // The shorthand list of the same section.
        ("minutely", "*-*-* *:*:00"),
        ("quarterly", "*-01,04,07,10-01 00:00:00"),
        ("semiannually", "*-01,07-01 00:00:00"),
        // The examples in the section's text.
        ("Thu,Fri 2012-*-1,5 11:12:13", "Thu,Fri 2012-*-01,05 11:12:13"),
        ("*-02~03", "*-02~03 00:00:00"),
        ("Mon *-05~07/1", "Mon *-05~07/1 00:00:00"),
    ]

    @Test("man page example", arguments: manPageExamples)
    func manPageExample(input: String, expected: String) throws {
        let spec = try CalendarSpec.parse(input, localZone: .utc)
        #expect(spec.normalized == expected)
        // The normalised form is itself an expression with the same normalised form.
        #expect(try CalendarSpec.parse(expected, localZone: .utc).normalized == expected)
    }

    @Test("the zone part is kept as written and evaluated there")
    func zones() throws {
        let jakarta = try CalendarSpec.parse("*-01,04,07,10-01 08:00 Asia/Jakarta")
        #expect(jakarta.zone == .named("Asia/Jakarta"))
        #expect(jakarta.normalized == "*-01,04,07,10-01 08:00:00 Asia/Jakarta")
        let utc = try CalendarSpec.parse("daily utc")
        #expect(utc.zone == .utc)
        let berlin = try ZoneInfoDatabase.system.zone(named: "Europe/Berlin")
        let local = try CalendarSpec.parse("daily cest", localZone: berlin)
        #expect(local.zone == .localAbbreviation("CEST", isDST: true))
        #expect(local.normalized == "*-*-* 00:00:00 CEST")
    }

    @Test("errors name the position, the part and the reason")
    func errors() {
        func failure(_ text: String) -> CalendarError? {
            do {
                _ = try CalendarSpec.parse(text, localZone: .utc)
                return nil
            } catch {
                return error
            }
        }
        let weekday = failure("Mond 12:00")
        #expect(weekday?.part == .weekday)
        #expect(weekday?.position == 1)
        let day = failure("*-02-32")
        #expect(day?.part == .day)
        #expect(day?.position == 6)
        #expect(day?.reason.contains("out of range 1..31") == true)
        let hour = failure("24:00")
        #expect(hour?.part == .hour)
        let second = failure("12:00:61")
        #expect(second?.part == .second)
        #expect(second?.position == 7)
        let zone = failure("daily Asia/Bandung")
        #expect(zone?.part == .timeZone)
        #expect(zone?.position == 7)
        #expect(zone?.reason == "unknown time zone 'Asia/Bandung'")
        let empty = failure("")
        #expect(empty?.part == .expression)
        let repetition = failure("*:0/0")
        #expect(repetition?.part == .minute)
        #expect(failure("*-*~29")?.reason.contains("1..28") == true)
        #expect(failure("Fri..Mon")?.reason == "weekday range ends before it starts")
        #expect(failure("12:00:00 junk") != nil)
        #expect(failure("2200-01-01")?.part == .year)
    }
}
