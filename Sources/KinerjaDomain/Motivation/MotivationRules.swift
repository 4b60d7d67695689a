/// The six low-motivation rules as pure functions over one person's history (docs/domain-rules.md
/// "Low-motivation flags"). Each returns `nil` or a finding with evidence, a base severity
/// from its ratio and the follow-up for that severity; `MotivationAnalysis.combine` then raises
/// severities where several rules hold for the same person.
///
/// Common rules:
/// - the rules read the last `historyPeriods` closed periods of the context (the latest is the last
///   one); a subject without a record in a period has a gap there;
/// - a threshold reached exactly counts as crossed (1e-9 tolerance for floating-point rounding),
///   unless the threshold's documentation says otherwise;
/// - a window's start is the first period of the current run of the pattern (see `PeriodWindow`).
public enum MotivationRules {
    static let tolerance = 1e-9

    /// The periods the rules read.
    static func periods(_ context: MotivationContext, _ thresholds: MotivationThresholds) -> [Period] {
        Array(context.closedPeriods.suffix(max(1, thresholds.historyPeriods)))
    }

    /// The earliest index `s ≤ latest` such that `holds` is true at every index from `s` to `latest`.
    static func runStart(latest: Int, holds: (Int) -> Bool) -> Int {
        var s = latest
        while s > 0, holds(s - 1) { s -= 1 }
        return s
    }

    /// Indices of the `size` periods ending at `end` (fewer at the start of the history).
    static func window(endingAt end: Int, size: Int) -> ClosedRange<Int> {
        max(0, end - size + 1)...end
    }

    static func finding(_ rule: MotivationRule, subject: NIP, window: PeriodWindow, ratio: Double,
                        evidence: FlagEvidence, thresholds: MotivationThresholds) -> FlagFinding {
        let severity = thresholds.severity.severity(ratio: ratio)
        return FlagFinding(rule: rule, subject: subject, window: window, ratio: ratio, baseSeverity: severity,
                           severity: severity, concurrentRules: [], evidence: evidence,
                           followUp: thresholds.followUp.action(rule, severity))
    }

    // MARK: Text helpers

    static func en(_ x: Double) -> String { IndonesianFormat.englishDecimal(x) }
    static func id(_ x: Double) -> String { IndonesianFormat.decimal(x) }

    static func signedEN(_ x: Double) -> String { (x >= 0 ? "+" : "") + en(x) }
    static func signedID(_ x: Double) -> String { (x >= 0 ? "+" : "") + id(x) }

    static func percent(_ share: Double) -> String { String(Int((share * 100).rounded())) + "%" }

    /// `the last closed period` / `the last 3 closed periods`.
    static func lastPeriodsEN(_ n: Int) -> String { n == 1 ? "the last closed period" : "the last \(n) closed periods" }
    static func lastPeriodsID(_ n: Int) -> String { n == 1 ? "periode terakhir yang sudah ditutup" : "\(n) periode terakhir yang sudah ditutup" }

    // MARK: Date helpers

    /// `date` moved back by `months` calendar months, the day clamped to the target month's length.
    static func monthsBefore(_ date: CalendarDate, _ months: Int) -> CalendarDate {
        let index = date.year * 12 + (date.month - 1) - months
        let year = index / 12, month = index % 12 + 1
        let day = min(date.day, CalendarDate.daysInMonth(year: year, month: month))
        return CalendarDate(year: year, month: month, day: day) ?? date
    }

    /// Whole calendar months from `from` to `to` (0 when `to` is not after `from`).
    static func wholeMonths(from: CalendarDate, to: CalendarDate) -> Int {
        var months = (to.year - from.year) * 12 + (to.month - from.month)
        if to.day < from.day { months -= 1 }
        return max(0, months)
    }
}
