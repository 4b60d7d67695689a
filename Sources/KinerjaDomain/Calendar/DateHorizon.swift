import Foundation

/// How far ahead a period or a date may lie: at most ``years`` years after today. A performance
/// period, a training date, an SKM survey or a review time further ahead is a typing mistake
/// (`9999-Q4`, `9999-12-31`), and a cycle opened for it would sit in every list for ever.
///
/// Rule: a date is refused when it is after `today + 5 years` (the same day and month, 29 February
/// counting as 28 February); a period is refused when it starts after that day.
public struct DateHorizon: Sendable, Hashable {
    /// Years ahead of today that are still accepted.
    public static let years = 5
    /// The last accepted day.
    public let latest: CalendarDate

    public init(today: CalendarDate) {
        let year = today.year + Self.years
        latest = CalendarDate(year: year, month: today.month, day: today.day)
            ?? CalendarDate(year: year, month: today.month, day: 28)!
    }

    /// The horizon at the instant `now`, today read in `timeZone`.
    public init(now: Date, timeZone: TimeZone) {
        self.init(today: CalendarDate(now, in: timeZone))
    }

    /// Why `date` is too far ahead, or `nil`.
    public func problem(date: CalendarDate) -> String? {
        date > latest ? "\(date) is more than \(Self.years) years ahead (the latest accepted date is \(latest))" : nil
    }

    /// Why `period` is too far ahead, or `nil`.
    public func problem(period: Period) -> String? {
        period.start > latest
            ? "period \(period) starts more than \(Self.years) years ahead (the latest accepted start is \(latest))" : nil
    }

    /// Why the instant `date` (read in `timeZone`) is too far ahead, or `nil`.
    public func problem(instant: Date, timeZone: TimeZone) -> String? {
        problem(date: CalendarDate(instant, in: timeZone))
    }
}
