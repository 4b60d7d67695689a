/// A deterministic generator of calendar expressions covering every syntax feature of
/// systemd.time(7): weekday lists and ranges (short and long names, any case, `-` ranges,
/// trailing commas), `*`, lists, `..` ranges, `/` repetitions, `~` end-of-month days, two-digit
/// years, optional date and time, seconds with fractions, shorthands, `@EPOCH`, and zone
/// suffixes (UTC, IANA names, local abbreviations). Times cluster around DST switches.
struct ExpressionGenerator {
    /// SplitMix64: small, fast, and the same on every platform.
    struct Random {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.count))
        }

        mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }

        mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
    }

    var random: Random

    init(seed: UInt64) {
        random = Random(state: seed)
    }

    static let shorthands = [
        "minutely", "hourly", "daily", "monthly", "weekly", "yearly", "annually", "quarterly", "semiannually",
        "biannually", "semi-annually", "bi-annually", "anually", "Daily", "HOURLY", "Weekly",
    ]
    static let weekdays = [
        ("Mon", "Monday"), ("Tue", "Tuesday"), ("Wed", "Wednesday"), ("Thu", "Thursday"), ("Fri", "Friday"),
        ("Sat", "Saturday"), ("Sun", "Sunday"),
    ]
    static let zones = [
        "UTC", "utc", "Asia/Jakarta", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Etc/UTC",
        "Asia/Kolkata", "CET", "EST5EDT",
    ]

    mutating func weekdayName(_ index: Int) -> String {
        let (short, long) = Self.weekdays[index]
        let name = random.chance(70) ? short : long
        switch random.int(0...9) {
        case 0: return name.lowercased()
        case 1: return name.uppercased()
        default: return name
        }
    }

    mutating func weekdays() -> String {
        var items: [String] = []
        for _ in 0..<random.int(1...3) {
            let a = random.int(0...6)
            if random.chance(40) {
                let b = random.chance(90) ? random.int(a...6) : random.int(0...6)
                items.append(weekdayName(a) + (random.chance(85) ? ".." : "-") + weekdayName(b))
            } else {
                items.append(weekdayName(a))
            }
        }
        return items.joined(separator: ",") + (random.chance(5) ? "," : "")
    }

    mutating func number(_ value: Int, pad: Int) -> String {
        let digits = String(value)
        guard random.chance(60), digits.count < pad else { return digits }
        return String(repeating: "0", count: pad - digits.count) + digits
    }

    /// One field: `*`, a value, a list, a range, a repetition, or mixes of them. Repetitions
    /// mostly stay within the field (systemd rejects one that can never fire twice).
    mutating func field(_ range: ClosedRange<Int>, pad: Int, focus: [Int] = [], star: Int = 30) -> String {
        if random.chance(star) { return "*" }
        func value(_ r: inout Random) -> Int {
            if !focus.isEmpty && r.chance(60) { return r.pick(focus) }
            return r.int(range)
        }
        var items: [String] = []
        for _ in 0..<(random.chance(70) ? 1 : random.int(2...4)) {
            var a = value(&random)
            switch random.int(0...9) {
            case 0...4:
                items.append(number(a, pad: pad))
            case 5, 6:
                let b = min(range.upperBound, a + random.int(0...(range.count / 2)))
                var text = number(a, pad: pad) + ".." + number(b, pad: pad)
                if random.chance(40) { text += "/" + String(random.int(1...max(1, (b - a + 1) / 2 + 1))) }
                items.append(text)
            default:
                if random.chance(90) { a = min(a, range.upperBound - 1) }
                let room = max(1, range.upperBound - a)
                let step = random.chance(90) ? random.int(1...room) : random.int(1...range.count)
                items.append(number(a, pad: pad) + "/" + String(step))
            }
        }
        return items.joined(separator: ",")
    }

    mutating func year() -> String {
        switch random.int(0...9) {
        case 0...4: return "*"
        case 5: return String(random.int(24...30))
        case 6: return String(random.int(2024...2028)) + ".." + String(random.int(2028...2032))
        case 7: return String(random.int(2024...2026)) + "/" + String(random.int(1...3))
        default: return String(random.int(2024...2029)) + (random.chance(30) ? "," + String(random.int(2030...2035)) : "")
        }
    }

    mutating func date() -> String {
        let month = field(1...12, pad: 2, focus: [2, 3, 10, 11, 12], star: 45)
        if random.chance(15) {
            let last = random.int(1...7)
            var day = String(last)
            if random.chance(30) && last > 1 { day += "/" + String(random.int(1...(last - 1))) }
            if random.chance(15) { day = "1.." + String(random.int(2...4)) }
            return (random.chance(50) ? year() + "-" : "") + month + "~" + day
        }
        let day = field(1...31, pad: 2, focus: [1, 28, 29, 30, 31], star: 40)
        return (random.chance(50) ? year() + "-" : "") + month + "-" + day
    }

    mutating func seconds() -> String {
        switch random.int(0...9) {
        case 0: return "*"
        case 1: return String(random.int(0...59)) + "." + String(random.int(1...999_999))
        case 2: return String(random.int(0...10)) + "/" + String(random.int(1...20)) + "." + String(random.int(1...9))
        case 3: return String(random.int(0...5)) + "/" + String(random.int(7...30))
        case 4: return String(random.int(0...58)) + "." + String(random.int(0...9)) + ".." + String(random.int(59...59))
        default: return field(0...59, pad: 2, focus: [0, 30], star: 10)
        }
    }

    mutating func time() -> String {
        let hour = field(0...23, pad: 2, focus: [0, 1, 2, 3, 23], star: 25)
        let minute = field(0...59, pad: 2, focus: [0, 30, 59], star: 25)
        return hour + ":" + minute + (random.chance(50) ? ":" + seconds() : "")
    }

    /// A new expression; `localAbbreviations` are the local zone's own names (e.g. CET, CEST).
    mutating func expression(localAbbreviations: [String]) -> String {
        var text: String
        if random.chance(8) {
            text = random.pick(Self.shorthands)
        } else if random.chance(2) {
            text = "@" + String(random.int(1_700_000_000...1_900_000_000))
        } else {
            var parts: [String] = []
            if random.chance(30) { parts.append(weekdays()) }
            let hasDate = random.chance(60)
            if hasDate { parts.append(date()) }
            if random.chance(85) || !hasDate { parts.append(time()) }
            text = parts.joined(separator: " ")
        }
        if random.chance(35) {
            let zone = random.chance(20) && !localAbbreviations.isEmpty
                ? random.pick(localAbbreviations) : random.pick(Self.zones)
            text += " " + zone
        }
        return text
    }

    /// A copy of `text` with one random character inserted, removed or replaced.
    mutating func mutation(of text: String) -> String {
        var chars = Array(text)
        let alphabet = Array("0123456789*,.-~:/ @MonTueSatxZ")
        let index = chars.isEmpty ? 0 : random.int(0...(chars.count - 1))
        switch random.int(0...2) {
        case 0: chars.insert(random.pick(alphabet), at: index)
        case 1: if !chars.isEmpty { chars.remove(at: index) }
        default: if !chars.isEmpty { chars[index] = random.pick(alphabet) }
        }
        return String(chars)
    }
}
