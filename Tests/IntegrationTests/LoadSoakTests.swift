import Foundation
import KinerjaTestSupport
import Testing

/// The short versions of `make load` and `make soak`: `kinerja-bench` (this build) drives a real
/// daemon with concurrent clients; both exit non-zero on any error, and the soak also when the
/// daemon's descriptors or RSS grow after its warm-up. The figures are in the output.
@Suite("load and soak, short", .serialized)
struct LoadSoakTests {
    static func bench(_ arguments: [String]) async throws -> Subprocess.Completed {
        let result = try await Subprocess.run(try BuiltProducts.executable(named: "kinerja-bench"), arguments: arguments,
                                              environment: Subprocess.environment(), timeout: .seconds(180))
        print(result.standardOutputText)
        return result
    }

    @Test("6 clients and a kinerjactl loop during a cycle open, sweep, delivery, backup and SIGHUP: no errors")
    func shortLoad() async throws {
        let result = try await Self.bench(["load", "--employees", "300", "--clients", "6", "--ctl-clients", "1", "--seconds", "8",
                                           "--pause-ms", "2"])
        #expect(result.status == .exited(0), "\(result.standardOutputText)\n\(result.standardErrorText)")
        let out = result.standardOutputText
        #expect(out.contains("errors: 0 unexpected"))
        for method in ["GetStatus", "ListCycles", "SubmitReview (w)", "Reload (w)", "SetLogLevel (w)", "kinerjactl status"] {
            #expect(out.contains("  " + method), "no \(method) calls in:\n\(out)")
        }
        #expect(out.contains("RunJob reminder-sweep") && out.contains("OpenCycle 2026-Q2"))
    }

    @Test("a 16-second soak with SIGHUP, Backup, maintenance and reminder runs: no errors, fds and RSS do not grow")
    func shortSoak() async throws {
        let result = try await Self.bench(["soak", "--seconds", "16", "--employees", "150", "--clients", "4", "--ctl-clients", "1",
                                           "--pause-ms", "10", "--reload-every", "2", "--backup-every", "3", "--reminders-every", "5"])
        #expect(result.status == .exited(0), "\(result.standardOutputText)\n\(result.standardErrorText)")
        #expect(result.standardOutputText.contains("soak: PASS (0 errors)"))
    }
}
