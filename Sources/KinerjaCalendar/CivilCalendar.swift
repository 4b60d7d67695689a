/// Proleptic Gregorian calendar arithmetic on plain integers, independent of any time zone.
///
/// The one implementation of the Gregorian calendar in the package: the domain's `CalendarDate` and
/// the systemd calendar evaluator both count days with it. Days are counted from 1970-01-01 (day 0);
/// negative days are before the epoch. No Foundation, no clock, no locale.
public enum CivilCalendar {
    public static let secondsPerDay = 86_400

    /// Cumulative day counts before each month (index 0...12), for common and leap years.
    public static let daysBeforeMonth: [[Int]] = [
        [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
        [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
    ]

    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        let table = daysBeforeMonth[isLeapYear(year) ? 1 : 0]
        return table[month] - table[month - 1]
    }

    /// Floor division (rounds towards negative infinity).
    public static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Modulo with the sign of the divisor.
    public static func floorMod(_ a: Int, _ b: Int) -> Int {
        a - floorDiv(a, b) * b
    }

    /// Days since 1970-01-01 of the given civil date; `month` is 1...12, `day` may run past the
    /// month's end (it is added linearly).
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let shiftedMonth = (month + 9) % 12
        let dayOfYear = (153 * shiftedMonth + 2) / 5
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468 + (day - 1)
    }

    /// The civil date (month 1...12) of a day count since 1970-01-01.
    public static func date(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// Day of the week of a day count, 0 = Sunday ... 6 = Saturday.
    public static func weekday(fromDays days: Int) -> Int {
        floorMod(days + 4, 7)
    }
}
