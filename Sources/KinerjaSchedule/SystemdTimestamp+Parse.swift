import Foundation

/// Why a timestamp was rejected.
public struct TimestampError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text as given.
    public var text: String
    /// What is wrong.
    public var reason: String

    public var description: String { "invalid timestamp '\(text)': \(reason)" }
}

extension SystemdTimestamp {
    static let accepted =
        "expected 'YYYY-MM-DD [HH:MM[:SS[.UUUUUU]]] [ZONE]', 'HH:MM[:SS]', 'now', 'today', 'yesterday', "
        + "'tomorrow', '+SPAN', '-SPAN', 'SPAN ago', 'SPAN left', '@SECONDS' or ISO 8601 with an offset"

    /// Parses a timestamp the way systemd 252's `parse_timestamp()` does (as `systemd-analyze
    /// calendar --base-time=` and `systemd-analyze timestamp` accept it), and additionally ISO 8601
    /// with an offset (`2026-11-29T08:00:00+07:00`, `...Z`).
    ///
    /// - Parameters:
    ///   - text: e.g. `2026-11-29 08:00:00`, `2026-11-29 08:00 Asia/Jakarta`, `@1764378000`,
    ///     `tomorrow`, `+3h`, `11min ago`.
    ///   - now: what `now`, `today` and relative times are counted from.
    ///   - localZone: the zone of times written without one.
    ///   - database: where zone names written in the text are looked up.
    ///   - iso8601: whether to accept ISO 8601 too (systemd 252 itself does not).
    public static func parse(
        _ text: String, now: SystemdTimestamp, localZone: ZoneInfo, database: ZoneInfoDatabase = .system,
        iso8601: Bool = true
    ) throws(TimestampError) -> SystemdTimestamp {
        var lastLocaltime: Int64?
        return try parse(
            text, now: now, localZone: localZone, database: database, iso8601: iso8601,
            abbreviations: (localZone.standardAbbreviation, localZone.daylightAbbreviation),
            lastLocaltime: &lastLocaltime)
    }

    /// The same, reporting the last time converted with `localtime_r` in the process itself (a
    /// zone written in the text is handled by systemd in a child process).
    ///
    /// `abbreviations` are glibc's `tzname` at the time of the call, which local-zone suffixes
    /// are matched against.
    static func parse(
        _ text: String, now: SystemdTimestamp, localZone: ZoneInfo, database: ZoneInfoDatabase, iso8601: Bool,
        abbreviations: (String, String), lastLocaltime: inout Int64?
    ) throws(TimestampError) -> SystemdTimestamp {
        if iso8601, let iso = try ISO8601.parse(text) { return iso }
        let bytes = Array(text.utf8)
        if let space = bytes.lastIndex(of: 32), !Self.endsWithUTC(bytes[...]) {
            let name = String(decoding: bytes[(space + 1)...], as: UTF8.self)
            if database.isValidZoneName(name) {
                let zone: ZoneInfo
                do { zone = try database.zone(named: name) } catch {
                    throw TimestampError(text: text, reason: error.description)
                }
                let withZone = name != zone.standardAbbreviation && name != zone.daylightAbbreviation
                let body = withZone ? Array(bytes[..<space]) : bytes
                var childLocaltime: Int64?
                return try parseSystemd(
                    body, text: text, withZone: withZone, now: now, zone: zone,
                    abbreviations: (zone.standardAbbreviation, zone.daylightAbbreviation),
                    lastLocaltime: &childLocaltime)
            }
        }
        return try parseSystemd(
            bytes, text: text, withZone: false, now: now, zone: localZone, abbreviations: abbreviations,
            lastLocaltime: &lastLocaltime)
    }

    /// The same for a Foundation clock and zone.
    public static func parse(_ text: String, now: Date, localTimeZone: TimeZone) throws(TimestampError) -> Date {
        let database = ZoneInfoDatabase.system
        return try parse(text, now: SystemdTimestamp(now), localZone: database.zone(for: localTimeZone), database: database)
            .date
    }

    static func endsWithUTC(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 4 else { return false }
        let tail = bytes.suffix(4).map { ($0 >= 97 && $0 <= 122) ? $0 - 32 : $0 }
        return tail == Array(" UTC".utf8)
    }

    static func span(_ bytes: ArraySlice<UInt8>, text: String) throws(TimestampError) -> UInt64 {
        do {
            return try TimeSpan.parse(String(decoding: bytes, as: UTF8.self)).microseconds
        } catch {
            throw TimestampError(text: text, reason: "bad time span: \(error.reason)")
        }
    }

    /// systemd's `parse_timestamp_impl()` in `zone`.
    private static func parseSystemd(
        _ input: [UInt8], text: String, withZone: Bool, now: SystemdTimestamp, zone: ZoneInfo,
        abbreviations: (String, String), lastLocaltime: inout Int64?
    ) throws(TimestampError) -> SystemdTimestamp {
        var t = input[...]
        if t.first == UInt8(ascii: "@") && !withZone {
            return SystemdTimestamp(microseconds: Int64(clamping: try span(t.dropFirst(), text: text)))
        }
        let limit = UInt64(CalendarEvaluator.maximumMicroseconds)
        var result = UInt64(max(0, now.microseconds))
        var plus: UInt64 = 0
        var minus: UInt64 = 0
        var utc = false
        var dst = -1
        var relative = true
        if !withZone && Array(t) == Array("now".utf8) {
        } else if !withZone && t.first == UInt8(ascii: "+") {
            plus = try span(t.dropFirst(), text: text)
        } else if !withZone && t.first == UInt8(ascii: "-") {
            minus = try span(t.dropFirst(), text: text)
        } else if !withZone && t.count >= 4 && Array(t.suffix(4)) == Array(" ago".utf8) {
            minus = try span(t.dropLast(4), text: text)
        } else if !withZone && t.count >= 5 && Array(t.suffix(5)) == Array(" left".utf8) {
            plus = try span(t.dropLast(5), text: text)
        } else {
            relative = false
        }
        if !relative {
            if !withZone {
                if endsWithUTC(t) {
                    utc = true
                    t = t.dropLast(4)
                } else {
                    for (j, name) in [abbreviations.0, abbreviations.1].enumerated() {
                        let n = Array(name.lowercased().utf8)
                        guard !n.isEmpty, t.count > n.count, t[t.endIndex - n.count - 1] == 32,
                            Array(t.suffix(n.count)).map({ ($0 >= 65 && $0 <= 90) ? $0 + 32 : $0 }) == n
                        else { continue }
                        t = t.dropLast(n.count + 1)
                        dst = j
                        break
                    }
                }
            }
            result = try absolute(
                Array(t), text: text, now: now, zone: zone, utc: utc, dst: dst, lastLocaltime: &lastLocaltime)
            if result > limit { throw TimestampError(text: text, reason: "the time is after the year 9999") }
        }
        let (sum, overflow) = result.addingReportingOverflow(plus)
        guard !overflow, sum <= limit else { throw TimestampError(text: text, reason: "the time is after the year 9999") }
        guard sum >= minus else { throw TimestampError(text: text, reason: "the time is before 1970") }
        return SystemdTimestamp(microseconds: Int64(sum - minus))
    }
}
