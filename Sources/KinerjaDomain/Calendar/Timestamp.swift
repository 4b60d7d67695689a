import Foundation

/// Parser for the ISO 8601 timestamps used in import files (e.g. a review's `submitted_at`).
///
/// Accepted: `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `T` or a space, followed by `Z`, `±HH:MM`, `±HHMM`,
/// `±HH` or nothing; with nothing, the wall time is read in the caller's `defaultTimeZone` (the
/// deployment's zone, e.g. Asia/Jakarta). A date alone (`YYYY-MM-DD`) means its local midnight.
/// Pure: no clock, no locale, no `DateFormatter`.
public enum Timestamp {
    /// The instant written in `text`, or `nil` when it is not one of the accepted forms or not a real
    /// date and time (hour 0–23, minute 0–59, second 0–60).
    public static func parse(_ text: String, defaultTimeZone: TimeZone) -> Date? {
        // Foundation's trimming only when an end may be whitespace (a review file has a time on
        // every row, and its values come trimmed already).
        func plain(_ byte: UInt8?) -> Bool { byte.map { $0 < 0x80 && $0 != 0x20 && $0 != 0x09 } ?? true }
        let b = plain(text.utf8.first) && plain(text.utf8.last) ? Array(text.utf8) : Array(text.trimmingCharacters(in: .whitespaces).utf8)
        guard b.count >= 10, let date = CalendarDate(iso: String(decoding: b[0..<10], as: UTF8.self)) else {
            return nil
        }
        if b.count == 10 { return date.startInstant(in: defaultTimeZone) }
        guard b.count >= 16, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == 32,
              b[13] == UInt8(ascii: ":"),
              let hour = CalendarDate.number(b[11..<13]), let minute = CalendarDate.number(b[14..<16]),
              hour < 24, minute < 60 else { return nil }
        var i = 16
        var seconds = 0.0
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard i + 3 <= b.count, let s = CalendarDate.number(b[(i + 1)..<(i + 3)]), s <= 60 else { return nil }
            seconds = Double(s)
            i += 3
            if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                var j = i + 1
                var scale = 0.1
                while j < b.count, b[j] >= 48, b[j] <= 57 {
                    seconds += Double(b[j] - 48) * scale
                    scale /= 10
                    j += 1
                }
                guard j > i + 1 else { return nil }
                i = j
            }
        }
        let local = Double(date.daysSinceEpoch) * 86_400 + Double(hour * 3600 + minute * 60) + seconds
        if i == b.count {
            let guess = Date(timeIntervalSince1970: local - Double(defaultTimeZone.secondsFromGMT(
                for: Date(timeIntervalSince1970: local))))
            return Date(timeIntervalSince1970: local - Double(defaultTimeZone.secondsFromGMT(for: guess)))
        }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            return i + 1 == b.count ? Date(timeIntervalSince1970: local) : nil
        }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return nil }
        let sign = b[i] == UInt8(ascii: "+") ? 1 : -1
        let rest = b[(i + 1)...]
        let offsetHours: Int
        var offsetMinutes = 0
        switch rest.count {
        case 2:
            guard let h = CalendarDate.number(rest) else { return nil }
            offsetHours = h
        case 4:
            guard let h = CalendarDate.number(rest.prefix(2)), let m = CalendarDate.number(rest.suffix(2)) else {
                return nil
            }
            offsetHours = h
            offsetMinutes = m
        case 5:
            guard rest[rest.startIndex + 2] == UInt8(ascii: ":"),
                  let h = CalendarDate.number(rest.prefix(2)), let m = CalendarDate.number(rest.suffix(2)) else {
                return nil
            }
            offsetHours = h
            offsetMinutes = m
        default:
            return nil
        }
        guard offsetHours <= 14, offsetMinutes < 60 else { return nil }
        return Date(timeIntervalSince1970: local - Double(sign * (offsetHours * 3600 + offsetMinutes * 60)))
    }
}
