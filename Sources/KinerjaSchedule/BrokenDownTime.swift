import KinerjaCalendar

/// A calendar time split into fields, laid out like C's `struct tm` so that the calendar
/// evaluator can reproduce systemd's arithmetic on it field by field (fields may run out of
/// their usual ranges until they are normalised).
struct BrokenDownTime: Equatable, Sendable {
    /// Years since 1900 (`tm_year`).
    var year: Int
    /// Month 0...11 (`tm_mon`).
    var month: Int
    /// Day of the month 1...31 (`tm_mday`).
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    /// 0 = Sunday (`tm_wday`).
    var weekday: Int = 0
    /// 0...365 (`tm_yday`).
    var yearDay: Int = 0
    /// -1 = unknown, 0 = standard time, 1 = daylight saving time (`tm_isdst`).
    var isDST: Int = -1
    /// Seconds east of UTC (`tm_gmtoff`).
    var utcOffset: Int = 0
    /// Zone abbreviation (`tm_zone`).
    var zoneAbbreviation: String = ""

    /// The fields of `seconds` (since the epoch) shifted by `offset` seconds, as glibc's
    /// `__offtime` computes them. DST flag, offset and abbreviation are left for the caller.
    init(seconds: Int64, offset: Int) {
        let shifted = Int(seconds) + offset
        let days = CivilCalendar.floorDiv(shifted, CivilCalendar.secondsPerDay)
        let remainder = shifted - days * CivilCalendar.secondsPerDay
        let date = CivilCalendar.date(fromDays: days)
        year = date.year - 1900
        month = date.month - 1
        day = date.day
        hour = remainder / 3600
        minute = remainder % 3600 / 60
        second = remainder % 60
        weekday = CivilCalendar.weekday(fromDays: days)
        yearDay = CivilCalendar.daysBeforeMonth[CivilCalendar.isLeapYear(date.year) ? 1 : 0][month] + day - 1
        utcOffset = offset
    }

    init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, isDST: Int = -1) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.isDST = isDST
    }

    /// The full Gregorian year.
    var fullYear: Int { year + 1900 }
}
