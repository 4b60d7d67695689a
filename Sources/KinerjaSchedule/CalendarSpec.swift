import Foundation

/// A systemd calendar event expression (systemd.time(7), "CALENDAR EVENTS"), e.g.
/// `Mon..Fri 09:00`, `*-*~01`, `quarterly`, `*-01,04,07,10-01 08:00 Asia/Jakarta`.
///
/// Parse with ``parse(_:localZone:database:)``; ``normalized`` is systemd's "Normalized form" and
/// ``nextElapse(after:in:)`` gives the same next elapse as systemd 252.
public struct CalendarSpec: Sendable, Hashable, CustomStringConvertible {
    /// The weekdays of the week that match (Monday = bit 0 ... Sunday = bit 6); nil matches every
    /// day.
    public var weekdays: Set<Weekday>? {
        guard weekdayBits >= 0 else { return nil }
        return Set(Weekday.allCases.filter { weekdayBits & (1 << $0.rawValue) != 0 })
    }
    /// systemd's `weekdays_bits`: -1 for "any day", else bits Monday (1) ... Sunday (64).
    var weekdayBits: Int = -1

    /// Years (full, 1970...2199); empty means `*`.
    public internal(set) var year: [CalendarComponent] = []
    /// Months 1...12; empty means `*`.
    public internal(set) var month: [CalendarComponent] = []
    /// Days of the month 1...31 (or days from the end of the month when ``endOfMonth``); empty
    /// means `*`.
    public internal(set) var day: [CalendarComponent] = []
    /// Hours 0...23; empty means `*`.
    public internal(set) var hour: [CalendarComponent] = []
    /// Minutes 0...59; empty means `*`.
    public internal(set) var minute: [CalendarComponent] = []
    /// Seconds in microseconds (0...59999999); empty means `*`.
    public internal(set) var microsecond: [CalendarComponent] = []
    /// Whether ``day`` counts from the end of the month (`~`).
    public internal(set) var endOfMonth = false
    /// The time zone the expression names, if any.
    public internal(set) var zone: CalendarZone = .local
    /// systemd's `dst`: -1, or the `tm_isdst` forced by a local zone abbreviation suffix (kept
    /// even when `@EPOCH` makes the expression UTC).
    var forcedDST = -1
    /// A zone name written after `@EPOCH`: the expression is UTC, but systemd still computes it in
    /// a child process running in that zone.
    var childZoneName: String?

    /// The expression as written.
    public internal(set) var original: String = ""

    /// Days of the week, numbered as systemd numbers them internally.
    public enum Weekday: Int, Sendable, Hashable, CaseIterable, Comparable {
        case monday = 0, tuesday, wednesday, thursday, friday, saturday, sunday

        /// English abbreviation, as systemd prints it.
        public var abbreviation: String {
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][rawValue]
        }

        public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var description: String { normalized }

    /// Whether the expression names a tz database zone (systemd computes it in a child process).
    var hasOwnZoneName: Bool {
        if case .named = zone { return true }
        return childZoneName != nil
    }

    /// systemd's normalised form, e.g. `Mon..Fri *-*-* 09:00:00`.
    public var normalized: String {
        var text = ""
        if weekdayBits > 0 && weekdayBits <= 127 {
            text += formattedWeekdays()
            text += " "
        }
        text += Self.format(chain: year, width: 4, microseconds: false)
        text += "-"
        text += Self.format(chain: month, width: 2, microseconds: false)
        text += endOfMonth ? "~" : "-"
        text += Self.format(chain: day, width: 2, microseconds: false)
        text += " "
        text += Self.format(chain: hour, width: 2, microseconds: false)
        text += ":"
        text += Self.format(chain: minute, width: 2, microseconds: false)
        text += ":"
        text += Self.format(chain: microsecond, width: 2, microseconds: true)
        switch zone {
        case .local: break
        case .utc: text += " UTC"
        case .named(let name): text += " " + name
        case .localAbbreviation(let abbreviation, _):
            if !abbreviation.isEmpty { text += " " + abbreviation }
        }
        return text
    }

    /// Weekdays as systemd prints them: runs of three or more as `Mon..Wed`, others listed.
    private func formattedWeekdays() -> String {
        var text = ""
        var runStart = -1
        var needComma = false
        for x in 0...7 {
            let set = x < 7 && weekdayBits & (1 << x) != 0
            if set {
                if runStart < 0 {
                    if needComma { text += "," } else { needComma = true }
                    text += Weekday(rawValue: x)!.abbreviation
                    runStart = x
                }
            } else if runStart >= 0 {
                if x > runStart + 1 {
                    text += x > runStart + 2 ? ".." : ","
                    text += Weekday(rawValue: x - 1)!.abbreviation
                }
                runStart = -1
            }
        }
        return text
    }

    /// One field as systemd prints it (`*`, `01,15`, `1..5`, `00/15`, `23.420000/3.170001`).
    static func format(chain: [CalendarComponent], width: Int, microseconds: Bool) -> String {
        let divisor = microseconds ? 1_000_000 : 1
        if chain.isEmpty
            || (microseconds && chain.contains { $0.start == 0 && $0.stop == nil && $0.repetition == divisor })
        {
            return "*"
        }
        func padded(_ value: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        func fraction(_ value: Int) -> String {
            let digits = String(value)
            return "." + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        }
        return chain.map { c -> String in
            var text = padded(c.start / divisor)
            if c.start % divisor > 0 { text += fraction(c.start % divisor) }
            if let stop = c.stop, stop > 0 {
                text += ".." + padded(stop / divisor)
                if stop % divisor > 0 { text += fraction(stop % divisor) }
            }
            if c.repetition > 0 && !((c.stop ?? -1) > 0 && c.repetition == divisor) {
                text += "/" + String(c.repetition / divisor)
            }
            if c.repetition % divisor > 0 { text += fraction(c.repetition % divisor) }
            return text
        }.joined(separator: ",")
    }
}

/// The time zone part of a calendar expression.
public enum CalendarZone: Sendable, Hashable {
    /// No zone written: the local zone of the evaluation.
    case local
    /// ` UTC` (any case).
    case utc
    /// An IANA zone name such as `Asia/Jakarta`, checked against the tz database.
    case named(String)
    /// The local zone's own abbreviation (glibc `tzname[0]` or `tzname[1]`, e.g. `WIB`, `CEST`):
    /// local time with `tm_isdst` forced to standard (false) or daylight (true) time, as systemd
    /// does.
    case localAbbreviation(String, isDST: Bool)
}
