import KinerjaCalendar

extension SystemdTimestamp {
    static let weekdayNames: [(name: String, number: Int)] = [
        ("Sunday", 0), ("Sun", 0), ("Monday", 1), ("Mon", 1), ("Tuesday", 2), ("Tue", 2), ("Wednesday", 3),
        ("Wed", 3), ("Thursday", 4), ("Thu", 4), ("Friday", 5), ("Fri", 5), ("Saturday", 6), ("Sat", 6),
    ]

    /// The `strptime()` formats systemd tries, in order: whether a `.fraction` may follow, and
    /// which fields the format leaves to be zeroed.
    static let formats: [(format: String, fraction: Bool, zeroSeconds: Bool, zeroTime: Bool)] = [
        ("%y-%m-%d %H:%M:%S", true, false, false),
        ("%Y-%m-%d %H:%M:%S", true, false, false),
        ("%b %d %H:%M:%S", true, false, false),
        ("%y-%m-%d %H:%M", false, true, false),
        ("%Y-%m-%d %H:%M", false, true, false),
        ("%y-%m-%d", false, false, true),
        ("%Y-%m-%d", false, false, true),
        ("%H:%M:%S", true, false, false),
        ("%H:%M", false, true, false),
    ]

    /// An absolute date and/or time (or today/yesterday/tomorrow) in `zone`, with `tm_isdst`
    /// forced to `dst` unless it is -1; microseconds since the epoch.
    static func absolute(
        _ t: [UInt8], text: String, now: SystemdTimestamp, zone: ZoneInfo, utc: Bool, dst: Int,
        lastLocaltime: inout Int64?
    ) throws(TimestampError) -> UInt64 {
        var libc = utc ? LibcTime(zone: zone.gmtimeCompanion, timegm: true) : LibcTime(zone: zone)
        defer { if let last = libc.lastConverted { lastLocaltime = last } }
        var tm = libc.localtime(Int64(CivilCalendar.floorDiv(Int(now.microseconds), 1_000_000)))
        tm.isDST = dst
        var microseconds = 0
        var weekday = -1
        let word = String(decoding: t, as: UTF8.self)
        switch word {
        case "today", "yesterday", "tomorrow":
            tm.day += word == "today" ? 0 : (word == "yesterday" ? -1 : 1)
            tm.hour = 0
            tm.minute = 0
            tm.second = 0
        default:
            var p = 0
            for entry in weekdayNames {
                let name = Array(entry.name.lowercased().utf8)
                guard t.count > name.count, t[name.count] == 32,
                    name.indices.allSatisfy({ ((t[$0] >= 65 && t[$0] <= 90) ? t[$0] + 32 : t[$0]) == name[$0] })
                else { continue }
                weekday = entry.number
                p = name.count + 1
                break
            }
            let copy = tm
            var matched = false
            for format in formats {
                tm = copy
                guard let k = Strptime.parse(t, from: p, format: format.format, into: &tm) else { continue }
                if format.fraction && k < t.count && t[k] == UInt8(ascii: ".") {
                    microseconds = try fraction(t, from: k + 1, text: text)
                } else if k != t.count {
                    continue
                }
                if format.zeroSeconds { tm.second = 0 }
                if format.zeroTime {
                    tm.hour = 0
                    tm.minute = 0
                    tm.second = 0
                }
                matched = true
                break
            }
            if !matched { throw TimestampError(text: text, reason: accepted) }
        }
        if weekday >= 0 && tm.weekday != weekday {
            throw TimestampError(text: text, reason: "the weekday does not match the date")
        }
        guard let seconds = libc.mktime(&tm), seconds >= 0 else {
            throw TimestampError(text: text, reason: "the time is before 1970")
        }
        return UInt64(seconds) * 1_000_000 + UInt64(microseconds)
    }

    /// Up to six fractional digits of a second (rounded on the seventh), to the end of the text.
    static func fraction(_ t: [UInt8], from start: Int, text: String) throws(TimestampError) -> Int {
        var k = start
        var value = 0
        var digits = 0
        func isDigit(_ i: Int) -> Bool { i < t.count && t[i] >= 48 && t[i] <= 57 }
        guard isDigit(k) else { throw TimestampError(text: text, reason: "expected digits after '.'") }
        while digits < 6 && isDigit(k) {
            value = value * 10 + Int(t[k] - 48)
            digits += 1
            k += 1
        }
        for _ in digits..<6 { value *= 10 }
        if digits == 6 && isDigit(k) && t[k] >= UInt8(ascii: "5") { value += 1 }
        while isDigit(k) { k += 1 }
        if k != t.count { throw TimestampError(text: text, reason: "unexpected text after the seconds") }
        return value
    }
}

/// `YYYY-MM-DDTHH:MM[:SS[.ffffff]]` followed by `Z`, `±HH`, `±HHMM` or `±HH:MM`.
enum ISO8601 {
    /// nil if `text` is not in ISO 8601 form at all (no `T` after a date); throws if it is but
    /// something is wrong.
    static func parse(_ text: String) throws(TimestampError) -> SystemdTimestamp? {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= b.count else { return nil }
            var value = 0
            for i in at..<(at + count) {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard b.count > 10, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
            let year = digits(0, 4), b[4] == UInt8(ascii: "-"), let month = digits(5, 2), b[7] == UInt8(ascii: "-"),
            let day = digits(8, 2)
        else { return nil }
        func fail(_ reason: String) -> TimestampError { TimestampError(text: text, reason: reason) }
        guard let hour = digits(11, 2), b.count > 13, b[13] == UInt8(ascii: ":"), let minute = digits(14, 2) else {
            throw fail("expected HH:MM after 'T'")
        }
        var i = 16
        var second = 0
        var micro = 0
        if i < b.count && b[i] == UInt8(ascii: ":") {
            guard let s = digits(i + 1, 2) else { throw fail("expected two digits of seconds") }
            second = s
            i += 3
            if i < b.count && (b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",")) {
                i += 1
                var count = 0
                while i < b.count && b[i] >= 48 && b[i] <= 57 {
                    if count < 6 { micro = micro * 10 + Int(b[i] - 48) }
                    count += 1
                    i += 1
                }
                guard count > 0 else { throw fail("expected digits after the decimal point") }
                for _ in min(count, 6)..<6 { micro *= 10 }
            }
        }
        guard i < b.count else { throw fail("an ISO 8601 time needs an offset (Z or +HH:MM)") }
        var offset = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = digits(i + 1, 2) else { throw fail("expected the offset hours") }
            i += 3
            var om = 0
            if i < b.count && b[i] == UInt8(ascii: ":") { i += 1 }
            if i < b.count {
                guard let m = digits(i, 2) else { throw fail("expected the offset minutes") }
                om = m
                i += 2
            }
            guard oh <= 23, om <= 59 else { throw fail("offset out of range") }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            throw fail("expected Z or an offset after the time")
        }
        guard i == b.count else { throw fail("unexpected text after the offset") }
        guard (1...12).contains(month), (1...CivilCalendar.daysInMonth(year: year, month: month)).contains(day),
            hour <= 23, minute <= 59, second <= 59
        else { throw fail("date or time field out of range") }
        let days = CivilCalendar.days(year: year, month: month, day: day)
        let seconds = days * CivilCalendar.secondsPerDay + hour * 3600 + minute * 60 + second - offset
        guard seconds >= 0, Int64(seconds) * 1_000_000 <= CalendarEvaluator.maximumMicroseconds else {
            throw fail("the time is outside 1970...9999")
        }
        return SystemdTimestamp(microseconds: Int64(seconds) * 1_000_000 + Int64(micro))
    }
}
