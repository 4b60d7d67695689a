import Testing

@testable import KinerjaSchedule

@Suite("systemd-analyze calendar output")
struct CalendarReportTests {
    @Test("blocks, (in UTC) lines, iterations, separators and errors")
    func jakarta() throws {
        let jakarta = try ZoneInfoDatabase.system.zone(named: "Asia/Jakarta")
        let now = try SystemdTimestamp.parse("2024-03-30 12:00", now: SystemdTimestamp(microseconds: 0), localZone: jakarta)
        let report = CalendarReport(
            expressions: ["daily", "12:00 UTC", "Mond 09:00"], baseTime: now, iterations: 2, localZone: jakarta, now: now)
        #expect(report.standardOutput == """
              Original form: daily
            Normalized form: *-*-* 00:00:00
                Next elapse: Sun 2024-03-31 00:00:00 WIB
                   (in UTC): Sat 2024-03-30 17:00:00 UTC
                   From now: 12h left
                   Iter. #2: Mon 2024-04-01 00:00:00 WIB
                   (in UTC): Sun 2024-03-31 17:00:00 UTC
                   From now: 1 day 12h left

              Original form: 12:00 UTC
            Normalized form: *-*-* 12:00:00 UTC
                Next elapse: Sat 2024-03-30 19:00:00 WIB
                   (in UTC): Sat 2024-03-30 12:00:00 UTC
                   From now: 7h left
                   Iter. #2: Sun 2024-03-31 19:00:00 WIB
                   (in UTC): Sun 2024-03-31 12:00:00 UTC
                   From now: 1 day 7h left


            """)
        #expect(report.standardError == """
            Failed to parse calendar specification 'Mond 09:00': Invalid argument
            Reason: weekday at column 1: unknown weekday 'Mond'

            """)
        #expect(report.exitStatus == 1)
        #expect(report.errors.map(\.part) == [.weekday])
    }

    @Test("UTC local zone: no (in UTC) lines; normalised input has no Original form; never")
    func utc() throws {
        let now = SystemdTimestamp(microseconds: 1_700_000_000 * 1_000_000)  // Tue 2023-11-14 22:13:20 UTC
        let report = CalendarReport(
            expressions: ["*-*-* 00:00:00", "2020-01-01"], iterations: 11, localZone: .utc, now: now)
        let lines = report.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "Normalized form: *-*-* 00:00:00")
        #expect(lines[1] == "    Next elapse: Wed 2023-11-15 00:00:00 UTC")
        #expect(lines[2] == "       From now: 1h 46min left")
        #expect(lines[19] == "      Iter. #10: Fri 2023-11-24 00:00:00 UTC")
        #expect(lines.count == 23 + 1 + 3 + 1)
        #expect(Array(lines.suffix(5)) == [
            "", "  Original form: 2020-01-01", "Normalized form: 2020-01-01 00:00:00", "    Next elapse: never", "",
        ])
        #expect(report.exitStatus == 0)
        #expect(report.standardError.isEmpty)
    }

    @Test("hints for timestamps and time spans, like systemd")
    func hints() {
        let report = CalendarReport(
            expressions: ["tomorrow", "2h 30min"], localZone: .utc, now: SystemdTimestamp(microseconds: 1_700_000_000_000_000))
        #expect(report.standardError.contains(
            "Hint: this expression is a valid timestamp. Use 'systemd-analyze timestamp \"tomorrow\"' instead?"))
        #expect(report.standardError.contains(
            "Hint: this expression is a valid timespan. Use 'systemd-analyze timespan \"2h 30min\"' instead?"))
        #expect(report.standardOutput == "\n")
    }
}
