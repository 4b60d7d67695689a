import Foundation
import KinerjaSystemd
import Logging
import ServiceLifecycle
import KinerjaPausePoints

/// Work that the daemon's main loop runs when it is due. The scheduler registers its jobs here.
public protocol LoopWork: Sendable {
    /// Starts whatever is due at `now` and returns the next instant this work wants to run, or nil.
    func runDue(now: Date) async -> Date?
    /// False when the work is stuck (a job past its timeout): the loop then withholds the watchdog ping.
    func isHealthy() -> Bool
    /// Called once when the loop stops: finish or cancel what is in flight.
    func drain() async
}

/// The daemon's work loop: runs due work, then pings the systemd watchdog and refreshes STATUS=.
/// The watchdog ping comes from this loop and nowhere else, so a hung job stops the pings and systemd
/// restarts the daemon. The loop sleeps until the next due work or the next ping, never polling.
public struct WorkLoop: Service {
    let runtime: DaemonRuntime
    let work: [any LoopWork]
    /// Half of WATCHDOG_USEC when the watchdog is enabled.
    let watchdogInterval: Duration?
    let statusInterval: Duration
    let now: @Sendable () -> Date

    public init(runtime: DaemonRuntime, work: [any LoopWork], watchdogInterval: Duration?,
                statusInterval: Duration = .seconds(60), now: @escaping @Sendable () -> Date = { Date() }) {
        self.runtime = runtime
        self.work = work
        self.watchdogInterval = watchdogInterval
        self.statusInterval = statusInterval
        self.now = now
    }

    public func run() async throws {
        let clock = ContinuousClock()
        var lastStatus = clock.now - statusInterval
        var withheld = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            #if DEBUG
            PausePoint.reach("work-loop")
            #endif
            var nextDue: Date?
            for item in work {
                if let next = await item.runDue(now: now()) {
                    nextDue = min(nextDue ?? next, next)
                }
            }
            if watchdogInterval != nil {
                if work.allSatisfy({ $0.isHealthy() }) {
                    runtime.notifier.watchdog()
                } else if !withheld {
                    withheld = true
                    runtime.logger.critical("A job has run past jobs.timeout; withholding the watchdog ping so systemd restarts the daemon")
                }
            }
            if clock.now - lastStatus >= statusInterval {
                runtime.notifier.status(runtime.statusLine())
                lastStatus = clock.now
            }
            var sleep = min(watchdogInterval ?? statusInterval, statusInterval)
            if let nextDue {
                let untilDue = Duration.milliseconds(Int64(max(0, nextDue.timeIntervalSince(now())) * 1000))
                sleep = min(sleep, untilDue)
            }
            // Graceful shutdown interrupts the sleep, never a running job.
            let pause = max(sleep, .milliseconds(10))
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: pause)
            }
        }
        for item in work { await item.drain() }
    }
}
