@testable import KinerjaSchedule

/// The syntax features a generated expression exercises, so the differential test can show
/// that every feature of systemd.time(7) was compared.
enum FeatureCoverage {
    static let all = [
        "weekday list", "weekday range ..", "weekday range -", "long weekday name", "star", "list", "range",
        "repetition", "end of month", "end of month with repetition", "time only", "date only",
        "month-day date", "year-month-day date", "two-digit year", "seconds", "fractional seconds", "shorthand",
        "@epoch", "UTC", "IANA zone", "local zone abbreviation",
    ]

    static let longWeekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    static func features(of text: String, spec: CalendarSpec) -> [String] {
        var found: [String] = []
        let tokens = text.split(separator: " ").map(String.init)
        let lower = text.lowercased()
        let isShorthand = ExpressionGenerator.shorthands.contains { $0.lowercased() == lower.split(separator: " ").first.map(String.init) }
        if spec.weekdays != nil, let first = tokens.first, first.first?.isLetter == true, !isShorthand {
            if first.contains(",") { found.append("weekday list") }
            if first.contains("..") { found.append("weekday range ..") }
            if first.contains("-") { found.append("weekday range -") }
            if longWeekdays.contains(where: { first.lowercased().contains($0) }) { found.append("long weekday name") }
        }
        let chains = [spec.year, spec.month, spec.day, spec.hour, spec.minute]
        if text.contains("*") { found.append("star") }
        if chains.contains(where: { $0.count > 1 }) || spec.microsecond.count > 1 { found.append("list") }
        if (chains + [spec.microsecond]).joined().contains(where: { $0.stop != nil }) { found.append("range") }
        if chains.joined().contains(where: { $0.repetition > 0 })
            || spec.microsecond.contains(where: { $0.repetition > 0 && !($0.start == 0 && $0.repetition == 1_000_000) })
        {
            found.append("repetition")
        }
        if spec.endOfMonth {
            found.append("end of month")
            if spec.day.contains(where: { $0.repetition > 0 }) { found.append("end of month with repetition") }
        }
        if isShorthand { found.append("shorthand") }
        if text.hasPrefix("@") { found.append("@epoch") }
        if !isShorthand && !text.hasPrefix("@") {
            let date = tokens.first { ($0.contains("-") || $0.contains("~")) && !$0.contains(":") && $0.first?.isLetter != true }
            let time = tokens.first { $0.contains(":") }
            if date == nil && time != nil { found.append("time only") }
            if date != nil && time == nil { found.append("date only") }
            if let date {
                let parts = date.split(whereSeparator: { $0 == "-" || $0 == "~" })
                found.append(parts.count == 3 ? "year-month-day date" : "month-day date")
                if parts.count == 3, parts[0].count == 2, parts[0].allSatisfy(\.isNumber) { found.append("two-digit year") }
            }
            if let time, time.filter({ $0 == ":" }).count == 2 {
                found.append("seconds")
                if spec.microsecond.contains(where: { $0.start % 1_000_000 != 0 || $0.repetition % 1_000_000 != 0 }) {
                    found.append("fractional seconds")
                }
            }
        }
        switch spec.zone {
        case .utc: found.append("UTC")
        case .named: found.append("IANA zone")
        case .localAbbreviation: found.append("local zone abbreviation")
        case .local: break
        }
        return found
    }
}
