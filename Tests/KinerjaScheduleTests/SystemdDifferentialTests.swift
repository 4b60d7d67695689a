import Foundation
import Testing

@testable import KinerjaSchedule

/// Compares `CalendarReport` with the real `systemd-analyze calendar` (systemd 252) over
/// generated expressions, several base times and several local zones.
@Suite("Differential test against systemd-analyze calendar", .serialized)
struct SystemdDifferentialTests {
    /// The generator's seed: fixed, so every run compares the same expressions; set
    /// `KINERJA_SCHEDULE_SEED` to explore others.
    static let seed: UInt64 = ProcessInfo.processInfo.environment["KINERJA_SCHEDULE_SEED"].flatMap { UInt64($0) }
        ?? 0x6B69_6E65_726A_6164  // "kinerjad"
    static let iterations = 4

    /// (local zone, base times): month ends, 29 February of a leap year, year end, and the DST
    /// switch days of Berlin and New York (including base times inside the repeated hour).
    static let scenarios: [(zone: String, bases: [String])] = [
        ("UTC", ["2024-02-29 12:00:00", "2024-12-31 23:59:59", "2025-01-31 23:59:59.999999"]),
        ("Asia/Jakarta", ["2024-02-28 23:30", "2023-12-31 23:59:59 UTC", "2025-11-29 08:00:00"]),
        (
            "Europe/Berlin",
            [
                "2024-03-31 01:59:59", "2024-10-27 02:30:00", "2024-10-27 00:30:00 UTC", "2024-10-27 01:00:00 UTC",
                "2025-03-29 23:00", "2024-02-29 00:00:00",
            ]
        ),
        (
            "America/New_York",
            ["2024-03-10 01:30:00", "2024-11-03 01:30:00", "2024-11-03 05:59:59 UTC", "2024-12-31 23:59:59"]
        ),
        ("Australia/Lord_Howe", ["2024-04-07 01:45:00", "2024-10-06 01:59:00"]),
    ]

    /// Expressions aimed at DST gaps and repeated hours (and the local-abbreviation suffixes that
    /// force `tm_isdst`), evaluated in every scenario.
    static let daylightSavingExpressions = [
        "02:30", "*:30", "02:*", "01..03:*/15", "*-*-* 02:00:00", "*:00/30", "03:00", "01:30", "01:59:59", "02:00",
        "Sun 02:30", "Sun *-*-* 01,02,03:00", "*-03~01..07 02:30", "*-10~01..07 02:30", "*-11-03 01:30",
        "2024-03-31 02:30", "2024-10-27 02:30", "2024-03-10 02:30", "2024-11-03 01:30:00", "*-*-* 01:*:30",
        "01:30 CET", "01:30 CEST", "02:30 CEST", "01:30 EST", "01:30 EDT", "02:30 EDT", "*:30 CET", "*:30 EDT",
        "hourly", "minutely", "daily", "02:30 Europe/Berlin", "01:30 America/New_York", "02:15 Australia/Lord_Howe",
        "*:*:30.5/7.25", "02:30:00.000001",
    ]

    static let invalidExpressions = [
        "", " ", "daily ", " daily", "Mond", "Mon..", "Mon..Wed..Fri", "Fri..Mon", "Mon-", "Mon,12:00", "*-*-32",
        "*-13-01", "24:00", "*:60", "12:00:60", "2200-01-01", "1969-12-31", "*/5:00", "*:*/5", "12", "1.5:00",
        "*-*~29", "*-*~01/2", "0/0:00", "*:0/0", "daily Foo/Bar", "Asia/Jakarta", "@", "@abc", "12:00 junk",
        "*-*-* 00:00:00:00", "12:00:00 ", "2024-02-30 12:00:00.", "*-*-* 5.5..6.2:00", "00:00:5.5..6.2",
        "*-*-* *:*:00/70", "Wed,,Fri", "*-02~03-01", "2024~02-03", "daily  UTC", "MonTue", "tomorrow",
        "2024-01-01T08:00:00Z", "2h 30min", "+5", "12:00 Europe/berlin", "00:00 CEST", "00:00 WIB",
    ]

