import Foundation
import Testing
@testable import KinerjaDomain

@Suite("Due dates on working days")
struct WorkingDaysTests {
    typealias F = ReminderFixture
    static let days = WorkingDays(holidays: Set(IndonesianHolidays.dates), timeZone: F.jakarta)

    @Test("a due date on a working day stays as it is")
    func workingDayStays() {
        #expect(Self.days.onWorkingDay(F.at("2026-03-17T08:00")) == F.at("2026-03-17T08:00"))
    }

    @Test("Saturday and Sunday move to Monday, same time of day in the zone")
    func weekendMovesToMonday() {
        #expect(Self.days.onWorkingDay(F.at("2026-03-28T08:00")) == F.at("2026-03-30T08:00"))
        #expect(Self.days.onWorkingDay(F.at("2026-03-29T23:30")) == F.at("2026-03-30T23:30"))
        // The day is Jakarta's: Friday 20:00 UTC is already Saturday 03:00 in Jakarta.
        #expect(Self.days.onWorkingDay(F.at("2026-03-27T20:00Z")) == F.at("2026-03-30T03:00"))
    }

    @Test("a holiday moves past the holidays and the weekend after it")
    func holidayMovesOn() {
        // Nyepi (Thursday 2026-03-19) and the Idul Fitri holidays up to Tuesday 2026-03-24.
        #expect(!Self.days.isWorkingDay(F.day("2026-03-19")))
        #expect(Self.days.onWorkingDay(F.at("2026-03-19T10:00")) == F.at("2026-03-25T10:00"))
    }

    @Test("no working day at all: nil, not a loop")
    func noWorkingDay() {
        #expect(WorkingDays(weekdays: [], timeZone: F.jakarta).onWorkingDay(F.at("2026-03-17T08:00")) == nil)
    }
}
