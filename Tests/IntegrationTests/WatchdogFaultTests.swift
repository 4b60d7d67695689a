import Foundation
import KinerjaTestSupport
import Testing

#if DEBUG
/// systemd-level fault: when the work loop is blocked, the watchdog pings stop, so systemd
/// (WatchdogSec=) would kill and restart the daemon; released, the pings resume. The loop is held at
/// its pause point (`work-loop`, debug builds only) while the control socket keeps answering, which
/// is exactly the hang the watchdog exists to catch.
@Suite("watchdog fault: a blocked work loop stops the pings", .serialized)
struct WatchdogFaultTests {
    static func watchdogPings(_ daemon: DaemonHarness) -> Int {
        daemon.notify.history.filter { $0.lines.contains("WATCHDOG=1") }.count
    }

    @Test("WATCHDOG=1 every half interval; none for 4 timeouts while the loop is held; pings resume when released")
    func blockedLoopStopsPings() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerjad-watchdog")
        let pauses = directory.path("pauses")
        var options = DaemonHarness.Options()
        // WATCHDOG_USEC = 0.5 s: a ping every 0.25 s. The loop pauses on its 8th turn.
        options.environment = ["WATCHDOG_USEC": "500000", "KINERJAD_PAUSE_AT": "work-loop#8", "KINERJAD_PAUSE_FILE": pauses]
        let daemon = try await DaemonHarness.start(options, in: directory)

        _ = try await daemon.notify.waitFor(prefix: "WATCHDOG=1", timeout: .seconds(5))
        try await waitUntil("the work loop reached its pause point", timeout: .seconds(20)) {
            ((try? String(contentsOfFile: pauses, encoding: .utf8)) ?? "").contains("work-loop \(daemon.process.pid)")
        }
        let before = Self.watchdogPings(daemon)
        #expect(before >= 3, "pings before the pause: \(daemon.notify.history)")
        // Let a datagram sent just before the pause arrive (the test's receiving thread may run late on
        // a loaded machine): count once the number has stayed the same for a second, four intervals.
        var held = Self.watchdogPings(daemon), steadySince = ContinuousClock.now
        let giveUp = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now - steadySince < .seconds(1) && ContinuousClock.now < giveUp {
            try await Task.sleep(for: .milliseconds(50))
            let now = Self.watchdogPings(daemon)
            if now != held { (held, steadySince) = (now, ContinuousClock.now) }
        }
        try await Task.sleep(for: .seconds(2))
        #expect(Self.watchdogPings(daemon) == held, "WATCHDOG=1 was sent while the work loop was blocked")
        // The process is alive and its control socket answers: only the watchdog can see this hang.
        #expect(daemon.process.isRunning)
        let pong = try await daemon.call("io.kinerjad.Admin.Ping")
        #expect(pong["version"] != nil)
        #expect(Self.watchdogPings(daemon) == held, "WATCHDOG=1 was sent while the work loop was blocked")

        // Released: the loop turns again and pings within one interval.
        FileManager.default.createFile(atPath: pauses + ".release", contents: nil)
        try await waitUntil("WATCHDOG=1 after the release", timeout: .seconds(5)) { Self.watchdogPings(daemon) > held + 1 }
        #expect(try await daemon.stop() == .exited(0), "\(daemon.log)")
    }
}
#endif
