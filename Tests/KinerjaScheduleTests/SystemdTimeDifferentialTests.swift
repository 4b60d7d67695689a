import Foundation
import Testing

@testable import KinerjaSchedule

/// Time spans, timestamps and long runs of elapses compared with `systemd-analyze`.
@Suite("Differential tests against systemd-analyze timespan, timestamp and long calendar runs", .serialized)
struct SystemdTimeDifferentialTests {
    static let spans = [
        "1.5s", "90s", "2h 30min", "14d", "1.5h", "1y", "1M", "55s500ms", "1us", "1500us", "0", "infinity",
        "1y 12month", "61s", "1.000001s", "3600.5s", "2 h", "2hours", "48hr", "300ms20s 5day", "5", "5 10", ".5s",
        "1.5", "3 weeks", "2months", "1.25min", "17sec", "100msec", "7µs", "12usec", "1w 2d 3h 4min 5s 6ms 7us",
        "  4min  ", "1.0000005s", "0.0000001s", "9999999999s", "59.999999s", "86399s", "1 day", "+5s", "3d\t4h",
        "2.5d", "10000000000us",
    ]
    static let badSpans = [
        "", "-5s", "5x", "1..5s", "s", "5s-", "infinity 5s", "12.34.56", "3.hoge", "5 mins", "1e3s", "3.sec",
        "99999999999999999999s",
    ]

    @Test("time spans parse and print like systemd-analyze timespan")
    func timeSpans() throws {
        try #require(SystemdAnalyze.path != nil, "systemd-analyze (systemd 252) must be installed")
        let run = try SystemdAnalyze.run(SystemdAnalyze.path!, ["timespan", "--"] + Self.spans, environment: [:])
        let lines = run.standardOutput.split(separator: "\n").map(String.init)
        let micro = lines.filter { $0.hasSuffix("s:") == false && $0.contains("s: ") && !$0.contains("Original") }
        let human = lines.filter { $0.hasPrefix("   Human: ") }
        #expect(micro.count == Self.spans.count)
        #expect(human.count == Self.spans.count)
        for (i, text) in Self.spans.enumerated() where i < micro.count && i < human.count {
            let span = try TimeSpan.parse(text)
            let expectedMicro = String(micro[i].split(separator: " ").last ?? "")
            #expect(expectedMicro == String(span.microseconds), "μs of '\(text)'")
            #expect("   Human: " + span.formatted() == human[i], "human form of '\(text)'")
        }
        for text in Self.badSpans {
            let bad = try SystemdAnalyze.run(SystemdAnalyze.path!, ["timespan", "--", text], environment: [:])
            #expect(bad.exitStatus != 0, "systemd accepts '\(text)'")
            #expect(throws: TimeSpanError.self, "we accept '\(text)'") { try TimeSpan.parse(text) }
        }
        print("differential: compared \(Self.spans.count) time spans and \(Self.badSpans.count) invalid ones")
    }

    static let timestamps = [
        "2012-11-23 11:12:13", "12-11-23 11:12:13", "2012-11-23", "12-11-23", "Fri 2012-11-23 11:12:13",
        "friday 2012-11-23 11:12", "2012-11-23 11:12:13.654563", "2012-11-23 11:12:13.9999995", "2024-02-29",
        "2024-10-27 02:30", "2024-03-31 02:30:00", "2024-11-03 01:30", "2024-03-10 02:30", "@1395716396",
        "@1395716396.5", "69-01-01", "68-12-31 23:59:59", "1970-01-01 00:00:00 UTC", "2012-11-23 11:12:13 UTC",
        "2024-07-01 12:00 utc", "9999-12-30 23:59:59 UTC", " 2012-11-23", "2012-1-2 3:4:5", "2038-01-19 03:14:08",
        "2100-02-28 12:00", "Sun 2024-10-27 02:30", "2024-06-30 25:00", "2012-11-23 11:12:13.", "Fri 2012-11-24",
        "2012-13-01", "2012-11-23T11:12:13", "1969-12-31 23:59:59 UTC", "10000-01-01", "yesterday", "now",
    ]

