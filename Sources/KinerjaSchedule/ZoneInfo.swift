import Foundation

/// The rules of one time zone from the system's tz database (TZif files under
/// `/usr/share/zoneinfo`), applied exactly as glibc 2.36's `localtime_r` applies them.
///
/// systemd computes calendar events with glibc's `localtime_r`/`mktime`; to give the very same
/// answers (time zone abbreviations such as `WIB` or `CEST`, DST gaps and repeated hours) this
/// type reads the same files glibc reads instead of relying on Foundation's ICU-based `TimeZone`.
public struct ZoneInfo: Sendable, Hashable {
    /// One local time type of a TZif file.
    struct LocalTimeType: Sendable, Hashable {
        /// Seconds east of UTC.
        var offset: Int
        var isDST: Bool
        var abbreviation: String
    }

    /// A leap second record (`right/` zones only).
    struct LeapSecond: Sendable, Hashable {
        var transition: Int64
        var correction: Int
    }

    /// The zone's name, e.g. `Asia/Jakarta`, `UTC`, or the `TZ` string it was built from.
    public let name: String
    let transitions: [Int64]
    let transitionTypes: [Int]
    let types: [LocalTimeType]
    let leapSeconds: [LeapSecond]
    /// The POSIX rule for times after the last transition (the TZif footer), or the whole rule
    /// set when `rulesOnly` is true.
    let footer: PosixTimeZoneRule?
    let rulesOnly: Bool

    /// glibc's `tzname[0]` after `tzset()`: the standard-time abbreviation.
    public let standardAbbreviation: String
    /// glibc's `tzname[1]` after `tzset()`: the daylight-saving abbreviation (equal to the standard
    /// one for zones without DST).
    public let daylightAbbreviation: String
    /// glibc's `timezone` variable negated: the standard offset east of UTC.
    let standardOffset: Int
    /// glibc's `daylight` variable.
    let hasDaylightSaving: Bool

    /// Whether systemd would consider this zone UTC (`in_utc_timezone()`: standard offset 0 and no
    /// daylight saving time); `systemd-analyze calendar` then omits the `(in UTC)` lines.
    public var isUTCEquivalent: Bool { standardOffset == 0 && !hasDaylightSaving }

    init(
        name: String, transitions: [Int64], transitionTypes: [Int], types: [LocalTimeType],
        leapSeconds: [LeapSecond], footer: PosixTimeZoneRule?
    ) {
        self.name = name
        self.transitions = transitions
        self.transitionTypes = transitionTypes
        self.types = types
        self.leapSeconds = leapSeconds
        self.footer = footer
        self.rulesOnly = false
        // tzname as glibc's __tzfile_read leaves it: the abbreviations of the latest
        // transitions to a standard and to a daylight type.
        var names: [String?] = [nil, nil]
        for index in transitionTypes.reversed() {
            let type = types[index]
            let slot = type.isDST ? 1 : 0
            if names[slot] == nil {
                names[slot] = type.abbreviation
                if names[1 - slot] != nil { break }
            }
        }
        let standard = names[0] ?? types.first?.abbreviation ?? ""
        standardAbbreviation = standard
        daylightAbbreviation = names[1] ?? standard
        if transitionTypes.isEmpty {
            standardOffset = types.first?.offset ?? 0
            hasDaylightSaving = false
        } else {
            var offset = 0
            var daylight = false
            var i = transitionTypes.count - 1
            while i >= 0 {
                let type = types[transitionTypes[i]]
                if !type.isDST {
                    offset = type.offset
                    break
                }
                daylight = true
                i -= 1
            }
            i -= 1
            while i >= 0 && !daylight {
                daylight = types[transitionTypes[i]].isDST
                i -= 1
            }
            standardOffset = offset
            hasDaylightSaving = daylight
        }
    }

    /// A zone defined only by a POSIX `TZ` string (no TZif file), e.g. `WIB-7`.
    init(name: String, rule: PosixTimeZoneRule) {
        self.name = name
        transitions = []
        transitionTypes = []
        types = []
        leapSeconds = []
        footer = rule
        rulesOnly = true
        standardAbbreviation = rule.standard.name
        daylightAbbreviation = rule.daylight.name
        standardOffset = rule.standard.offset
        hasDaylightSaving = rule.standard.offset != rule.daylight.offset
    }

    /// Coordinated Universal Time as the `Etc/UTC` file describes it (abbreviation `UTC`).
    public static let utc = ZoneInfo(
        name: "UTC", transitions: [], transitionTypes: [],
        types: [LocalTimeType(offset: 0, isDST: false, abbreviation: "UTC")], leapSeconds: [],
        footer: nil)

    /// What glibc's `gmtime_r` reports (abbreviation `GMT`), used for `timegm` emulation.
    static let gmtime = ZoneInfo(
        name: "GMT", transitions: [], transitionTypes: [],
        types: [LocalTimeType(offset: 0, isDST: false, abbreviation: "GMT")], leapSeconds: [],
        footer: nil)

