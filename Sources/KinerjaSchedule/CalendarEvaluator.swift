/// systemd 252's `find_next()`: walks a broken-down time forward field by field (year, month,
/// day, weekday, hour, minute, second), letting glibc `mktime` normalise it after every step, so
/// that DST gaps, repeated hours and impossible dates come out exactly as systemd computes them.
/// It jumps from candidate to candidate and gives up after 1000 steps like systemd.
struct CalendarEvaluator {
    enum Failure: Error {
        /// `ENOENT`: the expression never elapses again.
        case never
        /// `EDEADLK`: systemd's safety valve of 1000 steps was hit.
        case noConvergence
        /// `EINVAL`: base time or result outside what systemd handles.
        case outOfRange
    }

    static let maximumSteps = 1000
    static let maximumYear = 2199
    /// systemd's `USEC_TIMESTAMP_FORMATTABLE_MAX` (9999-12-30 23:59:59 UTC).
    static let maximumMicroseconds: Int64 = 253_402_214_399_000_000

    let spec: CalendarSpec
    var libc: LibcTime
    let utc: Bool

    /// - Parameter zone: the zone of the computation; for UTC expressions, whose leap seconds
    ///   `gmtime_r` applies (the process's zone).
    init(spec: CalendarSpec, zone: ZoneInfo) {
        self.spec = spec
        utc = spec.zone == .utc
        libc = utc ? LibcTime(zone: zone.gmtimeCompanion, timegm: true) : LibcTime(zone: zone)
    }

    /// The first elapse strictly after `base` (microseconds since the epoch).
    mutating func next(after base: Int64) throws(Failure) -> Int64 {
        guard base >= 0, base <= Self.maximumMicroseconds else { throw .outOfRange }
        let start = base + 1
        var tm = libc.localtime(start / 1_000_000)
        var microseconds = Int(start % 1_000_000)
        try findNext(&tm, &microseconds)
        guard let seconds = libc.mktime(&tm), seconds >= 0 else { throw .outOfRange }
        return seconds * 1_000_000 + Int64(microseconds)
    }

    private mutating func normalize(_ tm: inout BrokenDownTime) -> Int64? {
        libc.mktime(&tm)
    }

    private static func resetBelowDay(_ c: inout BrokenDownTime, _ usec: inout Int) {
        c.hour = 0
        c.minute = 0
        c.second = 0
        usec = 0
    }

    private mutating func findNext(_ tm: inout BrokenDownTime, _ usec: inout Int) throws(Failure) {
        var c = tm
        var micro = usec
        var invalidateDST = false
        for _ in 0..<Self.maximumSteps {
            _ = normalize(&c)
            if !invalidateDST { c.isDST = spec.forcedDST }

            var value = c.fullYear
            var r = matchingComponent(spec.year, isDay: false, tm: c, value: &value)
            c.year = value - 1900
            if r > 0 {
                c.month = 0
                c.day = 1
                Self.resetBelowDay(&c, &micro)
            }
            if r < 0 { throw .never }
            if withinBounds(&c) <= 0 { throw .never }

            value = c.month + 1
            r = matchingComponent(spec.month, isDay: false, tm: c, value: &value)
            c.month = value - 1
            if r > 0 {
                c.day = 1
                Self.resetBelowDay(&c, &micro)
            }
            if r >= 0 { r = withinBounds(&c) }
            if r < 0 {
                c.year += 1
                c.month = 0
                c.day = 1
                Self.resetBelowDay(&c, &micro)
                continue
            }
            if r == 0 { continue }

            value = c.day
            r = matchingComponent(spec.day, isDay: true, tm: c, value: &value)
            c.day = value
            if r > 0 { Self.resetBelowDay(&c, &micro) }
            if r >= 0 { r = withinBounds(&c) }
            if r < 0 {
                c.month += 1
                c.day = 1
                Self.resetBelowDay(&c, &micro)
                continue
            }
            if r == 0 { continue }

            if !matchesWeekday(c) {
                c.day += 1
                Self.resetBelowDay(&c, &micro)
                continue
            }

            value = c.hour
            r = matchingComponent(spec.hour, isDay: false, tm: c, value: &value)
            c.hour = value
            if r > 0 {
                c.minute = 0
                c.second = 0
                micro = 0
            }
            if r >= 0 { r = withinBounds(&c) }
            if r < 0 {
                c.day += 1
                Self.resetBelowDay(&c, &micro)
                continue
            }
            if r == 0 { continue }

            value = c.minute
            r = matchingComponent(spec.minute, isDay: false, tm: c, value: &value)
            c.minute = value
            if r > 0 {
                c.second = 0
                micro = 0
            }
            if r >= 0 { r = withinBounds(&c) }
            if r < 0 {
                c.hour += 1
                c.minute = 0
                c.second = 0
                micro = 0
                continue
            }
            if r == 0 { continue }

            value = c.second * 1_000_000 + micro
            r = matchingComponent(spec.microsecond, isDay: false, tm: c, value: &value)
            micro = value % 1_000_000
            c.second = value / 1_000_000
            if r >= 0 { r = withinBounds(&c) }
            if r < 0 {
                c.minute += 1
                c.second = 0
                micro = 0
                continue
            }
            if r == 0 { continue }

            // A candidate not after the start means a DST change sent us back: step an hour on
            // and let mktime choose the DST flag from then on.
            var order = Self.compareFields(tm, c)
            if order == 0 { order = usec < micro + 1 ? -1 : (usec > micro + 1 ? 1 : 0) }
            if order >= 0 {
                invalidateDST = true
                c.hour += 1
                continue
            }

            tm = c
            usec = micro
            return
        }
        throw .noConvergence
    }

