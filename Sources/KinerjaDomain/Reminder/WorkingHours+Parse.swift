import Foundation

/// Why a working-hours expression could not be read: the text, the 1-based column of the part at
/// fault, and the reason.
public struct WorkingHoursError: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var column: Int
    public var reason: String

    public var description: String { "working hours '\(text)', column \(column): \(reason)" }
}

extension WorkingHours {
    /// Reads `WEEKDAYS HH:MM..HH:MM ZONE`, e.g. `Mon..Fri 08:00..15:59 Asia/Jakarta`.
    ///
    /// - Weekdays (optional; every day when left out): a comma-separated list of English day names
    ///   (`Mon` or `Monday`, any case) or ranges `Mon..Fri` (also `Mon-Fri`), as in systemd.time(7).
    ///   A range runs forward within the week (`Fri..Mon` is refused).
    /// - Time window: `HH:MM..HH:MM`, both ends inclusive to the minute, so `08:00..15:59` allows
    ///   08:00:00 up to 15:59:59 (stored as `from` 08:00, `until` 16:00).
    /// - Zone: an IANA name (`Asia/Jakarta`, `Asia/Makassar`, `UTC`); when left out, `defaultTimeZone`,
    ///   and an error when that is `nil` too (the system zone is never assumed).
    public static func parse(_ text: String, defaultTimeZone: TimeZone? = nil) throws(WorkingHoursError) -> WorkingHours {
        var tokens: [(text: Substring, column: Int)] = []
        var index = text.startIndex
        var column = 1
        while index < text.endIndex {
            if text[index] == " " || text[index] == "\t" {
                index = text.index(after: index)
                column += 1
                continue
            }
            let start = index
            let startColumn = column
            while index < text.endIndex, text[index] != " ", text[index] != "\t" {
                index = text.index(after: index)
                column += 1
            }
            tokens.append((text[start..<index], startColumn))
        }
        func fail(_ column: Int, _ reason: String) -> WorkingHoursError {
            WorkingHoursError(text: text, column: column, reason: reason)
        }
        guard !tokens.isEmpty else {
            throw fail(1, "empty; expected e.g. 'Mon..Fri 08:00..15:59 Asia/Jakarta'")
        }
        var position = 0
        var weekdays: Set<Int> = Set(1...7)
        if let first = tokens.first?.text.first, !first.isNumber {
            weekdays = try parseWeekdays(tokens[0].text, column: tokens[0].column, fail: fail)
            position = 1
        }
        guard position < tokens.count else {
            throw fail(column, "a time window such as 08:00..15:59 is missing")
        }
        let window = tokens[position]
        let (from, until) = try parseWindow(window.text, column: window.column, fail: fail)
        position += 1
        var zone: TimeZone
        if position < tokens.count {
            let name = String(tokens[position].text)
            guard let z = TimeZone(identifier: name) else {
                throw fail(tokens[position].column, "'\(name)' is not a known IANA time zone (e.g. Asia/Jakarta)")
            }
            zone = z
            position += 1
        } else if let defaultTimeZone {
            zone = defaultTimeZone
        } else {
            throw fail(column, "a time zone such as Asia/Jakarta is missing")
        }
        guard position == tokens.count else {
            throw fail(tokens[position].column, "unexpected '\(tokens[position].text)' after the time zone")
        }
        return WorkingHours(weekdays: weekdays, from: from, until: until, timeZone: zone)
    }

    private static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    private static let fullDayNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    private static func weekday(_ text: Substring) -> Int? {
        let lower = text.lowercased()
        if let i = dayNames.firstIndex(of: lower) ?? fullDayNames.firstIndex(of: lower) { return i + 1 }
        return nil
    }

    private static func parseWeekdays(_ text: Substring, column: Int,
                                      fail: (Int, String) -> WorkingHoursError) throws(WorkingHoursError) -> Set<Int> {
        var result: Set<Int> = []
        var offset = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let itemColumn = column + offset
            offset += item.count + 1
            guard !item.isEmpty else { throw fail(itemColumn, "empty weekday in the list") }
            var bounds: [Substring] = []
            if let range = item.range(of: "..") {
                bounds = [item[..<range.lowerBound], item[range.upperBound...]]
            } else if let dash = item.firstIndex(of: "-") {
                bounds = [item[..<dash], item[item.index(after: dash)...]]
            } else {
                bounds = [item]
            }
            var days: [Int] = []
            var boundOffset = 0
            for bound in bounds {
                guard let d = weekday(bound) else {
                    throw fail(itemColumn + boundOffset,
                               "'\(bound)' is not a weekday; expected Mon, Tue, Wed, Thu, Fri, Sat or Sun")
                }
                days.append(d)
                boundOffset += bound.count + (item.contains("..") ? 2 : 1)
            }
            if days.count == 2 {
                guard days[0] <= days[1] else {
                    throw fail(itemColumn, "the range '\(item)' runs backwards; write the days from Monday to Sunday")
                }
                result.formUnion(days[0]...days[1])
            } else {
                result.insert(days[0])
            }
        }
        return result
    }

    private static func parseWindow(_ text: Substring, column: Int,
                                    fail: (Int, String) -> WorkingHoursError) throws(WorkingHoursError) -> (TimeOfDay, TimeOfDay) {
        guard let range = text.range(of: "..") else {
            throw fail(column, "'\(text)' is not a time window; expected HH:MM..HH:MM such as 08:00..15:59")
        }
        let startText = text[..<range.lowerBound]
        let endText = text[range.upperBound...]
        func time(_ part: Substring, _ partColumn: Int) throws(WorkingHoursError) -> TimeOfDay {
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count == 2, (1...2).contains(pieces[0].count), pieces[1].count == 2,
                  let h = Int(pieces[0]), let m = Int(pieces[1]), let t = TimeOfDay(hour: h, minute: m), h < 24 else {
                throw fail(partColumn, "'\(part)' is not a time HH:MM between 00:00 and 23:59")
            }
            return t
        }
        let start = try time(startText, column)
        let endColumn = column + startText.count + 2
        let last = try time(endText, endColumn)
        guard start <= last else {
            throw fail(endColumn, "the window ends (\(last)) before it starts (\(start))")
        }
        return (start, TimeOfDay(hour: (last.minutes + 1) / 60, minute: (last.minutes + 1) % 60)!)
    }
}
