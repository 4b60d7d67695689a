import Foundation
import Testing
@testable import KinerjaSchedule

@Suite("Job schedule: persistent catch-up and clock steps")
struct JobScheduleTests {
    let utc = ZoneInfo.utc

    func schedule(_ expression: String) throws -> JobSchedule {
        JobSchedule(spec: try CalendarSpec.parse(expression, localZone: utc), localZone: utc)
    }

    func date(_ text: String) -> Date {
        let f = ISO8601DateFormatter()
        return f.date(from: text)!
    }

    @Test("a new job waits for its first slot after registration")
    func newJobWaits() throws {
        let s = try schedule("*-*-* 02:30:00")
        let d = s.decide(lastSlot: nil, registeredAt: date("2027-01-01T10:00:00Z"), now: date("2027-01-01T10:00:01Z"))
        #expect(d.runSlot == nil)
        #expect(d.next == date("2027-01-02T02:30:00Z"))
    }

    @Test("a year driven by the next-slot times runs a monthly job exactly 12 times and a daily one 365 times")
    func yearOfSlots() throws {
        for (expression, expected) in [("*-*-01 08:00:00", 12), ("daily", 365), ("Mon..Fri 09:00", 261)] {
            let s = try schedule(expression)
            let start = date("2027-01-01T00:00:00Z"), end = date("2028-01-01T00:00:00Z")
            var lastSlot: Date? = nil
            var now = start
            var runs = 0
            var wakes = 0
            while now < end {
                let d = s.decide(lastSlot: lastSlot, registeredAt: start.addingTimeInterval(-1), now: now)
                if let slot = d.runSlot {
                    #expect(d.missedSlots == 0)
                    runs += 1
                    lastSlot = slot
                }
                // Wake at the next slot, and sometimes in between (status refreshes, manual calls).
                wakes += 1
                let next = d.next ?? end
                now = wakes % 3 == 0 ? now.addingTimeInterval(min(3600, max(1, next.timeIntervalSince(now) / 2))) : max(next, now.addingTimeInterval(0.001))
            }
            #expect(runs == expected, "\(expression)")
        }
    }

    @Test("ten days of downtime: one catch-up run covering the missed slots")
    func downtimeCatchUp() throws {
        let s = try schedule("*-*-* 02:30:00")
        let last = date("2027-03-01T02:30:00Z")
        let d = s.decide(lastSlot: last, registeredAt: last, now: date("2027-03-11T09:00:00Z"))
        #expect(d.runSlot == date("2027-03-11T02:30:00Z"))
        #expect(d.missedSlots == 9)
        #expect(d.next == date("2027-03-12T02:30:00Z"))
        // Once that slot is recorded, nothing more is due.
        #expect(s.decide(lastSlot: d.runSlot, registeredAt: last, now: date("2027-03-11T09:00:05Z")).runSlot == nil)
    }

    @Test("the clock set back an hour after a run does not run the slot again; set forward, it runs once")
    func clockSteps() throws {
        let s = try schedule("hourly")
        let slot = date("2027-05-05T10:00:00Z")
        // Ran the 10:00 slot at 10:00:02; NTP steps the clock back to 09:10.
        #expect(s.decide(lastSlot: slot, registeredAt: slot, now: date("2027-05-05T09:10:00Z")).runSlot == nil)
        #expect(s.decide(lastSlot: slot, registeredAt: slot, now: date("2027-05-05T10:59:59Z")).runSlot == nil)
        // Stepped forward five hours: one run, for the latest slot.
        let forward = s.decide(lastSlot: slot, registeredAt: slot, now: date("2027-05-05T15:20:00Z"))
        #expect(forward.runSlot == date("2027-05-05T15:00:00Z"))
        #expect(forward.missedSlots == 4)
    }

    @Test("an expression that never elapses again is never due")
    func never() throws {
        let s = try schedule("2020-01-01 00:00:00")
        let d = s.decide(lastSlot: nil, registeredAt: date("2027-01-01T00:00:00Z"), now: date("2027-06-01T00:00:00Z"))
        #expect(d.runSlot == nil)
        #expect(d.next == nil)
    }
}
