import KinerjaCalendar

/// The part of glibc 2.36's `strptime()` (C locale) that systemd's timestamp parser relies on:
/// `%y %Y %m %d %H %M %S %b`, literal characters, and white space matching any amount of white
/// space. Fields the format does not mention keep their values from `tm`.
enum Strptime {
    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    static func isSpace(_ b: UInt8) -> Bool { b == 32 || (b >= 9 && b <= 13) }

    /// Parses `input` from `start` with `format`; returns the index after the match, or nil.
    static func parse(_ input: [UInt8], from start: Int, format: String, into tm: inout BrokenDownTime) -> Int? {
        var rp = start
        var wantWeekday = false
        var haveMonth = false
        let fmt = Array(format.utf8)
        var f = 0
        func at(_ i: Int) -> UInt8 { i < input.count ? input[i] : 0 }

        func number(_ from: Int, _ to: Int, _ digits: Int) -> Int? {
            while isSpace(at(rp)) { rp += 1 }
            guard at(rp) >= 48 && at(rp) <= 57 else { return nil }
            var value = 0
            var remaining = digits
            repeat {
                value = value * 10 + Int(at(rp) - 48)
                rp += 1
                remaining -= 1
            } while remaining > 0 && value * 10 <= to && at(rp) >= 48 && at(rp) <= 57
            return (from...to).contains(value) ? value : nil
        }

        while f < fmt.count {
            if isSpace(fmt[f]) {
                while isSpace(at(rp)) { rp += 1 }
                f += 1
                continue
            }
            if fmt[f] != UInt8(ascii: "%") {
                guard at(rp) == fmt[f] else { return nil }
                rp += 1
                f += 1
                continue
            }
            let directive = fmt[f + 1]
            f += 2
            switch directive {
            case UInt8(ascii: "y"):
                guard let v = number(0, 99, 2) else { return nil }
                tm.year = v >= 69 ? v : v + 100
                wantWeekday = true
            case UInt8(ascii: "Y"):
                guard let v = number(0, 9999, 4) else { return nil }
                tm.year = v - 1900
                wantWeekday = true
            case UInt8(ascii: "m"):
                guard let v = number(1, 12, 2) else { return nil }
                tm.month = v - 1
                haveMonth = true
                wantWeekday = true
            case UInt8(ascii: "d"):
                guard let v = number(1, 31, 2) else { return nil }
                tm.day = v
                wantWeekday = true
            case UInt8(ascii: "H"):
                guard let v = number(0, 23, 2) else { return nil }
                tm.hour = v
            case UInt8(ascii: "M"):
                guard let v = number(0, 59, 2) else { return nil }
                tm.minute = v
            case UInt8(ascii: "S"):
                guard let v = number(0, 61, 2) else { return nil }
                tm.second = v
            case UInt8(ascii: "b"):
                guard let month = monthName(input, at: rp) else { return nil }
                tm.month = month.index
                rp = month.end
                haveMonth = true
                wantWeekday = true
            default:
                return nil
            }
        }
        if wantWeekday && (haveMonth || (0...11).contains(tm.month)) {
            let days = CivilCalendar.days(year: tm.fullYear, month: tm.month + 1, day: 1) + tm.day - 1
            tm.weekday = CivilCalendar.weekday(fromDays: days)
            let leap = CivilCalendar.isLeapYear(tm.fullYear) ? 1 : 0
            tm.yearDay = CivilCalendar.daysBeforeMonth[leap][tm.month] + tm.day - 1
        }
        return rp
    }

    /// The longest full or abbreviated English month name at `index`, case-insensitively.
    static func monthName(_ input: [UInt8], at index: Int) -> (index: Int, end: Int)? {
        var best: (index: Int, end: Int)?
        for (i, name) in monthNames.enumerated() {
            for candidate in [name, String(name.prefix(3))] {
                let bytes = Array(candidate.lowercased().utf8)
                guard index + bytes.count <= input.count else { continue }
                let matches = bytes.indices.allSatisfy { j in
                    let b = input[index + j]
                    return ((b >= 65 && b <= 90) ? b + 32 : b) == bytes[j]
                }
                if matches && (best == nil || index + bytes.count > best!.end) {
                    best = (i, index + bytes.count)
                }
            }
        }
        return best
    }
}
