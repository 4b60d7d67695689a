import Foundation

/// A wall-clock time of day, to the minute: 00:00 … 24:00 (24:00 only as the end of a window).
public struct TimeOfDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Minutes since midnight, 0…1440.
    public let minutes: Int

    /// `nil` unless 0 ≤ hour ≤ 23 and 0 ≤ minute ≤ 59, or exactly 24:00.
    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour) && (0...59).contains(minute) || (hour == 24 && minute == 0) else { return nil }
        minutes = hour * 60 + minute
    }

    public var hour: Int { minutes / 60 }
    public var minute: Int { minutes % 60 }

    /// `08:00`.
    public var description: String { CalendarDate.pad(hour, 2) + ":" + CalendarDate.pad(minute, 2) }

    public static func < (a: TimeOfDay, b: TimeOfDay) -> Bool { a.minutes < b.minutes }
}

/// When reminders may be sent: some weekdays, between two wall-clock times, in an explicit time zone.
///
/// Rule implemented: docs/domain-rules.md "working hours … (no messages at night, on weekends or holidays)";
/// working hours written like a calendar expression (e.g. `Mon..Fri 08:00..15:59 Asia/Jakarta`). The
/// window is `from` inclusive to `until` exclusive, on the listed ISO weekdays (1 = Monday … 7 =
/// Sunday), read in `timeZone` (an IANA zone; never the system zone). Holidays are the policy's
/// business (`ReminderPolicy`), not this type's. Default: Monday–Friday 08:00–16:00 Asia/Jakarta.
public struct WorkingHours: Sendable, Hashable {
    /// ISO weekdays on which messages may go out.
    public var weekdays: Set<Int>
    /// Start of the window (inclusive).
    public var from: TimeOfDay
    /// End of the window (exclusive); 24:00 for "until midnight".
    public var until: TimeOfDay
    public var timeZone: TimeZone

    public init(weekdays: Set<Int> = [1, 2, 3, 4, 5], from: TimeOfDay = TimeOfDay(hour: 8, minute: 0)!,
                until: TimeOfDay = TimeOfDay(hour: 16, minute: 0)!, timeZone: TimeZone) {
        self.weekdays = weekdays
        self.from = from
        self.until = until
        self.timeZone = timeZone
    }

    /// What is wrong, one sentence per problem naming the field; empty when valid.
    public var problems: [String] {
        var result: [String] = []
        if weekdays.isEmpty { result.append("working_hours: at least one weekday is needed") }
        if let bad = weekdays.sorted().first(where: { !(1...7).contains($0) }) {
            result.append("working_hours: weekday \(bad) is not an ISO weekday 1 (Monday) … 7 (Sunday)")
        }
        if from >= until {
            result.append("working_hours: the window must start before it ends, found \(from)..\(until)")
        }
        return result
    }

    /// The local calendar day of `instant` and the seconds since that day's local midnight (wall clock).
    public func local(_ instant: Date) -> (day: CalendarDate, secondOfDay: Double) {
        let local = instant.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: instant))
        let days = Int((local / 86_400).rounded(.down))
        return (CalendarDate(daysSinceEpoch: days), local - Double(days) * 86_400)
    }

    /// Whether `instant` falls on a listed weekday inside the window (holidays not considered).
    public func contains(_ instant: Date) -> Bool {
        let (day, second) = local(instant)
        return weekdays.contains(day.isoWeekday)
            && second >= Double(from.minutes * 60) && second < Double(until.minutes * 60)
    }

    /// The instant the wall clock in `timeZone` shows `time` on `day`. A time skipped by a daylight
    /// saving change maps to the first instant after the gap (Foundation `Calendar` rules).
    public func instant(on day: CalendarDate, at time: TimeOfDay) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let (target, minutes) = time.minutes == 1440 ? (day.adding(days: 1), 0) : (day, time.minutes)
        let components = DateComponents(year: target.year, month: target.month, day: target.day,
                                        hour: minutes / 60, minute: minutes % 60, second: 0)
        return calendar.date(from: components) ?? target.startInstant(in: timeZone)
            .addingTimeInterval(Double(minutes * 60))
    }

    /// `Mon..Fri 08:00..15:59 Asia/Jakarta`: the form `parse` reads (the end written as its last minute).
    public var expression: String {
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        var parts: [String] = []
        var day = 1
        while day <= 7 {
            guard weekdays.contains(day) else { day += 1; continue }
            var last = day
            while last < 7, weekdays.contains(last + 1) { last += 1 }
            parts.append(last == day ? names[day - 1]
                         : last == day + 1 ? names[day - 1] + "," + names[last - 1]
                         : names[day - 1] + ".." + names[last - 1])
            day = last + 1
        }
        let lastMinute = until.minutes - 1
        let end = CalendarDate.pad(lastMinute / 60, 2) + ":" + CalendarDate.pad(lastMinute % 60, 2)
        return parts.joined(separator: ",") + " \(from)..\(end) " + timeZone.identifier
    }
}
