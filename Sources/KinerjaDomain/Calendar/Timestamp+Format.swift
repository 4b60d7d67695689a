import Foundation

extension Timestamp {
    /// `2025-04-01T08:00:00+07:00`: the instant as wall time in `timeZone` with its UTC offset, to the
    /// second (fractions dropped), in the form `parse` reads back. UTC is written `+00:00`.
    public static func format(_ instant: Date, in timeZone: TimeZone) -> String {
        let offset = timeZone.secondsFromGMT(for: instant)
        let local = Int((instant.timeIntervalSince1970).rounded(.down)) + offset
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let seconds = local - days * 86_400
        let date = CalendarDate(daysSinceEpoch: days)
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset) / 60
        return date.description + "T" + CalendarDate.pad(seconds / 3600, 2) + ":" + CalendarDate.pad(seconds / 60 % 60, 2)
            + ":" + CalendarDate.pad(seconds % 60, 2) + sign + CalendarDate.pad(magnitude / 60, 2) + ":"
            + CalendarDate.pad(magnitude % 60, 2)
    }
}