    @Test("absolute timestamps parse like systemd-analyze timestamp", arguments: ["UTC", "Asia/Jakarta", "Europe/Berlin", "America/New_York"])
    func timestamps(zoneName: String) throws {
        try #require(SystemdAnalyze.path != nil, "systemd-analyze (systemd 252) must be installed")
        let zone = try ZoneInfoDatabase.system.zone(named: zoneName)
        // systemd 252 loses a timestamp whose last word names a zone file (CET, EST, ...) on its
        // command line (see zoneSuffix below), so local abbreviations that are also file names are
        // left out here.
        let inputs = Self.timestamps.filter { !["yesterday", "now"].contains($0) }
            + [zone.standardAbbreviation, zone.daylightAbbreviation]
            .filter { !ZoneInfoDatabase.system.isValidZoneName($0) }
            .map { "2024-07-01 12:00 " + $0 }
        let run = try SystemdAnalyze.run(
            SystemdAnalyze.path!, ["timestamp", "--"] + inputs, environment: ["TZ": zoneName])
        let blocks = run.standardOutput.components(separatedBy: "\n\n")
        var index = 0
        for text in inputs {
            let ours = try? SystemdTimestamp.parse(text, now: run.nowBefore, localZone: zone, iso8601: false)
            let block = blocks.first { $0.contains("Original form: \(text)\n") }
            #expect((ours != nil) == (block != nil), "accept/reject of '\(text)' in \(zoneName)")
            if let ours, let block {
                let unix = ours.microseconds % 1_000_000 == 0
                    ? "@\(ours.microseconds / 1_000_000)"
                    : String(format: "@%lld.%06lld", ours.microseconds / 1_000_000, ours.microseconds % 1_000_000)
                #expect(block.contains("UNIX seconds: \(unix)\n"), "'\(text)' in \(zoneName): ours \(unix), systemd:\n\(block)")
                // systemd shows the epoch itself as "-" (an unset timestamp).
                if ours.microseconds != 0 {
                    #expect(block.contains("Normalized form: \(ours.formatted(in: zone))\n"), "'\(text)' in \(zoneName)")
                }
                index += 1
            }
        }
        print("differential: compared \(inputs.count) timestamps in \(zoneName) (\(index) valid)")
    }

    /// systemd 252 cannot parse a timestamp with a zone suffix on its command line (the process
    /// rename in its helper child overwrites the argument), so the zone path is checked by running
    /// systemd in that zone without the suffix.
    @Test("a zone suffix means the same time as running in that zone", arguments: ["Europe/Berlin", "Asia/Jakarta", "Pacific/Auckland"])
    func zoneSuffix(zoneName: String) throws {
        try #require(SystemdAnalyze.path != nil, "systemd-analyze (systemd 252) must be installed")
        let inputs = ["2024-10-27 02:30", "2024-03-31 02:30:00", "2012-11-23 11:12:13.25", "12-11-23", "11:12", "today", "tomorrow"]
        let run = try SystemdAnalyze.run(SystemdAnalyze.path!, ["timestamp", "--"] + inputs, environment: ["TZ": zoneName])
        let unixLines = run.standardOutput.split(separator: "\n").filter { $0.contains("UNIX seconds: ") }
        #expect(unixLines.count == inputs.count)
        for (text, line) in zip(inputs, unixLines) {
            let ours = try SystemdTimestamp.parse(text + " " + zoneName, now: run.nowBefore, localZone: .utc)
            let seconds = ours.microseconds / 1_000_000
            let fraction = ours.microseconds % 1_000_000
            let unix = fraction == 0 ? "@\(seconds)" : String(format: "@%lld.%06lld", seconds, fraction)
            #expect(line.hasSuffix(unix), "'\(text) \(zoneName)': ours \(unix), systemd \(line)")
        }
    }

    @Test("a year of elapses in a DST zone, thousands of evaluations", arguments: [
        ("Europe/Berlin", "hourly"), ("America/New_York", "*:30"), ("Europe/Berlin", "Mon..Fri 02:30"),
        ("America/New_York", "*-*~01 01:30:15"),
    ])
    func longRun(zoneName: String, expression: String) throws {
        try #require(SystemdAnalyze.path != nil, "systemd-analyze (systemd 252) must be installed")
        let iterations = expression == "hourly" || expression == "*:30" ? 9000 : 300
        let base = "2024-01-01 00:00:00 UTC"
        let run = try SystemdAnalyze.calendar([expression], baseTime: base, iterations: iterations, timeZone: zoneName)
        let zone = try ZoneInfoDatabase.system.zone(named: zoneName)
        let spec = try CalendarSpec.parse(expression, localZone: zone)
        let start = Date()
        let elapses = spec.elapses(
            after: try SystemdTimestamp.parse(base, now: run.nowBefore, localZone: zone), count: iterations, localZone: zone)
        let seconds = Date().timeIntervalSince(start)
        let theirs = run.standardOutput.split(separator: "\n")
            .filter { $0.contains("Next elapse: ") || $0.contains("Iter. #") }
            .map { String($0.split(separator: ": ", maxSplits: 1)[1]) }
        #expect(theirs.count == iterations)
        #expect(theirs == elapses.map { $0.formatted(in: zone) }, "\(expression) in \(zoneName)")
        print("differential: \(iterations) elapses of '\(expression)' in \(zoneName) computed in \(String(format: "%.2f", seconds)) s")
    }
}
