import Foundation

extension CalendarSpec {
    /// Parses a calendar expression with systemd 252's grammar and limits.
    ///
    /// - Parameters:
    ///   - text: the expression, e.g. `Mon..Fri 09:00` or `*-*~01 08:00 Asia/Jakarta`.
    ///   - localZone: the local zone whose abbreviations (`WIB`, `CET`/`CEST`, ...) systemd accepts
    ///     as a suffix (those in force after the zone's last transition); nil accepts only `UTC` and
    ///     tz database names.
    ///   - database: where time zone names are looked up.
    public static func parse(
        _ text: String, localZone: ZoneInfo? = nil, database: ZoneInfoDatabase = .system
    ) throws(CalendarError) -> CalendarSpec {
        try parse(
            text, localAbbreviations: localZone?.presentAbbreviations, gmtime: localZone?.gmtimeCompanion ?? .gmtime,
            database: database)
    }

    /// Parses with explicit local abbreviations (glibc's `tzname[0]`, `tzname[1]`); `gmtime` is
    /// what converts `@EPOCH` (it carries the local zone's leap seconds).
    static func parse(
        _ text: String, localAbbreviations: (standard: String, daylight: String)?, gmtime: ZoneInfo,
        database: ZoneInfoDatabase
    ) throws(CalendarError) -> CalendarSpec {
        var parser = CalendarParser(text: text, localAbbreviations: localAbbreviations, database: database)
        parser.gmtime = gmtime
        return try parser.parse()
    }

    /// Parses a calendar expression, taking local zone abbreviations from a Foundation zone.
    public static func parse(
        _ text: String, localTimeZone: TimeZone, database: ZoneInfoDatabase = .system
    ) throws(CalendarError) -> CalendarSpec {
        try parse(text, localZone: database.zone(for: localTimeZone), database: database)
    }
}

/// Where each parsed element came from, for error messages.
struct SourcedComponent {
    var component: CalendarComponent
    var offset: Int
}

/// systemd's `calendar_spec_from_string()` over the UTF-8 bytes of the expression.
struct CalendarParser {
    let text: String
    let bytes: [UInt8]
    let localAbbreviations: (standard: String, daylight: String)?
    let database: ZoneInfoDatabase
    /// End of the part before the time zone suffix.
    var end: Int
    var spec = CalendarSpec()
    /// `gmtime_r` of the process (for `@EPOCH`).
    var gmtime = ZoneInfo.gmtime
    var sources: [CalendarError.Part: [SourcedComponent]] = [:]

    static let shorthands: [(names: [String], fields: [(CalendarError.Part, [Int])], weekdays: Int)] = [
        (["minutely"], [(.second, [0])], 0),
        (["hourly"], [(.minute, [0]), (.second, [0])], 0),
        (["daily"], [(.hour, [0]), (.minute, [0]), (.second, [0])], 0),
        (["monthly"], [(.day, [1]), (.hour, [0]), (.minute, [0]), (.second, [0])], 0),
        (["annually", "yearly", "anually"], [(.month, [1]), (.day, [1]), (.hour, [0]), (.minute, [0]), (.second, [0])], 0),
        (["weekly"], [(.hour, [0]), (.minute, [0]), (.second, [0])], 1),
        (["quarterly"], [(.month, [1, 4, 7, 10]), (.day, [1]), (.hour, [0]), (.minute, [0]), (.second, [0])], 0),
        (
            ["biannually", "bi-annually", "semiannually", "semi-annually"],
            [(.month, [1, 7]), (.day, [1]), (.hour, [0]), (.minute, [0]), (.second, [0])], 0
        ),
    ]

    init(
        text: String, localAbbreviations: (standard: String, daylight: String)?, database: ZoneInfoDatabase,
        end: Int? = nil
    ) {
        self.text = text
        self.bytes = Array(text.utf8)
        self.localAbbreviations = localAbbreviations
        self.database = database
        self.end = end ?? bytes.count
        spec.original = text
    }

