import KinerjaCalendar

/// A POSIX `TZ` rule string such as `CET-1CEST,M3.5.0,M10.5.0/3` (the footer of a TZif file, or
/// a `TZ` environment value), read and applied the way glibc 2.36 does (`__tzset_parse_tz`,
/// `compute_change`, `__tz_compute`).
struct PosixTimeZoneRule: Sendable, Hashable {
    /// When a change happens within a year.
    enum DateRule: Sendable, Hashable {
        /// `Jn`: day 1...365, February 29 never counted.
        case julianSkippingLeapDay(Int)
        /// `n`: day 0...365, February 29 counted.
        case zeroBasedDay(Int)
        /// `Mm.n.d`: weekday `d` (0 = Sunday) of week `n` (5 = last) of month `m`.
        case monthWeekDay(month: Int, week: Int, weekday: Int)
    }

    /// One of glibc's two `tz_rule` entries: 0 = standard time (with the rule for the start of
    /// daylight saving time), 1 = daylight saving time (with the rule for its end).
    struct Part: Sendable, Hashable {
        var name: String = ""
        /// Seconds east of UTC.
        var offset: Int = 0
        var date: DateRule = .zeroBasedDay(0)
        /// Local time of day of the change, in seconds.
        var secondsOfDay: Int = 0
    }

    var standard = Part()
    var daylight = Part()

    /// Parses a rule string; never fails, like glibc, which falls back to unnamed UTC fields.
    init(_ text: String) {
        var scanner = ByteScanner(Array(text.utf8))
        guard let stdName = scanner.zoneName(), let stdOffset = scanner.offset(required: true) else {
            return
        }
        standard.name = stdName
        standard.offset = stdOffset
        guard !scanner.atEnd else {
            daylight.name = standard.name
            daylight.offset = standard.offset
            return
        }
        if let dstName = scanner.zoneName() {
            daylight.name = dstName
            daylight.offset = scanner.offset(required: false) ?? standard.offset + 3600
        }
        if let start = scanner.changeRule(isStart: true) {
            standard.date = start.date
            standard.secondsOfDay = start.seconds
            if let end = scanner.changeRule(isStart: false) {
                daylight.date = end.date
                daylight.secondsOfDay = end.seconds
            }
        }
    }

    /// Offset, DST flag and abbreviation in force at `seconds` since the epoch.
    func localTime(at seconds: Int64) -> (offset: Int, isDST: Bool, abbreviation: String) {
        let utcYear = BrokenDownTime(seconds: seconds, offset: 0).fullYear
        let start = Self.change(standard, year: utcYear)
        let end = Self.change(daylight, year: utcYear)
        let t = Int(seconds)
        let isDST = start > end ? (t < end || t >= start) : (t >= start && t < end)
        let part = isDST ? daylight : standard
        return (part.offset, isDST, part.name)
    }

