import Foundation
import Testing
@testable import KinerjaDomain

/// Instants and policies for the reminder tests (Asia/Jakarta, UTC+7, no daylight saving).
enum ReminderFixture {
    static let jakarta = TimeZone(identifier: "Asia/Jakarta")!

    /// `2026-03-16T09:00` read in Asia/Jakarta (or with the offset written in the text).
    static func at(_ text: String) -> Date {
        guard let date = Timestamp.parse(text, defaultTimeZone: jakarta) else {
            preconditionFailure("bad test timestamp \(text)")
        }
        return date
    }

    static func day(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    static func policy(holidays: Set<CalendarDate> = [], escalation: EscalationPolicy = EscalationPolicy()) -> ReminderPolicy {
        ReminderPolicy(escalation: escalation, workingHours: WorkingHours(timeZone: jakarta), holidays: holidays)
    }
}

@Suite("Reminder policy: stages, working hours, holidays")
struct ReminderPolicyTests {
    typealias F = ReminderFixture

    @Test func stageIdentifiersRoundTrip() throws {
        for stage in [ReminderStage.before(days: 3), .due, .after(days: 1), .after(days: 14)] {
            #expect(ReminderStage(id: stage.id) == stage)
        }
        #expect(ReminderStage.before(days: 3).id == "before:3d")
        #expect(ReminderStage.after(days: 14).id == "after:14d")
        for bad in ["before:0d", "after:03d", "after:3", "after:d", "later", "Due", "before:-1d", "after:3 d"] {
            #expect(ReminderStage(id: bad) == nil, "\(bad)")
        }
        let json = try JSONEncoder().encode([ReminderStage.before(days: 3), .due])
        #expect(String(decoding: json, as: UTF8.self) == #"["before:3d","due"]"#)
        #expect(try JSONDecoder().decode([ReminderStage].self, from: json) == [.before(days: 3), .due])
    }

    @Test func stagesAreSortedByOffset() {
        let policy = F.policy()
        #expect(policy.stages == [.before(days: 3), .due, .after(days: 1), .after(days: 3), .after(days: 7), .after(days: 14)])
        #expect(ReminderStageKey(assignmentID: 7, stage: .after(days: 3)).description == "7@after:3d")
    }

    /// Due Friday 2026-03-20 at 16:00 WIB; default offsets 3d before, due, 1d 3d 7d 14d after.
    @Test(arguments: [
        ("2026-03-16T23:59:59", nil),
        ("2026-03-17T00:00", "before:3d"),
        ("2026-03-19T15:00", "before:3d"),
        ("2026-03-20T00:00", "due"),
        ("2026-03-20T23:59", "due"),
        ("2026-03-21T00:00", "after:1d"),
        ("2026-03-22T12:00", "after:1d"),
        ("2026-03-23T00:00", "after:3d"),
        ("2026-03-26T23:59", "after:3d"),
        ("2026-03-27T00:00", "after:7d"),
        ("2026-04-03T00:00", "after:14d"),
        ("2026-06-01T10:00", "after:14d"),
    ] as [(String, String?)])
    func eachOffset(now: String, expected: String?) {
        let policy = F.policy()
        #expect(policy.stage(due: F.at("2026-03-20T16:00"), at: F.at(now))?.id == expected)
    }

    @Test func stagesCountDaysInThePolicyZoneNotUTC() {
        // Due 01:00 WIB on the 20th is still the 19th in UTC.
        let due = F.at("2026-03-20T01:00+07:00")
        let now = F.at("2026-03-19T20:00+07:00")
        #expect(F.policy().stage(due: due, at: now) == .before(days: 3))
        var utc = F.policy()
        utc.workingHours.timeZone = TimeZone(identifier: "UTC")!
        #expect(utc.stage(due: due, at: now) == .due)
    }

    @Test func policyWithoutBeforeOrDueStages() {
        var policy = F.policy()
        policy.beforeDays = []
        policy.onDueDate = false
        policy.afterDays = [2]
        let due = F.at("2026-03-20T16:00")
        #expect(policy.stage(due: due, at: F.at("2026-03-21T09:00")) == nil)
        #expect(policy.stage(due: due, at: F.at("2026-03-22T09:00")) == .after(days: 2))
    }

    @Test func nextStage() {
        let policy = F.policy()
        let due = F.at("2026-03-20T16:00")
        let next = policy.nextStage(due: due, after: F.at("2026-03-17T10:00"))
        #expect(next?.stage == .due)
        #expect(next?.at == F.at("2026-03-20T00:00"))
        #expect(policy.nextStage(due: due, after: F.at("2026-04-03T10:00")) == nil)
    }

