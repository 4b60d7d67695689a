import Foundation
import KinerjaDomain
import KinerjaSchedule

extension DaemonConfig {
    /// `reminders:` — when and how reviewers are reminded of overdue 360 reviews.
    public struct Reminders: Sendable, Equatable {
        public var policy = ReminderPolicy(
            beforeDays: [3], onDueDate: true, afterDays: [1, 3, 7, 14], escalation: EscalationPolicy(ccAtasanFrom: 2, ccUnitHeadFrom: 3),
            workingHours: Reminders.defaultWorkingHours, holidays: Set(IndonesianHolidays.dates))
        /// The working-hours text as configured (the reference file shows it).
        public var workingHoursText = Reminders.defaultWorkingHoursText
        public var templates = ReminderTemplates.standard

        public static let defaultWorkingHoursText = "Mon..Fri 08:00..15:59 Asia/Jakarta"
        static let defaultWorkingHours: WorkingHours = {
            // The default text is fixed and valid; a failure here is a programming error.
            guard let hours = try? WorkingHours.parse(defaultWorkingHoursText) else { fatalError("default working hours do not parse") }
            return hours
        }()
    }

    mutating func readReminders(from root: ConfigReader) {
        let r = root.section("reminders")
        var policy = reminders.policy
        func days(_ key: String, _ fallback: [Int]) -> [Int] {
            r.list(key, default: fallback, expected: "whole days as time spans, e.g. 3d") { text in
                guard let span = try? TimeSpan.parse(text, defaultUnit: .seconds(86_400)), !span.isInfinite,
                      span.microseconds % 86_400_000_000 == 0 else { return nil }
                return Int(span.microseconds / 86_400_000_000)
            }
        }
        policy.beforeDays = days("before", policy.beforeDays)
        policy.onDueDate = r.bool("on_due_date", default: policy.onDueDate)
        policy.afterDays = days("after", policy.afterDays)
        let e = r.section("escalation")
        func ordinal(_ key: String, _ fallback: Int?) -> Int? {
            e.value(key, default: fallback, expected: "the number of the overdue reminder (1, 2, …) or off") { text in
                if text.lowercased() == "off" { return Optional<Int>.none }
                guard let n = Int(text), (1...100).contains(n) else { return nil }
                return n
            }
        }
        policy.escalation = EscalationPolicy(ccAtasanFrom: ordinal("cc_atasan_from", policy.escalation.ccAtasanFrom),
                                             ccUnitHeadFrom: ordinal("cc_unit_head_from", policy.escalation.ccUnitHeadFrom))
        if r.has("working_hours") {
            let text = r.string("working_hours", default: reminders.workingHoursText)
            do {
                // A window written without a zone is in cycles.time_zone, like every other time.
                policy.workingHours = try WorkingHours.parse(text, defaultTimeZone: cycles.zone)
                reminders.workingHoursText = text
            } catch {
                r.problem("working_hours", "\(error) (expected e.g. \"Mon..Fri 08:00..15:59 Asia/Jakarta\")")
            }
        } else {
            // The default window keeps its hours and follows cycles.time_zone.
            policy.workingHours.timeZone = cycles.zone
            reminders.workingHoursText = Reminders.defaultWorkingHoursText.replacingOccurrences(
                of: "Asia/Jakarta", with: cycles.timeZone)
        }
        if r.has("holidays") {
            let list = r.list("holidays", default: [CalendarDate](), expected: "a date YYYY-MM-DD") { CalendarDate(iso: $0) }
            policy.holidays = Set(list)
        }
        for problem in policy.problems { r.problem("", problem) }
        reminders.policy = policy

        let t = r.section("templates")
        let texts = (
            reminderSubject: t.string("reminder_subject", default: ReminderTemplates.defaultReminderSubject),
            reminderBody: t.string("reminder_body", default: ReminderTemplates.defaultReminderBody),
            escalationSubject: t.string("escalation_subject", default: ReminderTemplates.defaultEscalationSubject),
            escalationBody: t.string("escalation_body", default: ReminderTemplates.defaultEscalationBody),
            digestSubject: t.string("admin_digest_subject", default: ReminderTemplates.defaultAdminDigestSubject),
            digestBody: t.string("admin_digest_body", default: ReminderTemplates.defaultAdminDigestBody))
        do {
            reminders.templates = try ReminderTemplates(
                reminder: (texts.reminderSubject, texts.reminderBody),
                escalation: (texts.escalationSubject, texts.escalationBody),
                adminDigest: (texts.digestSubject, texts.digestBody))
        } catch {
            t.problem("", "\(error)")
        }
    }
}
