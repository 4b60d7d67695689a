import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// The demo data set of `make run` (300 employees, four quarters, seed 1) replayed through a real
/// daemon with `kinerjactl demo load`: each close's analysis dates its flags and follow-up tasks at
/// that close, the load records the planned outcomes through `RecordFollowup`, and the follow-up
/// report then shows figures (not only counts) for held and never-held follow-ups.
@Suite("Demo follow-up outcomes", .serialized)
struct DemoFollowupTests {
    @Test("after demo load: tasks dated at their close, outcomes recorded not before them, report cells shown for held and never held")
    func outcomesAndReport() async throws {
        let daemon = try await DaemonHarness.start()
        let kit = CyclesKit(daemon: daemon)
        let dir = try TemporaryDirectory(prefix: "kinerja-demo-followups")
        let demo = dir.path("demo")
        let generated = try await kit.ctl(["demo", "generate", "--employees", "300", "--periods", "4", "--seed", "1", "--out", demo])
        #expect(generated.status == .exited(0), "\(generated.standardErrorText)")
        let load = try await kit.ctl(["demo", "load", demo])
        #expect(load.status == .exited(0), "\(load.standardErrorText)")
        #expect(load.standardOutputText.contains("outcome(s) recorded"), "\(load.standardOutputText)")

        let planned = TestCSV.records(try String(contentsOfFile: demo + "/followups.csv", encoding: .utf8))
        let held = planned.filter { !$0["held_on"]!.isEmpty }
        #expect(planned.count == 36 && held.count == 2 * (planned.count - held.count))

        // Every planned task dated at the second quarter's close (not today, the day of the replay),
        // and every recorded outcome on or after its task's day.
        let createdOn = try #require(planned.first?["created_on"])
        #expect(Set(planned.map { $0["created_on"]! }) == [createdOn])
        let nips = planned.map { "'\($0["nip"]!)'" }.joined(separator: ",")
        #expect(try await kit.scalar("SELECT COUNT(*) FROM followup_named WHERE subject_nip IN (\(nips)) AND created_on = '\(createdOn)'")
                == String(planned.count))
        let today = try await kit.scalar("SELECT date('now')")
        #expect(try await kit.scalar("SELECT COUNT(*) FROM followup WHERE created_on >= '\(today)'") == "0",
                "no task is dated at the replay")
        #expect(try await kit.scalar("SELECT COUNT(*) FROM followup WHERE held_on IS NOT NULL") == String(held.count))
        #expect(try await kit.scalar("SELECT COUNT(*) FROM followup WHERE held_on < created_on") == "0")
        #expect(try await kit.scalar("SELECT COUNT(*) FROM followup WHERE held_on > due_date") != "0", "some held late")
        // Each as planned: the day and the action.
        for p in held.prefix(8) {
            let row = try await kit.scalar("SELECT held_on || '/' || agreed_action FROM followup_named WHERE subject_nip = '\(p["nip"]!)'")
            #expect(row == "\(p["held_on"]!)/\(p["action"]!)")
        }

        // The report through kinerjactl, as `make run` shows it (JSON for the test).
        let report = try await kit.ctl(["report", "followups", "--format", "json"])
        #expect(report.status == .exited(0), "\(report.standardErrorText)")
        let reply = try JSONValue(parsing: report.standardOutputText)
        let cells = reply["cells"]?.arrayValue ?? []
        func shown(_ c: JSONValue) -> Bool { c["suppressed"]?.boolValue == false && c["cleared_within_two"]?.doubleValue != nil }
        let units = cells.filter { $0["unit"]?.stringValue != nil }
        #expect(units.contains { shown($0) && $0["group"]?.stringValue != "not_held" }, "a unit's held cell shown")
        #expect(units.contains { shown($0) && $0["group"]?.stringValue == "not_held" }, "a unit's never-held cell shown")
        #expect(cells.contains { $0["suppressed"]?.boolValue == true }, "small cells suppressed")
        let all = Dictionary(cells.filter { $0["unit"] == nil || $0["unit"] == .null }.map { ($0["group"]!.stringValue!, $0) },
                             uniquingKeysWith: { a, _ in a })
        let training = try #require(all["training"]), never = try #require(all["not_held"])
        #expect(shown(training) && shown(never))
        // Those who held the dialog recovered more often than those who did not (as planted).
        #expect(training["cleared_within_two"]!.doubleValue! > never["cleared_within_two"]!.doubleValue!, "\(training) \(never)")
        // The change is measured from the flag's last period to the next closed one, so only flags whose
        // window stopped before the last period have one: here the recovered, with better scores.
        #expect(training["mean_perilaku_change"]!.doubleValue! > 0 && training["mean_predikat_change"]!.doubleValue! > 0)
        #expect(training["held_on_time"]!.intValue! > 0 && training["median_days"]?.doubleValue != nil)
        #expect(try await daemon.stop() == .exited(0))
    }
}