    /// What glibc's `gmtime_r` reports while this zone is the process's zone: UTC, but with the
    /// zone's leap seconds applied (`right/` zones count them in `time_t`).
    var gmtimeCompanion: ZoneInfo {
        guard !leapSeconds.isEmpty else { return .gmtime }
        return ZoneInfo(
            name: "GMT", transitions: [], transitionTypes: [], types: ZoneInfo.gmtime.types,
            leapSeconds: leapSeconds, footer: nil)
    }

    /// A zone with one fixed offset and no tz database entry (numeric abbreviation like `+07`).
    static func fixed(name: String, offset: Int) -> ZoneInfo {
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset)
        var abbreviation = sign + String(format: "%02d", magnitude / 3600)
        if magnitude % 3600 != 0 { abbreviation += String(format: "%02d", magnitude % 3600 / 60) }
        return ZoneInfo(
            name: name, transitions: [], transitionTypes: [],
            types: [LocalTimeType(offset: offset, isDST: false, abbreviation: abbreviation)],
            leapSeconds: [], footer: nil)
    }

    /// Local time information at `seconds` since the epoch (glibc `__tzfile_compute`).
    func localTimeType(at seconds: Int64) -> (offset: Int, isDST: Bool, abbreviation: String) {
        if rulesOnly, let footer { return footer.localTime(at: seconds) }
        if transitions.isEmpty || seconds < transitions[0] {
            let type = types.first(where: { !$0.isDST }) ?? types[0]
            return (type.offset, type.isDST, type.abbreviation)
        }
        if seconds >= transitions[transitions.count - 1] {
            if let footer { return footer.localTime(at: seconds) }
            let type = types[transitionTypes[transitionTypes.count - 1]]
            return (type.offset, type.isDST, type.abbreviation)
        }
        var low = 0
        var high = transitions.count - 1
        while low + 1 < high {
            let mid = (low + high) / 2
            if seconds < transitions[mid] { high = mid } else { low = mid }
        }
        let type = types[transitionTypes[low]]
        return (type.offset, type.isDST, type.abbreviation)
    }

    /// glibc's `tzname[0]` and `tzname[1]` after a `localtime_r()` of `seconds` (glibc sets them
    /// to the abbreviations in force then and of the next transitions of the other flavour).
    func abbreviations(at seconds: Int64) -> (standard: String, daylight: String) {
        if rulesOnly, let footer { return (footer.standard.name, footer.daylight.name) }
        var names: [String?] = [nil, nil]
        if transitions.isEmpty || seconds < transitions[0] {
            var i = 0
            while i < types.count && types[i].isDST {
                if names[1] == nil { names[1] = types[i].abbreviation }
                i += 1
            }
            if i == types.count { i = 0 }
            names[0] = types[i].abbreviation
            if names[1] == nil, let j = types[i...].firstIndex(where: \.isDST) { names[1] = types[j].abbreviation }
        } else {
            var next = transitions.count
            if seconds >= transitions[transitions.count - 1] {
                if let footer { return (footer.standard.name, footer.daylight.name) }
            } else {
                next = transitions.firstIndex(where: { $0 > seconds }) ?? transitions.count
            }
            let current = types[transitionTypes[next - 1]]
            names[current.isDST ? 1 : 0] = current.abbreviation
            for index in transitionTypes[next...] {
                let type = types[index]
                let slot = type.isDST ? 1 : 0
                if names[slot] == nil {
                    names[slot] = type.abbreviation
                    if names[1 - slot] != nil { break }
                }
            }
            if names[0] == nil { names[0] = names[1] }
        }
        let standard = names[0] ?? types.first?.abbreviation ?? ""
        return (standard, names[1] ?? standard)
    }

    /// `tzname` as it stands once the clock has passed the zone's last transition (the footer
    /// rule's names): what a long-running process matches local abbreviations against.
    public var presentAbbreviations: (standard: String, daylight: String) {
        abbreviations(at: max(transitions.last ?? 0, 0) + 1)
    }

    /// glibc `localtime_r`: the broken-down local time of `seconds` since the epoch.
    func brokenDownTime(at seconds: Int64) -> BrokenDownTime {
        let info = localTimeType(at: seconds)
        var correction = 0
        var hit = 0
        if let index = leapSeconds.lastIndex(where: { seconds >= $0.transition }) {
            correction = leapSeconds[index].correction
            let previous = index == 0 ? 0 : leapSeconds[index - 1].correction
            if seconds == leapSeconds[index].transition && correction > previous {
                hit = 1
                var i = index
                while i > 0 && leapSeconds[i].transition == leapSeconds[i - 1].transition + 1
                    && leapSeconds[i].correction == leapSeconds[i - 1].correction + 1
                {
                    hit += 1
                    i -= 1
                }
            }
        }
        var tm = BrokenDownTime(seconds: seconds, offset: info.offset - correction)
        tm.second += hit
        tm.utcOffset = info.offset
        tm.isDST = info.isDST ? 1 : 0
        tm.zoneAbbreviation = info.abbreviation
        return tm
    }
}
