import Foundation

/// A duration in systemd's time span syntax (systemd.time(7)): `14d`, `2h 30min`, `90s`, `1.5h`,
/// `55s500ms`, `infinity`; microsecond precision.
public struct TimeSpan: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds; `UInt64.max` is infinity.
    public var microseconds: UInt64

    /// A span of `microseconds`; `UInt64.max` is infinity.
    public init(microseconds: UInt64) {
        self.microseconds = microseconds
    }

    /// Whole seconds.
    public static func seconds(_ seconds: UInt64) -> TimeSpan { TimeSpan(microseconds: seconds * 1_000_000) }

    /// systemd's `USEC_INFINITY`.
    public static let infinity = TimeSpan(microseconds: .max)

    /// Whether this is `infinity`.
    public var isInfinite: Bool { microseconds == .max }

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.microseconds < rhs.microseconds }

    /// A month as systemd counts it: 30.44 days.
    public static let microsecondsPerMonth: UInt64 = 2_629_800 * 1_000_000
    /// A year as systemd counts it: 365.25 days.
    public static let microsecondsPerYear: UInt64 = 31_557_600 * 1_000_000

    /// The units systemd accepts, longest spelling first where one is a prefix of another (the
    /// order of systemd's table).
    static let units: [(suffix: String, microseconds: UInt64)] = [
        ("seconds", 1_000_000), ("second", 1_000_000), ("sec", 1_000_000), ("s", 1_000_000),
        ("minutes", 60_000_000), ("minute", 60_000_000), ("min", 60_000_000),
        ("months", microsecondsPerMonth), ("month", microsecondsPerMonth), ("M", microsecondsPerMonth),
        ("msec", 1000), ("ms", 1000), ("m", 60_000_000),
        ("hours", 3_600_000_000), ("hour", 3_600_000_000), ("hr", 3_600_000_000), ("h", 3_600_000_000),
        ("days", 86_400_000_000), ("day", 86_400_000_000), ("d", 86_400_000_000),
        ("weeks", 604_800_000_000), ("week", 604_800_000_000), ("w", 604_800_000_000),
        ("years", microsecondsPerYear), ("year", microsecondsPerYear), ("y", microsecondsPerYear),
        ("usec", 1), ("us", 1), ("µs", 1),
    ]

    /// The units used for display, largest first.
    static let displayUnits: [(suffix: String, microseconds: UInt64)] = [
        ("y", microsecondsPerYear), ("month", microsecondsPerMonth), ("w", 604_800_000_000),
        ("d", 86_400_000_000), ("h", 3_600_000_000), ("min", 60_000_000), ("s", 1_000_000), ("ms", 1000),
        ("us", 1),
    ]

    public var description: String { formatted() }

    /// Formats like systemd's `format_timespan()`: `2h 30min`, `1.500000s`, `2w`, `infinity`.
    ///
    /// - Parameter accuracy: parts smaller than this are left out once something was printed, and
    ///   fractions below one minute get as many digits as it allows (systemd's default for display
    ///   in `systemd-analyze timespan` is 1µs).
    public func formatted(accuracy: TimeSpan = TimeSpan(microseconds: 1)) -> String {
        if isInfinite { return "infinity" }
        if microseconds == 0 { return "0" }
        var t = microseconds
        var parts: [String] = []
        for unit in Self.displayUnits {
            if t == 0 { break }
            if t < accuracy.microseconds && !parts.isEmpty { break }
            if t < unit.microseconds { continue }
            let whole = t / unit.microseconds
            var remainder = t % unit.microseconds
            if t < 60_000_000 && remainder > 0 {
                var digits = 0
                var scale = unit.microseconds
                while scale > 1 {
                    digits += 1
                    scale /= 10
                }
                var precision = accuracy.microseconds
                while precision > 1 {
                    remainder /= 10
                    digits -= 1
                    precision /= 10
                }
                if digits > 0 {
                    let fraction = String(remainder)
                    let padded = String(repeating: "0", count: max(0, digits - fraction.count)) + fraction
                    parts.append("\(whole).\(padded)\(unit.suffix)")
                    break
                }
            }
            parts.append("\(whole)\(unit.suffix)")
            t %= unit.microseconds
        }
        return parts.joined(separator: " ")
    }
}

/// Why a time span was rejected.
public struct TimeSpanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text as given.
    public var text: String
    /// 1-based column (in characters) of the problem.
    public var position: Int
    /// What is wrong.
    public var reason: String

    public var description: String { "invalid time span '\(text)': at column \(position): \(reason)" }
}
