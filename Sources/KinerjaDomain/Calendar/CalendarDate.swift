import Foundation
import KinerjaCalendar

/// A day on the proleptic Gregorian calendar, without a time of day or a time zone.
///
/// Rule implemented: calendar validity for NIP birth dates (docs/domain-rules.md "Domain rules": "the dates must be
/// real dates"), period bounds and training dates. Day arithmetic is exact integer arithmetic
/// (days-from-civil, H. Hinnant's public-domain algorithm, in `KinerjaCalendar.CivilCalendar`), so it needs no `Calendar`, no locale and
/// no clock. Years are limited to 1...9999 so the text form is always `YYYY-MM-DD`.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A real date, or `nil` (month 1–12, day within the month, leap years counted, year 1–9999).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CalendarDate.daysInMonth(year: year, month: month) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` days after 1970-01-01 (negative before it).
    public init(daysSinceEpoch days: Int) {
        (year, month, day) = CivilCalendar.date(fromDays: days)
    }

    /// Days since 1970-01-01 (negative before it).
    public var daysSinceEpoch: Int {
        CivilCalendar.days(year: year, month: month, day: day)
    }

    /// This date moved by `days` (may be negative).
    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int {
        let weekday = CivilCalendar.weekday(fromDays: daysSinceEpoch)  // 0 = Sunday
        return weekday == 0 ? 7 : weekday
    }

    /// Gregorian leap year rule: divisible by 4, except centuries not divisible by 400.
    public static func isLeapYear(_ year: Int) -> Bool {
        CivilCalendar.isLeapYear(year)
    }

    /// Number of days in `month` of `year` (0 for a month outside 1–12).
    public static func daysInMonth(year: Int, month: Int) -> Int {
        (1...12).contains(month) ? CivilCalendar.daysInMonth(year: year, month: month) : 0
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
    }

    /// Parses `YYYY-MM-DD` (exactly that form); `nil` when malformed or not a real date.
    public init?(iso text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let y = Self.number(bytes[0..<4]), let m = Self.number(bytes[5..<7]),
              let d = Self.number(bytes[8..<10]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// The instant this day starts (local midnight) in `timeZone`.
    public func startInstant(in timeZone: TimeZone) -> Date {
        let localMidnight = Double(daysSinceEpoch) * 86_400
        // Two refinements settle the offset even around a DST change.
        var guess = Date(timeIntervalSince1970: localMidnight - Double(timeZone.secondsFromGMT(
            for: Date(timeIntervalSince1970: localMidnight))))
        guess = Date(timeIntervalSince1970: localMidnight - Double(timeZone.secondsFromGMT(for: guess)))
        return guess
    }

    /// The calendar day of `instant` as seen in `timeZone`.
    public init(_ instant: Date, in timeZone: TimeZone) {
        let local = instant.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: instant))
        self.init(daysSinceEpoch: Int((local / 86_400).rounded(.down)))
    }

    /// `value` in decimal, zero-padded on the left to `width` digits.
    public static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for b in bytes {
            guard b >= 48, b <= 57 else { return nil }
            value = value * 10 + Int(b - 48)
        }
        return bytes.isEmpty ? nil : value
    }
}

extension CalendarDate: Codable {
    /// Encoded as the string `YYYY-MM-DD`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CalendarDate(iso: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a real date as YYYY-MM-DD, found '\(text)'")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