    func error(
        _ offset: Int, _ part: CalendarError.Part, _ reason: String,
        _ errno: CalendarError.SystemdErrno = .invalidArgument
    ) -> CalendarError {
        let prefix = bytes[0..<min(max(offset, 0), bytes.count)]
        let column = String(decoding: prefix, as: UTF8.self).count + 1
        var error = CalendarError(expression: text, position: column, part: part, reason: reason)
        error.systemdErrno = errno
        return error
    }

    func byte(_ i: Int) -> UInt8 { i < end ? bytes[i] : 0 }

    func word(at i: Int) -> String {
        var j = i
        while j < end, bytes[j] != UInt8(ascii: " ") { j += 1 }
        return String(decoding: bytes[i..<j], as: UTF8.self)
    }

    static func lowercased(_ b: UInt8) -> UInt8 { (b >= 65 && b <= 90) ? b + 32 : b }

    func hasPrefix(_ name: String, at i: Int) -> Bool {
        let n = Array(name.utf8)
        guard i + n.count <= end else { return false }
        return n.indices.allSatisfy { Self.lowercased(bytes[i + $0]) == Self.lowercased(n[$0]) }
    }

    func bodyEquals(_ name: String) -> Bool {
        name.utf8.count == end && hasPrefix(name, at: 0)
    }

    mutating func parse() throws(CalendarError) -> CalendarSpec {
        stripZoneSuffix()
        if end == 0 { throw error(0, .expression, "the expression is empty") }
        do {
            try parseBody()
        } catch let failure {
            if case .local = spec.zone, let space = bytes[0..<end].lastIndex(of: UInt8(ascii: " ")) {
                var probe = CalendarParser(text: text, localAbbreviations: nil, database: database, end: space)
                if (try? probe.parseBody()) != nil {
                    var zoneError = error(space + 1, .timeZone, "unknown time zone '\(word(at: space + 1))'")
                    zoneError.systemdErrno = failure.systemdErrno
                    throw zoneError
                }
            }
            throw failure
        }
        try normalizeAndValidate()
        return spec
    }

    /// ` UTC`, then the local zone's abbreviations, then a tz database name after the last space.
    mutating func stripZoneSuffix() {
        if end >= 4, hasPrefix(" UTC", at: end - 4) {
            spec.zone = .utc
            end -= 4
            return
        }
        if let localAbbreviations {
            for (isDST, name) in [(false, localAbbreviations.standard), (true, localAbbreviations.daylight)] {
                let length = name.utf8.count
                guard length > 0, length < end, hasPrefix(name, at: end - length),
                    bytes[end - length - 1] == UInt8(ascii: " ")
                else { continue }
                spec.zone = .localAbbreviation(name, isDST: isDST)
                spec.forcedDST = isDST ? 1 : 0
                end -= length + 1
                return
            }
        }
        if let space = bytes[0..<end].lastIndex(of: UInt8(ascii: " ")) {
            let name = String(decoding: bytes[(space + 1)..<end], as: UTF8.self)
            if database.isValidZoneName(name) {
                spec.zone = .named(name)
                end = space
            }
        }
    }

    mutating func parseBody() throws(CalendarError) {
        if let shorthand = Self.shorthands.first(where: { $0.names.contains(where: bodyEquals) }) {
            spec.weekdayBits = shorthand.weekdays
            for (part, values) in shorthand.fields {
                let chain = values.map { CalendarComponent(start: part == .second ? $0 * 1_000_000 : $0) }
                sources[part] = chain.map { SourcedComponent(component: $0, offset: 0) }
            }
            return
        }
        var p = try parseWeekdays(from: 0)
        let (afterDate, timeDone) = try parseDate(from: p)
        p = afterDate
        if !timeDone { p = try parseTime(from: p) }
        if p != end { throw error(p, .expression, "unexpected text '\(word(at: p))'") }
    }
}
