extension CalendarParser {
    /// systemd's limit on the number of elements in one field.
    static let maximumComponents = 241

    /// The allowed values of each field (seconds in microseconds).
    static let ranges: [(CalendarError.Part, ClosedRange<Int>)] = [
        (.year, 1970...2199), (.month, 1...12), (.day, 1...31), (.hour, 0...23), (.minute, 0...59),
        (.second, 0...59_999_999),
    ]

    static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

    /// One field: `*`, or a comma-separated list of `value[..stop][/repetition]`.
    mutating func parseChain(
        from start: Int, part: CalendarError.Part, microseconds: Bool
    ) throws(CalendarError) -> (Int, [SourcedComponent]) {
        if byte(start) == UInt8(ascii: "*") {
            let chain = microseconds ? [CalendarComponent(start: 0, repetition: 1_000_000)] : []
            return (start + 1, chain.map { SourcedComponent(component: $0, offset: start) })
        }
        var chain: [SourcedComponent] = []
        var e = start
        while true {
            if chain.count == Self.maximumComponents {
                throw error(e, part, "more than \(Self.maximumComponents) values in one field", .noBufferSpace)
            }
            let elementStart = e
            let first = try parseDecimal(at: &e, part: part, microseconds: microseconds)
            var stop = -1
            var repetition = 0
            if byte(e) == UInt8(ascii: "."), byte(e + 1) == UInt8(ascii: ".") {
                e += 2
                stop = try parseDecimal(at: &e, part: part, microseconds: microseconds)
                repetition = microseconds ? 1_000_000 : 1
            }
            if byte(e) == UInt8(ascii: "/") {
                e += 1
                repetition = try parseDecimal(at: &e, part: part, microseconds: microseconds)
                if repetition == 0 { throw error(e - 1, part, "the repetition must not be zero", .outOfRange) }
            } else {
                if first > Int(Int32.max) - repetition { throw error(elementStart, part, "value too large", .outOfRange) }
                if microseconds && stop >= 0 && first + repetition > stop {
                    throw error(elementStart, part, "a range shorter than one second needs an explicit repetition")
                }
            }
            guard [0, Self.space, UInt8(ascii: ","), UInt8(ascii: "-"), UInt8(ascii: "~"), UInt8(ascii: ":")]
                .contains(byte(e))
            else {
                throw error(e, part, "unexpected character '\(String(decoding: [bytes[e]], as: UTF8.self))'")
            }
            let component = CalendarComponent(start: first, stop: stop >= 0 ? stop : nil, repetition: repetition)
            chain.append(SourcedComponent(component: component, offset: elementStart))
            guard byte(e) == UInt8(ascii: ",") else { return (e, chain) }
            e += 1
        }
    }

    /// A decimal number; for seconds with up to six fractional digits (rounded on the seventh),
    /// returned in microseconds.
    func parseDecimal(at e: inout Int, part: CalendarError.Part, microseconds: Bool) throws(CalendarError) -> Int {
        let start = e
        guard Self.isDigit(byte(e)) else {
            let found = e < end ? "'\(word(at: e))'" : "the end"
            throw error(e, part, "expected a number or '*', found \(found)")
        }
        var value: UInt64 = 0
        var overflow = false
        while Self.isDigit(byte(e)) {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[e] - 48))
            overflow = overflow || o1 || o2
            value = sum
            e += 1
        }
        if overflow { throw error(start, part, "number too large", .outOfRange) }
        if microseconds {
            let (scaled, o) = value.multipliedReportingOverflow(by: 1_000_000)
            if o { throw error(start, part, "number too large", .outOfRange) }
            value = scaled
            if byte(e) == UInt8(ascii: "."), byte(e + 1) != UInt8(ascii: ".") {
                e += 1
                guard Self.isDigit(byte(e)) else { throw error(e, part, "expected digits after '.'") }
                var fraction: UInt64 = 0
                var digits = 0
                while digits < 6 && Self.isDigit(byte(e)) {
                    fraction = fraction * 10 + UInt64(bytes[e] - 48)
                    digits += 1
                    e += 1
                }
                for _ in digits..<6 { fraction *= 10 }
                if digits == 6, byte(e) >= UInt8(ascii: "5"), byte(e) <= UInt8(ascii: "9") { fraction += 1 }
                while Self.isDigit(byte(e)) { e += 1 }
                value += fraction
            }
        }
        if value > UInt64(Int32.max) { throw error(start, part, "number too large", .outOfRange) }
        return Int(value)
    }

    /// systemd's `calendar_spec_normalize()` and `calendar_spec_valid()`.
    mutating func normalizeAndValidate() throws(CalendarError) {
        if spec.weekdayBits <= 0 || spec.weekdayBits >= 127 { spec.weekdayBits = -1 }
        if spec.endOfMonth && (sources[.day] ?? []).isEmpty { spec.endOfMonth = false }
        if var years = sources[.year] {
            for i in years.indices {
                years[i].component.start = Self.fullYear(years[i].component.start)
                years[i].component.stop = years[i].component.stop.map(Self.fullYear)
            }
            sources[.year] = years
        }
        for (part, range) in Self.ranges {
            let chain = sources[part] ?? []
            let endOfMonth = part == .day && spec.endOfMonth
            for element in chain {
                let render: (Int) -> String =
                    part == .second ? { Self.renderSeconds($0) } : { String($0) }
                if let problem = element.component.normalized().violation(
                    of: range, endOfMonth: endOfMonth, render: render)
                {
                    throw error(element.offset, part, problem)
                }
            }
            let normalized = CalendarComponent.normalizedChain(chain.map(\.component))
            switch part {
            case .year: spec.year = normalized
            case .month: spec.month = normalized
            case .day: spec.day = normalized
            case .hour: spec.hour = normalized
            case .minute: spec.minute = normalized
            default: spec.microsecond = normalized
            }
        }
    }

    /// Two-digit years as systemd reads them: 0...69 → 2000..., 70...99 → 1900....
    static func fullYear(_ value: Int) -> Int {
        if value >= 0 && value < 70 { return value + 2000 }
        if value >= 70 && value < 100 { return value + 1900 }
        return value
    }

    static func renderSeconds(_ microseconds: Int) -> String {
        let whole = String(microseconds / 1_000_000)
        let fraction = microseconds % 1_000_000
        guard fraction != 0 else { return whole }
        let digits = String(fraction)
        return whole + "." + String(repeating: "0", count: 6 - digits.count) + digits
    }
}
