import Foundation
import KinerjaDomain
import Testing
import Varlink
@testable import KinerjaDaemon

/// Risky cycle actions need saying so (opening a period that has not ended, closing before the due
/// date), a due date never falls on a day off, and every time in and out is in cycles.time_zone.
@Suite("guard rails and one time zone, in-process", .serialized)
struct GuardRailDoorsTests {
    func problem(_ answer: VarlinkReplyMessage) -> String {
        answer.parameters["problems"]?.arrayValue?.first?.stringValue ?? "\(answer)"
    }

    @Test("a period that has not ended opens only with early; the scheduled job opens the period that ended")
    func openingEarly() async throws {
        let f = try ControlFixture() // Tuesday 2025-04-01 08:00 in Jakarta
        defer { f.remove() }
        try await f.loadOrganisation()
        let refused = await f.reply("OpenCycle", ["period": "2025-Q2"])
        #expect(refused.error == "io.kinerjad.Admin.InvalidInput")
        #expect(problem(refused) == "period: 2025-Q2 runs until 2025-06-30 and has not ended at 2025-04-01T08:00:00+07:00; "
                + "opening it before its end needs early (kinerjactl cycles open --early)")
        // Replaying history does not get round it: opened_at inside the period is refused the same way.
        let replay = await f.reply("OpenCycle", ["period": "2025-Q1", "opened_at": "2025-03-31T10:00"])
        #expect(problem(replay).hasPrefix("period: 2025-Q1 runs until 2025-03-31 and has not ended at 2025-03-31T10:00:00+07:00"))
        let early = try await f.call("OpenCycle", ["period": "2025-Q2", "early": true])
        #expect(early["created"]?.boolValue == true)
        #expect(early["message"]?.stringValue?.contains("opened early, before the period ends on 2025-06-30") == true)
        // Once it exists, opening it again says so, with or without early.
        let again = try await f.call("OpenCycle", ["period": "2025-Q2"])
        #expect(again["created"]?.boolValue == false && again["message"]?.stringValue?.contains("already exists") == true)
        #expect(f.log.with(messageID: MessageIDs.cycleOpened).contains { $0.metadata["early"] == "true" })
        let run = try await f.runJob("cycle-open:quarterly")
        #expect(run.outcome == "ok" && run.message?.hasPrefix("opened 2025-Q1") == true, "\(run.message ?? "")")
    }

    @Test("a due date on a weekend or a holiday moves to the next working day, unless cycles.due_on_working_day is off",
          arguments: [("2026-03-27T01:00:00Z", true, "2026-03-30T08:00:00+07:00"),   // Saturday → Monday
                      ("2026-03-18T01:00:00Z", true, "2026-03-25T08:00:00+07:00"),   // Nyepi, then Idul Fitri
                      ("2026-03-27T01:00:00Z", false, "2026-03-28T08:00:00+07:00"),
                      ("2026-03-30T01:00:00Z", true, "2026-03-31T08:00:00+07:00")])  // a working day stays
    func dueOnWorkingDay(start: String, move: Bool, due: String) async throws {
        let f = try ControlFixture(at: start) { config in
            config.cycles.kinds = [.monthly, .quarterly]
            config.cycles.dueAfter = .seconds(86_400)
            config.cycles.dueOnWorkingDay = move
        }
        defer { f.remove() }
        try await f.loadOrganisation()
        let opened = try await f.call("OpenCycle", ["period": "2026-02"])
        #expect(opened["cycle"]?["due_at"]?.stringValue == due)
        let planned = Timestamp.format(f.clock.now.addingTimeInterval(86_400), in: TimeZone(identifier: "Asia/Jakarta")!)
        #expect((opened["message"]?.stringValue?.contains("so it moved to \(due)") == true) == (planned != due))
        let assignments = try await f.call("ListReviews", ["cycle": "2026-02", "limit": 5])
        #expect(assignments["assignments"]?.arrayValue?.allSatisfy { $0["due_at"]?.stringValue == due } == true)
    }

    @Test("closing before the due date needs force and a reason; a reason without force is refused")
    func closingEarly() async throws {
        let f = try ControlFixture() // due one hour after opening: 09:00 in Jakarta
        defer { f.remove() }
        try await f.loadOrganisation()
        _ = try await f.call("OpenCycle", ["period": "2025-Q1"])
        let early = await f.reply("CloseCycle", ["cycle": "2025-Q1", "force": false])
        #expect(early.error == "io.kinerjad.Admin.InvalidInput")
        #expect(problem(early) == "cycle 2025-Q1 is due at 2025-04-01T09:00:00+07:00; closing it at 2025-04-01T08:00:00+07:00, "
                + "before its due date, needs force with a reason (kinerjactl cycles close --force --reason TEXT)")
        let reasonOnly = await f.reply("CloseCycle", ["cycle": "2025-Q1", "force": false, "reason": "rapat pimpinan"])
        #expect(reasonOnly.error == "io.kinerjad.Admin.InvalidInput")
        #expect(problem(reasonOnly).hasPrefix("reason: a reason is only recorded for a forced close"))
        let cycle = try await f.call("GetCycle", ["cycle": "2025-Q1"])
        #expect(cycle["cycle"]?["status"]?.stringValue == "open")
        let forced = try await f.call("CloseCycle", ["cycle": "2025-Q1", "force": true, "reason": "rapat pimpinan"])
        #expect(forced["closed"]?.boolValue == true && forced["cycle"]?["close_reason"]?.stringValue == "rapat pimpinan")
    }

    @Test("offset-less times in are read in cycles.time_zone and times in messages are shown in it")
    func timesInTheConfiguredZone() async throws {
        let f = try ControlFixture()
        defer { f.remove() }
        try await f.loadOrganisation()
        for text in ["2025-04-02 09:00", "2025-04-02T09:00"] {
            let preview = try await f.call("PreviewReminders", ["at": .string(text)])
            #expect(preview["at"]?.stringValue == "2025-04-02T09:00:00+07:00", "\(text)")
        }
        _ = try await f.call("OpenCycle", ["period": "2025-Q1"])
        let list = try await f.call("ListReviews", ["cycle": "2025-Q1", "role": "rekan", "limit": 1])
        let id = try #require(list["assignments"]?.arrayValue?.first?["id"])
        let scores = JSONValue.object(Dictionary(uniqueKeysWithValues: BerAKHLAKValue.allCases.map { ($0.rawValue, JSONValue.int(4)) }))
        let before = await f.reply("SubmitReview", ["assignment_id": id, "scores": scores, "submitted_at": "2025-04-01T07:30"])
        #expect(before.error == "io.kinerjad.Admin.InvalidInput")
        #expect(problem(before).contains("submitted_at 2025-04-01T07:30:00+07:00 is before cycle 2025-Q1 opened (2025-04-01T08:00:00+07:00)"),
                "\(problem(before))")
        let flags = try await f.call("ListFlags", ["include_cleared": true])
        #expect(flags["total"]?.intValue == 0 && flags["hidden_cleared"]?.intValue == 0)
    }
}