    @Test func escalationLevelsFollowTheOverdueOrdinal() {
        let policy = F.policy()
        #expect(policy.escalationLevel(for: .before(days: 3)) == .none)
        #expect(policy.escalationLevel(for: .due) == .none)
        #expect(policy.escalationLevel(for: .after(days: 1)) == .none)
        #expect(policy.escalationLevel(for: .after(days: 3)) == .atasan)
        #expect(policy.escalationLevel(for: .after(days: 7)) == .unitHead)
        #expect(policy.escalationLevel(for: .after(days: 14)) == .unitHead)
        #expect(policy.overdueOrdinal(of: .after(days: 7)) == 3)
        let atasanOnly = F.policy(escalation: EscalationPolicy(ccAtasanFrom: 1, ccUnitHeadFrom: nil))
        #expect(atasanOnly.escalationLevel(for: .after(days: 1)) == .atasan)
        #expect(atasanOnly.escalationLevel(for: .after(days: 14)) == .atasan)
    }

    @Test(arguments: [
        ("2026-03-16T07:59:59", false), // Monday, before the window
        ("2026-03-16T08:00", true),
        ("2026-03-16T15:59:59", true),
        ("2026-03-16T16:00", false),
        ("2026-03-16T22:00", false), // night
        ("2026-03-14T10:00", false), // Saturday
        ("2026-03-15T10:00", false), // Sunday
        ("2026-03-16T02:00Z", true), // 09:00 WIB
        ("2026-03-16T00:59Z", false), // 07:59 WIB
    ])
    func workingHoursEdges(now: String, expected: Bool) {
        #expect(F.policy().isWorkingTime(F.at(now)) == expected)
    }

    @Test func holidaysAreNotWorkingTime() {
        let policy = F.policy(holidays: IndonesianHolidays.dates)
        #expect(!policy.isWorkingTime(F.at("2026-03-18T10:00"))) // cuti bersama Nyepi, a Wednesday
        #expect(!policy.isWorkingTime(F.at("2026-01-01T10:00")))
        #expect(policy.isWorkingTime(F.at("2026-03-25T10:00")))
        #expect(policy.isHoliday(F.day("2026-12-24")))
        #expect(!policy.isHoliday(F.day("2026-12-23")))
    }

    @Test func nextWorkingInstant() {
        let plain = F.policy()
        // Friday after hours → Monday 08:00.
        #expect(plain.nextWorkingInstant(atOrAfter: F.at("2026-03-13T16:30")) == F.at("2026-03-16T08:00"))
        // Early morning → same day 08:00.
        #expect(plain.nextWorkingInstant(atOrAfter: F.at("2026-03-16T06:00")) == F.at("2026-03-16T08:00"))
        // Inside the window → now.
        let now = F.at("2026-03-16T10:17:03")
        #expect(plain.nextWorkingInstant(atOrAfter: now) == now)
        // The Nyepi and Idulfitri 2026 run: 18–24 March are all holidays or weekend.
        let holidays = F.policy(holidays: IndonesianHolidays.dates)
        #expect(holidays.nextWorkingInstant(atOrAfter: F.at("2026-03-17T17:00")) == F.at("2026-03-25T08:00"))
        // No weekday at all → none.
        var never = plain
        never.workingHours.weekdays = []
        #expect(never.nextWorkingInstant(atOrAfter: now) == nil)
    }

    @Test func workingHoursInAnotherZone() throws {
        let makassar = try WorkingHours.parse("Mon..Fri 08:00..15:59 Asia/Makassar")
        // 07:30 WIB is 08:30 WITA.
        #expect(makassar.contains(F.at("2026-03-16T07:30")))
        #expect(!makassar.contains(F.at("2026-03-16T06:59")))
    }

    @Test func daylightSavingZoneUsesItsOwnOffset() throws {
        let berlin = try WorkingHours.parse("Mon..Fri 08:00..15:59 Europe/Berlin")
        var policy = F.policy()
        policy.workingHours = berlin
        // DST starts on Sunday 2026-03-29; Monday 08:00 CEST is 06:00 UTC, Friday 08:00 CET was 07:00 UTC.
        #expect(policy.nextWorkingInstant(atOrAfter: F.at("2026-03-28T12:00Z")) == F.at("2026-03-30T06:00Z"))
        #expect(berlin.instant(on: F.day("2026-03-27"), at: berlin.from) == F.at("2026-03-27T07:00Z"))
        #expect(berlin.contains(F.at("2026-03-30T06:00Z")))
        #expect(!berlin.contains(F.at("2026-03-30T05:59Z")))
    }

