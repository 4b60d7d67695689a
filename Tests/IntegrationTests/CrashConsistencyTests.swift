import Foundation
import KinerjaTestSupport
import Testing

#if DEBUG
/// The short crash-consistency run: tools/crash-harness.py kills the real daemon with
/// SIGKILL once at every named pause point of the scenario (import, cycle open, review import,
/// close, analysis, sweep, delivery, backup, old mail deleted, scheduled job), restarts it each time and checks the
/// invariants against an uncrashed run. `make crash KILLS=500` is the long version.
@Suite("crash consistency: kill -9 at every pause point", .serialized)
struct CrashConsistencyTests {
    static var repository: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    @Test("every point killed once, every invariant holds")
    func everyPointOnce() async throws {
        let harness = Self.repository + "/tools/crash-harness.py"
        let run = try await Subprocess.run("python3", arguments: [harness, "--bin", BuiltProducts.directory, "--seed", "1"],
                                           environment: Subprocess.environment(), timeout: .seconds(600))
        let output = run.standardOutputText
        #expect(run.status == .exited(0), "\(output)\n\(run.standardErrorText)")
        #expect(output.contains("invariant failures: 0"), "\(output)")
        // Every point was reached and killed at least once.
        let line = output.split(separator: "\n").first { $0.hasPrefix("total kills: ") } ?? ""
        let total = Int(line.dropFirst("total kills: ".count).prefix { $0.isNumber }) ?? 0
        #expect(total >= 19, "\(output)")
    }
}
#endif
