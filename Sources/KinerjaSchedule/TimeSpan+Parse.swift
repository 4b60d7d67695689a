extension TimeSpan {
    /// Parses a time span like systemd's `parse_time()`: numbers (with optional fraction) each
    /// followed by an optional unit (us, ms, s, min, h, d, w, M, y and their long forms), added
    /// up; spaces between parts optional; `infinity` alone.
    ///
    /// - Parameters:
    ///   - text: e.g. `2h 30min`, `1.5h`, `90`.
    ///   - defaultUnit: the unit of a number without one (seconds unless a setting says otherwise).
    public static func parse(
        _ text: String, defaultUnit: TimeSpan = .seconds(1)
    ) throws(TimeSpanError) -> TimeSpan {
        let bytes = Array(text.utf8)
        func error(_ offset: Int, _ reason: String) -> TimeSpanError {
            let column = String(decoding: bytes[0..<min(offset, bytes.count)], as: UTF8.self).count + 1
            return TimeSpanError(text: text, position: column, reason: reason)
        }
        func byte(_ i: Int) -> UInt8 { i < bytes.count ? bytes[i] : 0 }
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        func skip(_ i: Int, _ set: [UInt8]) -> Int {
            var j = i
            while j < bytes.count, set.contains(bytes[j]) { j += 1 }
            return j
        }
        let whitespace: [UInt8] = [32, 9, 10, 13]
        let cSpace: [UInt8] = [32, 9, 10, 11, 12, 13]

        var p = skip(0, whitespace)
        if bytes[p...].starts(with: Array("infinity".utf8)) {
            let rest = skip(p + 8, whitespace)
            if rest != bytes.count { throw error(rest, "unexpected text after 'infinity'") }
            return .infinity
        }
        var total: UInt64 = 0
        var something = false
        while true {
            p = skip(p, whitespace)
            if p == bytes.count {
                if !something { throw error(p, "expected a number") }
                return TimeSpan(microseconds: total)
            }
            if bytes[p] == UInt8(ascii: "-") { throw error(p, "negative time spans are not allowed") }
            // strtoll: optional spaces and sign, then digits.
            var e = skip(p, cSpace)
            if byte(e) == UInt8(ascii: "+") || byte(e) == UInt8(ascii: "-") { e += 1 }
            let digitsStart = e
            var whole: UInt64 = 0
            while isDigit(byte(e)) {
                let (times10, o1) = whole.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[e] - 48))
                if o1 || o2 || sum > UInt64(Int64.max) { throw error(p, "number too large") }
                whole = sum
                e += 1
            }
            let converted = e > digitsStart
            if converted && bytes[skip(p, cSpace)] == UInt8(ascii: "-") && whole != 0 {
                throw error(p, "negative time spans are not allowed")
            }
            let numberEnd = converted ? e : p
            var next: Int
            if byte(numberEnd) == UInt8(ascii: ".") {
                next = numberEnd + 1
                while isDigit(byte(next)) { next += 1 }
            } else if !converted {
                throw error(p, "expected a number")
            } else {
                next = numberEnd
            }
            let unitStart = skip(next, whitespace)
            var multiplier = defaultUnit.microseconds
            var afterUnit = unitStart
            if let unit = units.first(where: { bytes[unitStart...].starts(with: Array($0.suffix.utf8)) }) {
                multiplier = unit.microseconds
                afterUnit = unitStart + unit.suffix.utf8.count
            }
            if afterUnit == next && next < bytes.count {
                throw error(next, "unknown unit '\(String(decoding: bytes[next...].prefix(while: { $0 != 32 }), as: UTF8.self))'")
            }
            p = afterUnit
            if whole >= UInt64.max / multiplier { throw error(digitsStart, "time span too large") }
            let k = whole * multiplier
            if k >= UInt64.max - total { throw error(digitsStart, "time span too large") }
            total += k
            something = true
            if byte(numberEnd) == UInt8(ascii: ".") {
                var scale = multiplier / 10
                var b = numberEnd + 1
                while isDigit(byte(b)) {
                    let part = UInt64(bytes[b] - 48) * scale
                    if part >= UInt64.max - total { throw error(b, "time span too large") }
                    total += part
                    b += 1
                    scale /= 10
                }
                if b == numberEnd + 1 { throw error(b, "expected digits after '.'") }
            }
        }
    }
}
