import Foundation

/// How far an overdue reminder escalates.
///
/// Rule implemented: docs/domain-rules.md "escalation (after the Nth overdue reminder copy the reviewer's
/// supervisor; later a digest to the BKPSDM admin address)": from a later one the unit head is
/// copied too and the reviewer listed in the daily digest to the BKPSDM admin address.
/// Ordered: none < atasan < unitHead.
public enum EscalationLevel: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
    /// A plain reminder to the reviewer.
    case none
    /// The reviewer's atasan is copied.
    case atasan
    /// The atasan and the head of the reviewer's unit are copied, and the review is listed in the
    /// BKPSDM admin digest.
    case unitHead = "unit_head"

    public static func < (a: EscalationLevel, b: EscalationLevel) -> Bool { a.rank < b.rank }

    var rank: Int {
        switch self {
        case .none: return 0
        case .atasan: return 1
        case .unitHead: return 2
        }
    }
}

/// When the overdue reminders escalate (config `reminders.escalation`).
///
/// Counted in overdue stages: the Nth overdue stage is the Nth of the policy's after-offsets, in
/// order (with `1d 3d 7d 14d`, `after:7d` is the 3rd). Counting stages rather than messages sent
/// keeps the rule the same after a stage was skipped (daemon down, or the one-a-day rule). `nil`
/// disables that level. Defaults: the atasan from the 2nd overdue stage, the unit head and the admin
/// digest from the 3rd.
public struct EscalationPolicy: Sendable, Hashable, Codable {
    public var ccAtasanFrom: Int?
    public var ccUnitHeadFrom: Int?

    public init(ccAtasanFrom: Int? = 2, ccUnitHeadFrom: Int? = 3) {
        self.ccAtasanFrom = ccAtasanFrom
        self.ccUnitHeadFrom = ccUnitHeadFrom
    }

    /// The level reached at the `ordinal`-th overdue stage (1-based; 0 = not overdue).
    public func level(atOverdueStage ordinal: Int) -> EscalationLevel {
        guard ordinal >= 1 else { return .none }
        if let n = ccUnitHeadFrom, ordinal >= n { return .unitHead }
        if let n = ccAtasanFrom, ordinal >= n { return .atasan }
        return .none
    }
}

/// The reminder policy (config `reminders`).
///
/// Rules implemented (docs/admin-guide.md, "Reminders"):
/// - stages: `beforeDays` (e.g. 3 → `before:3d`), the due date itself when `onDueDate`, and
///   `afterDays` (e.g. 1 3 7 14 → `after:1d` …). Days are calendar days in the working-hours time zone,
///   counted from the local day that contains the due instant. A stage is reached at the local
///   midnight that starts its day; an assignment is at the latest stage it has reached, so stages
///   missed while the daemon was down are not sent late one after another;
/// - escalation by overdue stage (`EscalationPolicy`);
/// - no message outside working hours or on a holiday (`holidays`, local dates);
/// - at most one message per recipient per local day (applied by `ReminderPlanner`).
public struct ReminderPolicy: Sendable, Hashable {
    public var beforeDays: [Int]
    public var onDueDate: Bool
    public var afterDays: [Int]
    public var escalation: EscalationPolicy
    public var workingHours: WorkingHours
    public var holidays: Set<CalendarDate>

    /// Defaults: 3 days before, on the due date, 1, 3, 7 and 14 days after; escalation from the 2nd and
    /// 3rd overdue stage; Monday–Friday 08:00–16:00 in `timeZone`; the given holidays.
    public init(beforeDays: [Int] = [3], onDueDate: Bool = true, afterDays: [Int] = [1, 3, 7, 14],
                escalation: EscalationPolicy = EscalationPolicy(), workingHours: WorkingHours,
                holidays: Set<CalendarDate> = []) {
        self.beforeDays = beforeDays
        self.onDueDate = onDueDate
        self.afterDays = afterDays
        self.escalation = escalation
        self.workingHours = workingHours
        self.holidays = holidays
    }

    public var timeZone: TimeZone { workingHours.timeZone }

    /// Every stage, earliest first.
    public var stages: [ReminderStage] {
        (beforeDays.map { ReminderStage.before(days: $0) } + (onDueDate ? [.due] : [])
            + afterDays.map { ReminderStage.after(days: $0) }).sorted()
    }

