import Foundation
import KinerjaCalendar

/// A point in time with microsecond precision, counted as systemd counts it (microseconds since
/// 1970-01-01 00:00:00 UTC), with systemd's display formats.
public struct SystemdTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since the Unix epoch.
    public var microseconds: Int64

    /// The timestamp `microseconds` after the epoch.
    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// The timestamp of `date`, rounded to the nearest microsecond.
    public init(_ date: Date) {
        microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The same instant as a Foundation `Date`.
    public var date: Date {
        let seconds = microseconds / 1_000_000
        let fraction = microseconds % 1_000_000
        return Date(timeIntervalSince1970: TimeInterval(seconds) + TimeInterval(fraction) / 1_000_000)
    }

    public static func < (lhs: SystemdTimestamp, rhs: SystemdTimestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    public var description: String { formatted(in: .utc, style: .utcMicroseconds) }

    /// systemd's `TimestampStyle`.
    public enum Style: Sendable, Hashable {
        /// `Fri 2012-11-23 23:02:15 CET`
        case pretty
        /// `Fri 2012-11-23 23:02:15.123456 CET`
        case microseconds
        /// `Fri 2012-11-23 22:02:15 UTC`
        case utc
        /// `Fri 2012-11-23 22:02:15.123456 UTC`
        case utcMicroseconds
        /// `@1353708135`
        case unix
    }

    /// Formats like systemd's `format_timestamp_style()`, in `zone` (ignored for the UTC styles).
    public func formatted(in zone: ZoneInfo, style: Style = .pretty) -> String {
        if style == .unix { return "@\(microseconds / 1_000_000)" }
        if microseconds > CalendarEvaluator.maximumMicroseconds { return "--- XXXX-XX-XX XX:XX:XX" }
        let utc = style == .utc || style == .utcMicroseconds
        let seconds = CivilCalendar.floorDiv(Int(microseconds), 1_000_000)
        let tm = (utc ? zone.gmtimeCompanion : zone).brokenDownTime(at: Int64(seconds))
        let weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][tm.weekday]
        var text = weekday + " " + String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", tm.fullYear, tm.month + 1, tm.day, tm.hour, tm.minute,
            tm.second)
        if style == .microseconds || style == .utcMicroseconds {
            text += String(format: ".%06d", Int(microseconds) - seconds * 1_000_000)
        }
        if utc {
            text += " UTC"
        } else if !tm.zoneAbbreviation.isEmpty {
            text += " " + tm.zoneAbbreviation
        }
        return text
    }

    /// Formats the distance to `now` like systemd's `format_timestamp_relative()`:
    /// `2 years 7 months ago`, `1 day 3h left`, `5min 2s ago`, `now`.
    public func formattedRelative(to now: SystemdTimestamp) -> String {
        let suffix = now.microseconds > microseconds ? "ago" : "left"
        let d = UInt64(abs(now.microseconds - microseconds))
        let second: UInt64 = 1_000_000
        let minute = 60 * second
        let hour = 60 * minute
        let day = 24 * hour
        let week = 7 * day
        let month = TimeSpan.microsecondsPerMonth
        let year = TimeSpan.microsecondsPerYear
        func plural(_ n: UInt64, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
        if d >= year {
            return "\(plural(d / year, "year", "years")) \(plural(d % year / month, "month", "months")) \(suffix)"
        } else if d >= month {
            return "\(plural(d / month, "month", "months")) \(plural(d % month / day, "day", "days")) \(suffix)"
        } else if d >= week {
            return "\(plural(d / week, "week", "weeks")) \(plural(d % week / day, "day", "days")) \(suffix)"
        } else if d >= 2 * day {
            return "\(d / day) days \(suffix)"
        } else if d >= 25 * hour {
            return "1 day \((d - day) / hour)h \(suffix)"
        } else if d >= 6 * hour {
            return "\(d / hour)h \(suffix)"
        } else if d >= hour {
            return "\(d / hour)h \(d % hour / minute)min \(suffix)"
        } else if d >= 5 * minute {
            return "\(d / minute)min \(suffix)"
        } else if d >= minute {
            return "\(d / minute)min \(d % minute / second)s \(suffix)"
        } else if d >= second {
            return "\(d / second)s \(suffix)"
        } else if d >= 1000 {
            return "\(d / 1000)ms \(suffix)"
        } else if d > 0 {
            return "\(d)us \(suffix)"
        }
        return "now"
    }
}
