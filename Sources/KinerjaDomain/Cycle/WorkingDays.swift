import Foundation

/// The days on which people work: the working weekdays and the holiday list (the ones the reminders
/// use, config `reminders.working_hours` and `reminders.holidays`), read in one time zone.
///
/// Rule implemented: a due date that falls on a weekend or a holiday moves to the next working day,
/// at the same time of day (config `cycles.due_on_working_day`), so nobody's deadline is a day they
/// are not at work.
public struct WorkingDays: Sendable, Hashable {
    /// ISO weekdays (1 = Monday … 7 = Sunday) that are working days.
    public var weekdays: Set<Int>
    public var holidays: Set<CalendarDate>
    public var timeZone: TimeZone

    public init(weekdays: Set<Int> = [1, 2, 3, 4, 5], holidays: Set<CalendarDate> = [], timeZone: TimeZone) {
        self.weekdays = weekdays
        self.holidays = holidays
        self.timeZone = timeZone
    }

    /// Monday to Friday and the shipped Indonesian holidays: the defaults of `reminders.working_hours`
    /// and `reminders.holidays`, so data made without a daemon (the demo) has the daemon's due dates.
    public static func standard(timeZone: TimeZone) -> WorkingDays {
        WorkingDays(holidays: Set(IndonesianHolidays.dates), timeZone: timeZone)
    }

    /// Whether `day` is a working weekday and not a holiday.
    public func isWorkingDay(_ day: CalendarDate) -> Bool {
        weekdays.contains(day.isoWeekday) && !holidays.contains(day)
    }

    /// `instant` when its local day is a working day; otherwise the same local time of day on the
    /// next working day. `nil` when no working day comes within a year (no weekday configured, or
    /// every one a holiday).
    public func onWorkingDay(_ instant: Date) -> Date? {
        let day = CalendarDate(instant, in: timeZone)
        let timeOfDay = instant.timeIntervalSince(day.startInstant(in: timeZone))
        for offset in 0...366 {
            let candidate = day.adding(days: offset)
            if isWorkingDay(candidate) {
                return offset == 0 ? instant : candidate.startInstant(in: timeZone).addingTimeInterval(timeOfDay)
            }
        }
        return nil
    }
}
