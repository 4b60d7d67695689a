import Foundation
import Testing

@testable import KinerjaSchedule

@Suite("Time zones from the tz database")
struct ZoneInfoTests {
    static let database = ZoneInfoDatabase.system

    @Test("abbreviations and UTC equivalence as glibc sets them")
    func names() throws {
        let cases: [(String, String, String, Bool)] = [
            ("Asia/Jakarta", "WIB", "WIB", false), ("Europe/Berlin", "CET", "CEST", false),
            ("America/New_York", "EST", "EDT", false), ("UTC", "UTC", "UTC", true), ("Etc/UTC", "UTC", "UTC", true),
            ("Africa/Abidjan", "GMT", "GMT", true), ("Europe/London", "GMT", "BST", false),
        ]
        for (name, standard, daylight, utcLike) in cases {
            let zone = try Self.database.zone(named: name)
            #expect(zone.standardAbbreviation == standard, "\(name)")
            #expect(zone.daylightAbbreviation == daylight, "\(name)")
            #expect(zone.isUTCEquivalent == utcLike, "\(name)")
        }
    }

    @Test("a POSIX rule string gives the same local times as the TZif file it summarises")
    func posixRule() throws {
        let pairs = [
            ("Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3"), ("America/New_York", "EST5EDT,M3.2.0,M11.1.0"),
            ("Asia/Jakarta", "WIB-7"), ("Australia/Lord_Howe", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0"),
        ]
        for (name, rule) in pairs {
            let file = try Self.database.zone(named: name)
            let posix = ZoneInfo(name: name, rule: PosixTimeZoneRule(rule))
            var t: Int64 = 1_230_768_000  // 2009-01-01, after the last rule changes of these zones
            while t < 2_240_611_200 {  // 2041-01-01, past the end of the file's transition table
                let a = file.localTimeType(at: t)
                let b = posix.localTimeType(at: t)
                #expect(a.offset == b.offset && a.isDST == b.isDST && a.abbreviation == b.abbreviation, "\(name) at \(t)")
                if a.offset != b.offset { break }
                t += 3 * 3600 + 17
            }
        }
    }

    @Test("zone names are checked like systemd's timezone_is_valid()")
    func validity() {
        for valid in ["UTC", "Asia/Jakarta", "Europe/Berlin", "EST5EDT", "Etc/GMT+7", "posix/Europe/Berlin"] {
            #expect(Self.database.isValidZoneName(valid), "\(valid)")
        }
        for invalid in ["", "Asia/Bandung", "/etc/localtime", "Europe//Berlin", "Europe/", "Europe", "zone.tab",
            "../etc/passwd", "Europe/berlin", "WIB", "leapseconds"]
        {
            #expect(!Self.database.isValidZoneName(invalid), "\(invalid)")
        }
        #expect(throws: ZoneInfoError.self) { try Self.database.zone(named: "Asia/Bandung") }
        #expect(throws: ZoneInfoError.self) { try Self.database.zone(named: "../etc/passwd") }
    }

    @Test("the local zone of a process environment, as glibc finds it")
    func systemDefault() throws {
        #expect(Self.database.systemDefault(environment: ["TZ": "Asia/Jakarta"]).standardAbbreviation == "WIB")
        #expect(Self.database.systemDefault(environment: ["TZ": ":Europe/Berlin"]).daylightAbbreviation == "CEST")
        #expect(Self.database.systemDefault(environment: ["TZ": ""]).isUTCEquivalent)
        let rule = Self.database.systemDefault(environment: ["TZ": "XYZ-7"])
        #expect(rule.standardAbbreviation == "XYZ")
        #expect(rule.localTimeType(at: 0).offset == 7 * 3600)
        let missing = Self.database.systemDefault(environment: [:], localtimePath: "/nonexistent/localtime")
        #expect(missing == .utc)
    }

    @Test("Foundation zones map to the database")
    func foundation() throws {
        #expect(Self.database.zone(for: TimeZone(identifier: "Asia/Jakarta")!).standardAbbreviation == "WIB")
        #expect(Self.database.zone(for: TimeZone(identifier: "UTC")!) == .utc)
        let fixed = Self.database.zone(for: TimeZone(secondsFromGMT: 7 * 3600 + 1800)!)
        #expect(fixed.localTimeType(at: 0).abbreviation == "+0730")
    }

    @Test("corrupt TZif data is an error, not a crash")
    func corrupt() throws {
        let good = try #require(FileManager.default.contents(atPath: "/usr/share/zoneinfo/Europe/Berlin"))
        #expect(throws: ZoneInfoError.self) { try ZoneInfo(name: "x", tzif: Array(good.prefix(60))) }
        #expect(throws: ZoneInfoError.self) { try ZoneInfo(name: "x", tzif: Array("TZjf".utf8) + Array(good.dropFirst(4))) }
        #expect(throws: ZoneInfoError.self) { try ZoneInfo(name: "x", tzif: []) }
    }
}