    @Test("identical output over generated expressions, zones and base times")
    func differential() throws {
        try #require(SystemdAnalyze.path != nil, "systemd-analyze (systemd 252) must be installed")
        var compared = 0
        var valid = 0
        var rejected = 0
        var generator = ExpressionGenerator(seed: Self.seed)
        var coverage: [String: Int] = [:]
        var distinct = Set<String>()
        for (zoneName, bases) in Self.scenarios {
            let zone = try ZoneInfoDatabase.system.zone(named: zoneName)
            var abbreviations = [zone.standardAbbreviation]
            if zone.daylightAbbreviation != zone.standardAbbreviation { abbreviations.append(zone.daylightAbbreviation) }
            var expressions = (0..<200).map { _ in generator.expression(localAbbreviations: abbreviations) }
            expressions += (0..<25).map { _ in generator.mutation(of: generator.expression(localAbbreviations: abbreviations)) }
            expressions += Self.daylightSavingExpressions
            expressions += Self.invalidExpressions
            distinct.formUnion(expressions)
            for expression in expressions {
                guard let spec = try? CalendarSpec.parse(expression, localZone: zone) else { continue }
                for feature in FeatureCoverage.features(of: expression, spec: spec) { coverage[feature, default: 0] += 1 }
            }
            for base in bases {
                let result = try compare(expressions, base: base, zone: zone, zoneName: zoneName)
                compared += expressions.count
                valid += result.valid
                rejected += result.rejected
            }
        }
        print("differential: compared \(compared) expression evaluations (\(distinct.count) distinct expressions) "
            + "with systemd-analyze: \(valid) valid with \(Self.iterations) iterations each, \(rejected) rejected")
        print("differential: feature coverage " + coverage.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
        for feature in FeatureCoverage.all {
            #expect(coverage[feature, default: 0] >= 3, "feature '\(feature)' is not covered by the generated expressions")
        }
        #expect(distinct.count >= 500)
        #expect(compared >= 500)
        #expect(valid >= 500)
        #expect(rejected >= Self.invalidExpressions.count)
    }

    /// Zones whose history stresses the glibc emulation: negative DST (Dublin), a skipped day
    /// (Apia, 2011), a two-hour DST (Troll), 45-minute offsets (Chatham), abolished DST (Sao Paulo,
    /// Moscow, Tehran), southern-hemisphere DST (Santiago), dates before 1996 and after the last
    /// TZif transition (footer rules), and leap seconds (`right/`).
    static let unusualScenarios: [(zone: String, bases: [String])] = [
        ("Europe/Dublin", ["2024-03-31 00:30:00 UTC", "2040-10-28 00:59:00 UTC"]),
        ("Pacific/Apia", ["2011-12-29 12:00:00 UTC", "2011-12-29 23:00"]),
        ("Antarctica/Troll", ["2024-03-31 00:30:00 UTC"]),
        ("Pacific/Chatham", ["2024-04-06 13:00:00 UTC"]),
        ("America/Sao_Paulo", ["2018-11-04 02:00:00 UTC"]),
        ("Europe/Moscow", ["2011-03-26 22:00:00 UTC"]),
        ("Asia/Tehran", ["2022-03-21 20:00:00 UTC"]),
        ("America/Santiago", ["2024-04-06 23:30:00 UTC"]),
        ("America/New_York", ["2045-11-05 05:30:00 UTC", "1995-04-02 06:30:00 UTC"]),
        ("right/Europe/Berlin", ["2016-12-31 23:59:59 UTC"]),
    ]

    @Test("identical output in zones with unusual histories")
    func unusualZones() throws {
        try #require(SystemdAnalyze.path != nil, "systemd-analyze (systemd 252) must be installed")
        var generator = ExpressionGenerator(seed: Self.seed ^ 0x5A5A)
        var compared = 0
        var zones = 0
        for (zoneName, bases) in Self.unusualScenarios where ZoneInfoDatabase.system.isValidZoneName(zoneName) {
            let zone = try ZoneInfoDatabase.system.zone(named: zoneName)
            var abbreviations = [zone.standardAbbreviation]
            if zone.daylightAbbreviation != zone.standardAbbreviation { abbreviations.append(zone.daylightAbbreviation) }
            var expressions = (0..<80).map { _ in generator.expression(localAbbreviations: abbreviations) }
            expressions += Self.daylightSavingExpressions
            expressions += ["00:00", "*:00", "*-*-* 00:30", "Sun 00:00", "*:15", "23:59:59", "*-12-30", "*-12-31 *:*:00"]
            for base in bases {
                _ = try compare(expressions, base: base, zone: zone, zoneName: zoneName)
                compared += expressions.count
            }
            zones += 1
        }
        print("differential: compared \(compared) expression evaluations in \(zones) zones with unusual histories")
        #expect(zones >= 5)
    }

    func compare(_ expressions: [String], base: String, zone: ZoneInfo, zoneName: String) throws -> (valid: Int, rejected: Int) {
        let run = try SystemdAnalyze.calendar(expressions, baseTime: base, iterations: Self.iterations, timeZone: zoneName)
        var tznameTime: Int64?
        let baseTime = try SystemdTimestamp.parse(
            base, now: run.nowBefore, localZone: zone, database: .system, iso8601: false,
            abbreviations: (zone.standardAbbreviation, zone.daylightAbbreviation), lastLocaltime: &tznameTime)
        let context = "TZ=\(zoneName) --base-time='\(base)'"

        // Our report, with "From now" rendered for both ends of the window systemd ran in.
        var early = CalendarReport(
            expressions: [], baseTime: baseTime, iterations: Self.iterations, localZone: zone, now: run.nowBefore)
        var oursBefore: [String] = []
        var oursAfter: [String] = []
        var ourErrors: [String] = []
        var rejected = 0
        for (index, expression) in expressions.enumerated() {
            switch CalendarReport.block(
                expression, base: baseTime, iterations: Self.iterations, localZone: zone, now: run.nowBefore,
                database: .system, tznameTime: &tznameTime)
            {
            case .success(let rows):
                oursBefore += CalendarReport.table(rows, now: run.nowBefore).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
                oursAfter += CalendarReport.table(rows, now: run.nowAfter).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            case .failure(let problem):
                rejected += 1
                early.exitStatus = 1
                ourErrors += problem.lines.filter { !$0.hasPrefix("Reason: ") }
            }
            if index + 1 < expressions.count {
                oursBefore.append("")
                oursAfter.append("")
            }
        }
        var theirs = run.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if theirs.last == "" { theirs.removeLast() }
        #expect(theirs.count == oursBefore.count, "line count differs for \(context)")
        for i in 0..<min(theirs.count, oursBefore.count) where theirs[i] != oursBefore[i] && theirs[i] != oursAfter[i] {
            let start = max(0, i - 6)
            Issue.record("""
                \(context): line \(i + 1) differs
                systemd: \(theirs[i])
                ours:    \(oursBefore[i])
                context (systemd):
                \(theirs[start..<min(theirs.count, i + 2)].joined(separator: "\n"))
                """)
            break
        }
        let theirErrors = run.standardError.split(separator: "\n").map(String.init)
        #expect(theirErrors.count == ourErrors.count, "standard error line count differs for \(context)")
        if let i = (0..<min(theirErrors.count, ourErrors.count)).first(where: { theirErrors[$0] != ourErrors[$0] }) {
            Issue.record("\(context): standard error differs\nsystemd: \(theirErrors[i])\nours:    \(ourErrors[i])")
        }
        #expect(run.exitStatus == early.exitStatus, "exit status differs for \(context)")
        return (expressions.count - rejected, rejected)
    }
}