    /// What is wrong, one sentence per problem naming the config key; empty when valid.
    public var problems: [String] {
        var result: [String] = []
        for (key, days) in [("before", beforeDays), ("after", afterDays)] {
            if let bad = days.first(where: { $0 < 1 }) {
                result.append("reminders.\(key): offsets must be whole days of 1d or more, found \(bad)d")
            }
            if Set(days).count != days.count {
                let repeated = Dictionary(grouping: days, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
                result.append("reminders.\(key): offset \(repeated.map { "\($0)d" }.joined(separator: ", ")) is listed twice")
            }
        }
        if stages.isEmpty { result.append("reminders: no stage is configured (before, on_due_date and after are all empty)") }
        let overdue = afterDays.count
        for (key, value) in [("cc_atasan_from", escalation.ccAtasanFrom), ("cc_unit_head_from", escalation.ccUnitHeadFrom)] {
            guard let n = value else { continue }
            if overdue == 0 {
                result.append("reminders.escalation.\(key): \(n) needs overdue stages, but reminders.after is empty")
            } else if !(1...overdue).contains(n) {
                result.append("reminders.escalation.\(key): \(n) must name one of the \(overdue) overdue stages (1…\(overdue))")
            }
        }
        if let a = escalation.ccAtasanFrom, let u = escalation.ccUnitHeadFrom, u < a {
            result.append("reminders.escalation.cc_unit_head_from (\(u)) must not come before cc_atasan_from (\(a))")
        }
        result += workingHours.problems.map { "reminders." + $0 }
        return result
    }

    /// The local calendar day of `instant` in the policy's time zone.
    public func day(of instant: Date) -> CalendarDate { workingHours.local(instant).day }

    /// The latest stage an assignment due at `due` has reached at `now`, or `nil` before its first
    /// stage. `dueDay` may be given when the caller already knows it (it is `day(of: due)`).
    public func stage(due: Date, at now: Date, dueDay: CalendarDate? = nil) -> ReminderStage? {
        let elapsed = day(of: now).daysSinceEpoch - (dueDay ?? day(of: due)).daysSinceEpoch
        return stages.last { $0.dayOffset <= elapsed }
    }

    /// The next stage after the one reached at `now`, and the instant (local midnight) it is reached.
    public func nextStage(due: Date, after now: Date) -> (stage: ReminderStage, at: Date)? {
        let dueDay = day(of: due)
        let elapsed = day(of: now).daysSinceEpoch - dueDay.daysSinceEpoch
        guard let next = stages.first(where: { $0.dayOffset > elapsed }) else { return nil }
        return (next, dueDay.adding(days: next.dayOffset).startInstant(in: timeZone))
    }

    /// 1-based position of `stage` among the overdue stages (0 when it is not an overdue stage).
    public func overdueOrdinal(of stage: ReminderStage) -> Int {
        guard case .after(let days) = stage else { return 0 }
        return afterDays.sorted().firstIndex(of: days).map { $0 + 1 } ?? 0
    }

    /// How far the reminder for `stage` escalates.
    public func escalationLevel(for stage: ReminderStage) -> EscalationLevel {
        escalation.level(atOverdueStage: overdueOrdinal(of: stage))
    }

    /// Whether `day` is on the holiday list.
    public func isHoliday(_ day: CalendarDate) -> Bool { holidays.contains(day) }

    /// Whether a message may go out at `instant`: a listed weekday, inside the window, not a holiday.
    public func isWorkingTime(_ instant: Date) -> Bool {
        workingHours.contains(instant) && !isHoliday(day(of: instant))
    }

    /// The first instant at or after `now` at which a message may go out (`now` itself when it is
    /// working time); `nil` when there is none within three years (no weekday left by the holidays).
    public func nextWorkingInstant(atOrAfter now: Date) -> Date? {
        let today = day(of: now)
        for offset in 0..<(3 * 366) {
            let d = today.adding(days: offset)
            guard workingHours.weekdays.contains(d.isoWeekday), !isHoliday(d) else { continue }
            let start = workingHours.instant(on: d, at: workingHours.from)
            let end = workingHours.instant(on: d, at: workingHours.until)
            if now < end, start < end { return max(now, start) }
        }
        return nil
    }
}
