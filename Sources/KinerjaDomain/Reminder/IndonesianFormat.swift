/// Dates and numbers written the way Indonesian government letters write them.
///
/// Rule implemented: messages and explanations in Bahasa Indonesia (docs/domain-rules.md "Templates are in Bahasa
/// Indonesia"): dates as `14 Maret 2026` or `Sabtu, 14 Maret 2026`, decimals with a comma (`3,75`).
/// Pure and locale-free (no `DateFormatter`), so output is the same on every machine.
public enum IndonesianFormat {
    /// Month names, January first.
    public static let monthNames = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
                                    "September", "Oktober", "November", "Desember"]

    /// Weekday names by ISO weekday (index 0 = Monday … 6 = Sunday).
    public static let weekdayNames = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]

    /// `14 Maret 2026`.
    public static func date(_ date: CalendarDate) -> String {
        "\(date.day) \(monthNames[date.month - 1]) \(date.year)"
    }

    /// `Sabtu, 14 Maret 2026`.
    public static func longDate(_ date: CalendarDate) -> String {
        weekdayNames[date.isoWeekday - 1] + ", " + Self.date(date)
    }

    /// `value` rounded to `places` decimals with a comma as decimal mark (`3,75`, `-0,50`).
    public static func decimal(_ value: Double, places: Int = 2) -> String {
        fixed(value, places: places, mark: ",")
    }

    /// `value` rounded to `places` decimals with a point as decimal mark (`3.75`), for English text.
    public static func englishDecimal(_ value: Double, places: Int = 2) -> String {
        fixed(value, places: places, mark: ".")
    }

    static func fixed(_ value: Double, places: Int, mark: String) -> String {
        guard value.isFinite else { return String(value) }
        var scale = 1.0
        for _ in 0..<max(0, places) { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let negative = value < 0 && scaled > 0
        let whole = Int(scaled / scale)
        let fraction = Int(scaled - Double(whole) * scale)
        var text = (negative ? "-" : "") + String(whole)
        if places > 0 { text += mark + CalendarDate.pad(fraction, places) }
        return text
    }
}
