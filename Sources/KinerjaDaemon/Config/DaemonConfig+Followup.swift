import KinerjaDomain
import KinerjaSchedule

extension DaemonConfig {
    /// `followup:` — which flags become follow-up tasks for the atasan and how they are paced:
    /// `min_severity` (info, warning, critical; default warning), `due_after` (whole days, e.g. 14d)
    /// and `escalate_after` (whole days past the due date before the unit head and the BKPSDM digest
    /// are told, e.g. 7d) and `report_minimum` (the smallest cell of the follow-up report that shows figures).
    mutating func readFollowup(from root: ConfigReader) {
        let f = root.section("followup")
        followup.minSeverity = f.choice("min_severity", default: followup.minSeverity, FlagSeverity.allCases.map { ($0.rawValue, $0) })
        followup.dueAfterDays = f.value("due_after", default: followup.dueAfterDays, expected: "whole days from 1d to 365d, e.g. 14d",
                                        Self.wholeDays)
        followup.escalateAfterDays = f.value("escalate_after", default: followup.escalateAfterDays,
                                             expected: "whole days from 1d to 365d, e.g. 7d", Self.wholeDays)
        followup.reportMinimum = f.int("report_minimum", default: followup.reportMinimum, range: 1...1000)
    }

    /// `14d`, `2w`, `336h` → 14; nil unless a whole number of days from 1 to 365.
    static func wholeDays(_ text: String) -> Int? {
        guard let span = try? TimeSpan.parse(text), !span.isInfinite else { return nil }
        let day: UInt64 = 86_400_000_000
        guard span.microseconds > 0, span.microseconds % day == 0, span.microseconds / day <= 365 else { return nil }
        return Int(span.microseconds / day)
    }
}
