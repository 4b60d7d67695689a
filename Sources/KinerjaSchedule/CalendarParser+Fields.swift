extension CalendarParser {
    static let weekdayNames: [(name: String, number: Int)] = [
        ("Monday", 0), ("Mon", 0), ("Tuesday", 1), ("Tue", 1), ("Wednesday", 2), ("Wed", 2),
        ("Thursday", 3), ("Thu", 3), ("Friday", 4), ("Fri", 4), ("Saturday", 5), ("Sat", 5),
        ("Sunday", 6), ("Sun", 6),
    ]

    static let space = UInt8(ascii: " ")

    func skipSpaces(_ p: Int) -> Int {
        var q = p
        while q < end, bytes[q] == Self.space { q += 1 }
        return q
    }

    /// The optional weekday list (`Mon..Fri`, `Sat,Sun`, `mon-wed,fri`).
    mutating func parseWeekdays(from start: Int) throws(CalendarError) -> Int {
        var p = start
        var rangeStart = -1
        var first = true
        while true {
            guard let match = Self.weekdayNames.first(where: { hasPrefix($0.name, at: p) }) else {
                if first { return p }
                throw error(p, .weekday, "expected a weekday name, found '\(word(at: p))'")
            }
            let after = p + match.name.utf8.count
            guard [0, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ","), Self.space].contains(byte(after)) else {
                throw error(p, .weekday, "unknown weekday '\(word(at: p))'")
            }
            spec.weekdayBits = max(spec.weekdayBits, 0) | (1 << match.number)
            if rangeStart >= 0 {
                if rangeStart > match.number {
                    throw error(p, .weekday, "weekday range ends before it starts")
                }
                for day in (rangeStart + 1)..<max(match.number, rangeStart + 1) { spec.weekdayBits |= 1 << day }
            }
            p = after
            if p == end { return p }
            if bytes[p] == Self.space { return skipSpaces(p) }
            switch bytes[p] {
            case UInt8(ascii: "."):
                if rangeStart >= 0 { throw error(p, .weekday, "a weekday range cannot continue with '..'") }
                if byte(p + 1) != UInt8(ascii: ".") { throw error(p, .weekday, "expected '..' for a weekday range") }
                rangeStart = match.number
                p += 2
            case UInt8(ascii: "-"):
                if rangeStart >= 0 { throw error(p, .weekday, "a weekday range cannot continue with '-'") }
                rangeStart = match.number
                p += 1
            default:
                rangeStart = -1
                p += 1
            }
            if p == end || bytes[p] == Self.space {
                if rangeStart >= 0 { throw error(p, .weekday, "the weekday range has no end") }
                return skipSpaces(p)
            }
            first = false
        }
    }

    /// The optional date (`[year-]month-day`, `~` for days from the end of the month) or
    /// `@EPOCH`; returns the position after it and whether the time is settled too.
    mutating func parseDate(from start: Int) throws(CalendarError) -> (Int, Bool) {
        if start == end { return (start, false) }
        if bytes[start] == UInt8(ascii: "@") { return (try parseEpoch(from: start + 1), true) }
        let (afterFirst, first) = try parseChain(from: start, part: .date, microseconds: false)
        var t = afterFirst
        if t == end || bytes[t] == UInt8(ascii: ":") { return (start, false) }
        if bytes[t] == UInt8(ascii: "~") {
            spec.endOfMonth = true
        } else if bytes[t] != UInt8(ascii: "-") {
            throw error(t, .date, "expected '-' or '~' between date parts")
        }
        let (afterSecond, second) = try parseChain(from: t + 1, part: .date, microseconds: false)
        t = afterSecond
        if t == end || bytes[t] == Self.space {
            sources[.month] = first
            sources[.day] = second
            return (skipSpaces(t), false)
        }
        if spec.endOfMonth { throw error(t, .date, "'~' may only stand between month and day") }
        if bytes[t] == UInt8(ascii: "~") {
            spec.endOfMonth = true
        } else if bytes[t] != UInt8(ascii: "-") {
            throw error(t, .date, "expected '-' or '~' between date parts")
        }
        let (afterThird, third) = try parseChain(from: t + 1, part: .day, microseconds: false)
        t = afterThird
        if t != end && bytes[t] != Self.space { throw error(t, .day, "unexpected text after the date") }
        sources[.year] = first
        sources[.month] = second
        sources[.day] = third
        return (skipSpaces(t), false)
    }

    /// `@SECONDS`: that exact second in UTC.
    mutating func parseEpoch(from start: Int) throws(CalendarError) -> Int {
        var p = start
        while p < end, [9, 10, 11, 12, 13, 32].contains(bytes[p]) { p += 1 }
        var negative = false
        if p < end, bytes[p] == UInt8(ascii: "+") || bytes[p] == UInt8(ascii: "-") {
            negative = bytes[p] == UInt8(ascii: "-")
            p += 1
        }
        let digitsStart = p
        var value: UInt64 = 0
        var overflow = false
        while p < end, bytes[p] >= 48, bytes[p] <= 57 {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[p] - 48))
            overflow = overflow || o1 || o2
            value = sum
            p += 1
        }
        if p == digitsStart { throw error(start, .expression, "expected seconds since the epoch after '@'") }
        if overflow { throw error(start, .expression, "the number after '@' is too large", .outOfRange) }
        // Beyond year 2199 (or before 1970) the year check rejects it; clamp to stay in range.
        let clamped = Int64(min(value, 100_000_000_000))
        let seconds = negative ? -clamped : clamped
        let tm = gmtime.brokenDownTime(at: seconds)
        if case .named(let name) = spec.zone { spec.childZoneName = name }
        spec.zone = .utc
        for (part, value) in [
            (CalendarError.Part.year, tm.fullYear), (.month, tm.month + 1), (.day, tm.day), (.hour, tm.hour),
            (.minute, tm.minute), (.second, tm.second * 1_000_000),
        ] {
            sources[part] = [SourcedComponent(component: CalendarComponent(start: value), offset: start)]
        }
        return p
    }

    /// `hour:minute[:second]`, or midnight when the time is left out.
    mutating func parseTime(from start: Int) throws(CalendarError) -> Int {
        if start == end {
            for part in [CalendarError.Part.hour, .minute, .second] {
                sources[part] = [SourcedComponent(component: CalendarComponent(start: 0), offset: start)]
            }
            return start
        }
        let (afterHour, hours) = try parseChain(from: start, part: .hour, microseconds: false)
        guard afterHour < end, bytes[afterHour] == UInt8(ascii: ":") else {
            throw error(afterHour, .time, "expected ':' after the hour")
        }
        let (afterMinute, minutes) = try parseChain(from: afterHour + 1, part: .minute, microseconds: false)
        sources[.hour] = hours
        sources[.minute] = minutes
        if afterMinute == end {
            sources[.second] = [SourcedComponent(component: CalendarComponent(start: 0), offset: afterMinute)]
            return afterMinute
        }
        guard bytes[afterMinute] == UInt8(ascii: ":") else {
            throw error(afterMinute, .time, "expected ':' or the end after the minute")
        }
        let (afterSecond, seconds) = try parseChain(from: afterMinute + 1, part: .second, microseconds: true)
        if afterSecond != end { throw error(afterSecond, .second, "unexpected text after the seconds") }
        sources[.second] = seconds
        return afterSecond
    }
}