    /// UTC seconds of the change described by `part` in `year` (glibc `compute_change`,
    /// including its treatment of years up to 1970 as 1970-01-01).
    static func change(_ part: Part, year: Int) -> Int {
        var t = 0
        if year > 1970 {
            let leapDays = ((year - 1) / 4 - 1970 / 4) - ((year - 1) / 100 - 1970 / 100) + ((year - 1) / 400 - 1970 / 400)
            t = ((year - 1970) * 365 + leapDays) * CivilCalendar.secondsPerDay
        }
        let leap = CivilCalendar.isLeapYear(year)
        switch part.date {
        case .julianSkippingLeapDay(let d):
            t += (d - 1) * CivilCalendar.secondsPerDay
            if d >= 60 && leap { t += CivilCalendar.secondsPerDay }
        case .zeroBasedDay(let d):
            t += d * CivilCalendar.secondsPerDay
        case .monthWeekDay(let month, let week, let weekday):
            let table = CivilCalendar.daysBeforeMonth[leap ? 1 : 0]
            t += table[month - 1] * CivilCalendar.secondsPerDay
            let m1 = (month + 9) % 12 + 1
            let yy0 = month <= 2 ? year - 1 : year
            let yy1 = yy0 / 100
            let yy2 = yy0 % 100
            var dow = ((26 * m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 - 2 * yy1) % 7
            if dow < 0 { dow += 7 }
            var d = weekday - dow
            if d < 0 { d += 7 }
            var i = 1
            while i < week {
                if d + 7 >= table[month] - table[month - 1] { break }
                d += 7
                i += 1
            }
            t += d * CivilCalendar.secondsPerDay
        }
        return t - part.offset + part.secondsOfDay
    }
}

/// A cursor over ASCII bytes, with the small readers the POSIX TZ grammar needs.
private struct ByteScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    static func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= 48 && $0 <= 57 } ?? false }
    static func isAlpha(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }

    /// Reads a zone name: three or more letters, or `<...>` with letters, digits, `+`, `-`.
    mutating func zoneName() -> String? {
        var end = index
        while end < bytes.count, Self.isAlpha(bytes[end]) { end += 1 }
        if end - index >= 3 {
            defer { index = end }
            return String(decoding: bytes[index..<end], as: UTF8.self)
        }
        guard current == UInt8(ascii: "<") else { return nil }
        let start = index + 1
        end = start
        while end < bytes.count,
            Self.isAlpha(bytes[end]) || Self.isDigit(bytes[end]) || bytes[end] == 43 || bytes[end] == 45
        {
            end += 1
        }
        guard end < bytes.count, bytes[end] == UInt8(ascii: ">"), end - start >= 3 else { return nil }
        index = end + 1
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// Reads up to `count` `h[:m[:s]]` numbers; returns nil when not even the first is there.
    mutating func clockFields() -> [Int]? {
        var fields: [Int] = []
        var probe = index
        while fields.count < 3 {
            if !fields.isEmpty {
                guard probe < bytes.count, bytes[probe] == UInt8(ascii: ":") else { break }
                probe += 1
            }
            var value = 0
            var digits = 0
            while probe < bytes.count, Self.isDigit(bytes[probe]) {
                value = min(value * 10 + Int(bytes[probe] - 48), 65_535)
                probe += 1
                digits += 1
            }
            guard digits > 0 else { break }
            fields.append(value)
            index = probe
        }
        return fields.isEmpty ? nil : fields
    }

    /// Reads a UTC offset (`[+-]hh[:mm[:ss]]`, west positive) and returns it east positive.
    mutating func offset(required: Bool) -> Int? {
        if required {
            guard let b = current, b == 43 || b == 45 || Self.isDigit(b) else { return nil }
        }
        var sign = -1
        if let b = current, b == 43 || b == 45 {
            sign = b == 45 ? 1 : -1
            index += 1
        }
        guard let fields = clockFields() else { return nil }
        let hours = min(fields[0], 24)
        let minutes = fields.count > 1 ? min(fields[1], 59) : 0
        let seconds = fields.count > 2 ? min(fields[2], 59) : 0
        return sign * (hours * 3600 + minutes * 60 + seconds)
    }

    /// Reads `,date[/time]`; a missing rule means the US defaults, as in glibc.
    mutating func changeRule(isStart: Bool) -> (date: PosixTimeZoneRule.DateRule, seconds: Int)? {
        if current == UInt8(ascii: ",") { index += 1 }
        let date: PosixTimeZoneRule.DateRule
        if current == UInt8(ascii: "J") || Self.isDigit(current) {
            let julian = current == UInt8(ascii: "J")
            if julian {
                index += 1
                guard Self.isDigit(current) else { return nil }
            }
            var value = 0
            while Self.isDigit(current) {
                value = min(value * 10 + Int(bytes[index] - 48), 100_000)
                index += 1
            }
            guard value <= 365, !(julian && value == 0) else { return nil }
            date = julian ? .julianSkippingLeapDay(value) : .zeroBasedDay(value)
        } else if current == UInt8(ascii: "M") {
            index += 1
            var parts: [Int] = []
            while parts.count < 3 {
                if !parts.isEmpty {
                    guard current == UInt8(ascii: ".") else { return nil }
                    index += 1
                }
                var value = 0
                var digits = 0
                while Self.isDigit(current) {
                    value = min(value * 10 + Int(bytes[index] - 48), 65_535)
                    index += 1
                    digits += 1
                }
                guard digits > 0 else { return nil }
                parts.append(value)
            }
            guard (1...12).contains(parts[0]), (1...5).contains(parts[1]), parts[2] <= 6 else { return nil }
            date = .monthWeekDay(month: parts[0], week: parts[1], weekday: parts[2])
        } else if atEnd {
            date = isStart ? .monthWeekDay(month: 3, week: 2, weekday: 0) : .monthWeekDay(month: 11, week: 1, weekday: 0)
        } else {
            return nil
        }
        guard atEnd || current == UInt8(ascii: "/") || current == UInt8(ascii: ",") else { return nil }
        var seconds = 2 * 3600
        if current == UInt8(ascii: "/") {
            index += 1
            guard !atEnd else { return nil }
            let negative = current == UInt8(ascii: "-")
            if negative { index += 1 }
            var fields = clockFields() ?? [2]
            while fields.count < 3 { fields.append(0) }
            seconds = (negative ? -1 : 1) * (fields[0] * 3600 + fields[1] * 60 + fields[2])
        }
        return (date, seconds)
    }
}
