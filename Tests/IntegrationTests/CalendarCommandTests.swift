import Foundation
import KinerjaTestSupport
import Testing

/// `kinerjactl calendar` prints what `systemd-analyze calendar` prints, without the daemon.
@Suite("kinerjactl calendar")
struct CalendarCommandTests {
    static let expressions = ["Mon..Fri 09:00", "*-01,04,07,10-01 08:00 Asia/Jakarta", "quarterly", "*-*~01", "Sat,Sun *-*-* 10:00:00/30"]

    @Test("same lines as systemd-analyze calendar, in three zones", arguments: ["UTC", "Asia/Jakarta", "Europe/Berlin"])
    func matchesSystemd(zone: String) async throws {
        let args = ["--iterations=3", "--base-time=2026-11-29 12:00:00"] + Self.expressions
        let env = Subprocess.environment(adding: ["TZ": zone])
        let ours = try await Subprocess.run(try BuiltProducts.kinerjactl, arguments: ["calendar"] + args, environment: env, timeout: .seconds(30))
        let theirs = try await Subprocess.run("systemd-analyze", arguments: ["calendar"] + args, environment: env, timeout: .seconds(30))
        #expect(ours.status == .exited(0), "\(ours.standardErrorText)")
        // "From now" depends on the second each ran; everything else must be identical.
        func stable(_ text: String) -> [String] { text.split(separator: "\n").map(String.init).filter { !$0.contains("From now") } }
        #expect(stable(ours.standardOutputText) == stable(theirs.standardOutputText))
        #expect(stable(ours.standardOutputText).count > 20)
    }

    @Test("an invalid expression exits 1 with the reason")
    func invalid() async throws {
        let r = try await Subprocess.run(try BuiltProducts.kinerjactl, arguments: ["calendar", "Mon..Fry 09:00"], environment: Subprocess.environment(), timeout: .seconds(30))
        #expect(r.status == .exited(1))
        #expect(r.standardErrorText.contains("Mon..Fry"))
    }
}