    /// systemd's `tm_compare()`: field by field from the year down to the second.
    private static func compareFields(_ a: BrokenDownTime, _ b: BrokenDownTime) -> Int {
        for (x, y) in [(a.year, b.year), (a.month, b.month), (a.day, b.day), (a.hour, b.hour), (a.minute, b.minute), (a.second, b.second)]
        where x != y {
            return x < y ? -1 : 1
        }
        return 0
    }

    /// systemd's `find_matching_component()`: the earliest value of `chain` at or after `value`.
    /// Returns 1 if `value` moved, 0 if it already matched, -1 if nothing matches (or 0 for `*`).
    private mutating func matchingComponent(
        _ chain: [CalendarComponent], isDay: Bool, tm: BrokenDownTime, value: inout Int
    ) -> Int {
        if chain.isEmpty { return 0 }
        let endOfMonth = spec.endOfMonth && isDay
        var best: Int?
        for element in chain {
            var start = element.start
            var stop = element.rawStop
            if endOfMonth {
                start = endOfMonthDay(tm, element.start)
                stop = endOfMonthDay(tm, element.rawStop)
                if stop > 0 { swap(&start, &stop) }
            }
            if start >= value {
                if best == nil || start < best! { best = start }
            } else if element.repetition > 0 {
                let steps = (value - start + element.repetition - 1) / element.repetition
                let k = start + element.repetition * steps
                if (best == nil || k < best!) && (stop < 0 || k <= stop) { best = k }
            }
        }
        guard let best else { return -1 }
        defer { value = best }
        return value != best ? 1 : 0
    }

    /// systemd's `find_end_of_month()`: the day of `tm`'s month that is `day` days from its end
    /// (1 = the last day), or -1.
    private mutating func endOfMonthDay(_ tm: BrokenDownTime, _ day: Int) -> Int {
        var t = tm
        t.month += 1
        t.day = 1 - day
        guard let seconds = normalize(&t), seconds >= 0, t.month == tm.month else { return -1 }
        return t.day
    }

    /// systemd's `tm_within_bounds()`: 1 if `tm` is already normal, 0 if normalising moved it
    /// forward (then `tm` is updated), negative if it is out of range or moved backwards.
    private mutating func withinBounds(_ tm: inout BrokenDownTime) -> Int {
        if tm.fullYear > Self.maximumYear { return -1 }
        var t = tm
        guard let seconds = normalize(&t), seconds >= 0 else { return -1 }
        func compare(_ a: Int, _ b: Int) -> Int { a < b ? -1 : (a > b ? 1 : 0) }
        let comparison: Int
        if t.year != tm.year {
            comparison = compare(t.year, tm.year)
            t.month = 0
        } else if t.month != tm.month {
            comparison = compare(t.month, tm.month)
            t.day = 1
        } else if t.day != tm.day {
            comparison = compare(t.day, tm.day)
            t.hour = 0
        } else if t.hour != tm.hour {
            comparison = compare(t.hour, tm.hour)
            t.minute = 0
        } else if t.minute != tm.minute {
            comparison = compare(t.minute, tm.minute)
            t.second = 0
        } else {
            comparison = compare(t.second, tm.second)
        }
        if comparison < 0 { return -2 }
        if comparison > 0 { tm = t }
        return comparison == 0 ? 1 : 0
    }

    /// systemd's `matches_weekday()`.
    private mutating func matchesWeekday(_ tm: BrokenDownTime) -> Bool {
        let bits = spec.weekdayBits
        if bits < 0 || bits >= 127 { return true }
        var t = tm
        guard let seconds = normalize(&t), seconds >= 0 else { return false }
        let k = t.weekday == 0 ? 6 : t.weekday - 1
        return bits & (1 << k) != 0
    }
}
