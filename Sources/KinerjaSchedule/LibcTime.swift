import KinerjaCalendar

/// glibc 2.36's `mktime`/`timegm` and `localtime_r`/`gmtime_r` for one zone, reproduced exactly,
/// including the way `mktime` resolves DST gaps and repeated hours (which depends on the
/// requested `tm_isdst` and on the offset remembered from the previous call).
struct LibcTime: Sendable {
    let zone: ZoneInfo
    /// glibc's `static localtime_offset`: the previous result's distance from the requested
    /// fields read as UTC, used as the first guess of the next call.
    var offsetGuess = 0
    /// Whether this is `timegm`/`gmtime_r` (which ignores the requested `tm_isdst`).
    let isTimegm: Bool
    /// The last time converted with `localtime_r` (not `gmtime_r`): glibc leaves `tzname` set to
    /// the abbreviations of that moment.
    var lastConverted: Int64?

    /// - Parameters:
    ///   - zone: the zone of `localtime_r`, or a `gmtimeCompanion` for `gmtime_r`.
    ///   - timegm: whether this emulates `timegm`/`gmtime_r` rather than `mktime`/`localtime_r`.
    init(zone: ZoneInfo, timegm: Bool = false) {
        self.zone = zone
        isTimegm = timegm
    }

    /// `localtime_r` (or `gmtime_r` for the `gmtime` zone).
    mutating func localtime(_ seconds: Int64) -> BrokenDownTime {
        if !isTimegm { lastConverted = seconds }
        return zone.brokenDownTime(at: seconds)
    }

    /// `mktime` (or `timegm`): normalises `tm` in place and returns seconds since the epoch, or
    /// nil where glibc returns -1 with `EOVERFLOW` (and then leaves `tm` alone).
    mutating func mktime(_ tm: inout BrokenDownTime) -> Int64? {
        if isTimegm { tm.isDST = 0 }
        let requestedIsDST = tm.isDST
        let monthRemainder = tm.month % 12
        let negativeRemainder = monthRemainder < 0 ? 1 : 0
        let year = tm.year + tm.month / 12 - negativeRemainder
        let leap = Self.isLeap(tmYear: year) ? 1 : 0
        let yearDay = CivilCalendar.daysBeforeMonth[leap][monthRemainder + 12 * negativeRemainder] - 1 + tm.day
        let requestedSecond = tm.second
        let second = min(max(tm.second, 0), 59)
        let hour = tm.hour
        let minute = tm.minute

        func distance(to other: BrokenDownTime) -> Int {
            Self.difference(
                year1: year, yearDay1: yearDay, hour1: hour, minute1: minute, second1: second,
                year0: other.year, yearDay0: other.yearDay, hour0: other.hour, minute0: other.minute,
                second0: other.second)
        }

        let t0 = Self.difference(
            year1: year, yearDay1: yearDay, hour1: hour, minute1: minute, second1: second,
            year0: 70, yearDay0: 0, hour0: 0, minute0: 0, second0: -offsetGuess)
        var t = t0
        var t1 = t0
        var t2 = t0
        var previousWasDST = 0
        var remainingProbes = 6
        var converted = localtime(Int64(t))
        var found = false
        while true {
            let dt = distance(to: converted)
            if dt == 0 { break }
            let convertedDST = converted.isDST != 0 ? 1 : 0
            if t == t1 && t != t2
                && (converted.isDST < 0
                    || (requestedIsDST < 0
                        ? previousWasDST <= convertedDST
                        : (requestedIsDST != 0) != (converted.isDST != 0)))
            {
                found = true
                break
            }
            remainingProbes -= 1
            if remainingProbes == 0 { return nil }
            t1 = t2
            t2 = t
            t += dt
            previousWasDST = convertedDST
            converted = localtime(Int64(t))
        }

        if !found && Self.isDSTDifferent(requestedIsDST, converted.isDST) {
            guard let fixed = neighbourWithRequestedDST(
                from: t, requestedIsDST: requestedIsDST, converted: converted, distance: distance)
            else { return nil }
            t = fixed
            converted = localtime(Int64(t))
        }

        offsetGuess = t - t0 + offsetGuess
        if requestedSecond != converted.second {
            var adjustment = (second == 0 && converted.second == 60) ? 1 : 0
            adjustment -= second
            adjustment += requestedSecond
            t += adjustment
            converted = localtime(Int64(t))
        }
        tm = converted
        return Int64(t)
    }

    /// glibc's search, when the requested `tm_isdst` disagrees with the match found, for a nearby
    /// time with the requested flag whose offset is then used; failing that, one hour of DST.
    private mutating func neighbourWithRequestedDST(
        from t: Int, requestedIsDST: Int, converted: BrokenDownTime, distance: (BrokenDownTime) -> Int
    ) -> Int? {
        let dstDifference = (requestedIsDST == 0 ? 1 : 0) - (converted.isDST == 0 ? 1 : 0)
        let stride = 601_200
        let durationMax = 457_243_209
        let deltaBound = durationMax / 2 + stride
        var delta = stride
        while delta < deltaBound {
            for direction in [-1, 1] {
                let other = localtime(Int64(t + delta * direction))
                if !Self.isDSTDifferent(requestedIsDST, other.isDST) {
                    return t + delta * direction + distance(other)
                }
            }
            delta += stride
        }
        return t + 3600 * dstDifference
    }

    /// glibc `isdst_differ`: both flags known and one zero, the other not.
    static func isDSTDifferent(_ a: Int, _ b: Int) -> Bool {
        ((a == 0) != (b == 0)) && a >= 0 && b >= 0
    }

    static func isLeap(tmYear: Int) -> Bool {
        (tmYear & 3) == 0 && (tmYear % 100 != 0 || ((tmYear / 100) & 3) == ((-(1900 / 100)) & 3))
    }

    /// glibc `ydhms_diff`: seconds from (year0, yday0, ...) to (year1, yday1, ...), years
    /// counted from 1900, without clock adjustments.
    static func difference(
        year1: Int, yearDay1: Int, hour1: Int, minute1: Int, second1: Int,
        year0: Int, yearDay0: Int, hour0: Int, minute0: Int, second0: Int
    ) -> Int {
        let a4 = (year1 >> 2) + (1900 >> 2) - ((year1 & 3) == 0 ? 1 : 0)
        let b4 = (year0 >> 2) + (1900 >> 2) - ((year0 & 3) == 0 ? 1 : 0)
        let a100 = (a4 + (a4 < 0 ? 1 : 0)) / 25 - (a4 < 0 ? 1 : 0)
        let b100 = (b4 + (b4 < 0 ? 1 : 0)) / 25 - (b4 < 0 ? 1 : 0)
        let a400 = a100 >> 2
        let b400 = b100 >> 2
        let leapDays = (a4 - b4) - (a100 - b100) + (a400 - b400)
        let days = 365 * (year1 - year0) + yearDay1 - yearDay0 + leapDays
        let hours = 24 * days + hour1 - hour0
        let minutes = 60 * hours + minute1 - minute0
        return 60 * minutes + second1 - second0
    }
}
