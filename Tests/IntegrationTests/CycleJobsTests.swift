import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// The scheduler's cycle jobs in the real daemon: cycle-open:<kind> opens the period that just ended
/// (once), cycle-close closes cycles past their due date plus grace.
@Suite("cycle-open and cycle-close jobs", .serialized)
struct CycleJobsTests {
    @Test("cycle-open:quarterly opens the previous quarter once; cycle-close closes it after due + grace")
    func openAndClose() async throws {
        var options = DaemonHarness.Options()
        options.extraConfig = """
            cycles:
              due_after: 1s
              close_grace: 1s
              # Seconds, not days: the due date must not move to the next working day.
              due_on_working_day: false
            """
        let daemon = try await DaemonHarness.start(options)
        let ctl = try BuiltProducts.kinerjactl
        let data = daemon.directory.path("demo")
        let gen = try await Subprocess.run(ctl, arguments: ["demo", "generate", "--employees", "30", "--periods", "1", "--seed", "3", "--out", data],
                                           environment: Subprocess.environment(), timeout: .seconds(120))
        #expect(gen.status == .exited(0), "\(gen.standardErrorText)")
        let imp = try await Subprocess.run(ctl, arguments: ["--socket", daemon.socketPath, "import", "employees", data + "/employees.csv"],
                                           environment: Subprocess.environment(), timeout: .seconds(120))
        #expect(imp.status == .exited(0), "\(imp.standardErrorText)")

        let first = try await daemon.call("io.kinerjad.Admin.RunJob", ["name": "cycle-open:quarterly"])
        #expect(first["run"]?["outcome"]?.stringValue == "ok", "\(first)")
        #expect(first["run"]?["message"]?.stringValue?.hasPrefix("opened ") == true, "\(first)")
        let second = try await daemon.call("io.kinerjad.Admin.RunJob", ["name": "cycle-open:quarterly"])
        #expect(second["run"]?["message"]?.stringValue?.contains("nothing changed") == true, "\(second)")
        let monthly = try await daemon.call("io.kinerjad.Admin.RunJob", ["name": "cycle-open:monthly"])
        // Refused as OpenCycle refuses it for an admin: the run fails and says why.
        #expect(monthly["run"]?["outcome"]?.stringValue == "failed", "\(monthly)")
        #expect(monthly["run"]?["message"]?.stringValue?.hasSuffix("is a monthly period, but cycles.kinds is quarterly, annual") == true,
                "\(monthly)")
        var cycles = try await daemon.call("io.kinerjad.Admin.ListCycles")["cycles"]?.arrayValue ?? []
        #expect(cycles.count == 1)
        #expect(cycles.first?["status"]?.stringValue == "open")

        try await Task.sleep(for: .seconds(2.5))
        let close = try await daemon.call("io.kinerjad.Admin.RunJob", ["name": "cycle-close"])
        #expect(close["run"]?["message"]?.stringValue?.hasPrefix("closed ") == true, "\(close)")
        cycles = try await daemon.call("io.kinerjad.Admin.ListCycles")["cycles"]?.arrayValue ?? []
        #expect(cycles.first?["status"]?.stringValue == "closed", "\(cycles)")
        let again = try await daemon.call("io.kinerjad.Admin.RunJob", ["name": "cycle-close"])
        #expect(again["run"]?["message"]?.stringValue?.hasPrefix("no open cycle") == true, "\(again)")
        #expect(try await daemon.stop() == .exited(0))
    }
}