    @Test func parseWorkingHours() throws {
        let w = try WorkingHours.parse("Mon..Fri 08:00..15:59 Asia/Jakarta")
        #expect(w.weekdays == [1, 2, 3, 4, 5])
        #expect(w.from == TimeOfDay(hour: 8, minute: 0))
        #expect(w.until == TimeOfDay(hour: 16, minute: 0))
        #expect(w.timeZone.identifier == "Asia/Jakarta")
        #expect(w.expression == "Mon..Fri 08:00..15:59 Asia/Jakarta")

        let v = try WorkingHours.parse("  mon-wed,Friday,sat   7:30..11:59  Asia/Makassar ")
        #expect(v.weekdays == [1, 2, 3, 5, 6])
        #expect(v.from.description == "07:30" && v.until.description == "12:00")
        #expect(v.expression == "Mon..Wed,Fri,Sat 07:30..11:59 Asia/Makassar")

        let allDays = try WorkingHours.parse("00:00..23:59", defaultTimeZone: F.jakarta)
        #expect(allDays.weekdays == Set(1...7) && allDays.until.minutes == 1440)
    }

    @Test(arguments: [
        ("Fri..Mon 08:00..15:59 Asia/Jakarta", 1, "backwards"),
        ("Mon..Fry 08:00..15:59 Asia/Jakarta", 6, "'Fry' is not a weekday"),
        ("Mon..Fri 08:00..24:00 Asia/Jakarta", 17, "not a time"),
        ("Mon..Fri 8h..16h Asia/Jakarta", 10, "'8h' is not a time"),
        ("Mon..Fri 16:00..08:00 Asia/Jakarta", 17, "ends"),
        ("Mon..Fri 08:00..15:59 Mars/Olympus", 23, "not a known IANA time zone"),
        ("Mon..Fri 08:00..15:59", 22, "time zone such as Asia/Jakarta is missing"),
        ("Mon..Fri 08:00..15:59 Asia/Jakarta extra", 36, "unexpected 'extra'"),
        ("", 1, "empty"),
        ("Mon..Fri", 9, "time window such as 08:00..15:59 is missing"),
    ])
    func parseErrorsNameTheColumn(text: String, column: Int, reason: String) {
        #expect {
            _ = try WorkingHours.parse(text)
        } throws: { error in
            guard let e = error as? WorkingHoursError else { return false }
            return e.column == column && e.reason.contains(reason) && e.description.contains("column \(column)")
        }
    }

    @Test func defaultPolicyIsValid() {
        #expect(F.policy().problems.isEmpty)
        #expect(F.policy(holidays: IndonesianHolidays.dates).problems.isEmpty)
    }

    @Test func policyProblemsNameTheKey() {
        var p = F.policy()
        p.beforeDays = [0]
        p.afterDays = [1, 3, 3]
        p.escalation = EscalationPolicy(ccAtasanFrom: 3, ccUnitHeadFrom: 5)
        p.workingHours.from = TimeOfDay(hour: 17, minute: 0)!
        let problems = p.problems
        #expect(problems.contains { $0.hasPrefix("reminders.before:") && $0.contains("0d") })
        #expect(problems.contains { $0.hasPrefix("reminders.after:") && $0.contains("3d is listed twice") })
        #expect(problems.contains { $0.hasPrefix("reminders.escalation.cc_unit_head_from: 5") })
        #expect(problems.contains { $0.hasPrefix("reminders.working_hours") && $0.contains("17:00..16:00") })
        #expect(!problems.contains { $0.contains("cc_atasan_from") })

        var q = F.policy()
        q.escalation = EscalationPolicy(ccAtasanFrom: 3, ccUnitHeadFrom: 2)
        #expect(q.problems == ["reminders.escalation.cc_unit_head_from (2) must not come before cc_atasan_from (3)"])

        var noOverdue = F.policy()
        noOverdue.afterDays = []
        #expect(noOverdue.problems == [
            "reminders.escalation.cc_atasan_from: 2 needs overdue stages, but reminders.after is empty",
            "reminders.escalation.cc_unit_head_from: 3 needs overdue stages, but reminders.after is empty",
        ])

        var none = F.policy()
        none.beforeDays = []
        none.onDueDate = false
        none.afterDays = []
        none.escalation = EscalationPolicy(ccAtasanFrom: nil, ccUnitHeadFrom: nil)
        #expect(none.problems == ["reminders: no stage is configured (before, on_due_date and after are all empty)"])
    }

    @Test func indonesianDates() {
        #expect(IndonesianFormat.longDate(F.day("2026-03-14")) == "Sabtu, 14 Maret 2026")
        #expect(IndonesianFormat.date(F.day("2026-08-17")) == "17 Agustus 2026")
        #expect(IndonesianFormat.decimal(3.756) == "3,76")
        #expect(IndonesianFormat.decimal(-0.5) == "-0,50")
        #expect(IndonesianFormat.englishDecimal(0.049999) == "0.05")
        #expect(IndonesianFormat.decimal(-0.001) == "0,00")
    }
}
