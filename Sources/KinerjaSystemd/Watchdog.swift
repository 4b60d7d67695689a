import CSystemd

/// The service watchdog that systemd arms with `WatchdogSec=`: the daemon must send `WATCHDOG=1`
/// (``Notifier/watchdog()``) more often than ``timeout``; ``pingInterval`` is half of it, as
/// sd_watchdog_enabled(3) recommends.
public struct Watchdog: Sendable, Equatable {
    /// `WATCHDOG_USEC`: how long systemd waits for a ping before it considers the service hung.
    public let timeout: Duration

    /// How often to ping: half of ``timeout``.
    public var pingInterval: Duration { timeout / 2 }

    /// Creates a watchdog description with the given timeout.
    public init(timeout: Duration) {
        self.timeout = timeout
    }

    /// Reads `WATCHDOG_USEC` and `WATCHDOG_PID` through `sd_watchdog_enabled`.
    ///
    /// Returns `nil` when the watchdog is disabled: `WATCHDOG_USEC` unset, or `WATCHDOG_PID` naming
    /// another process. Throws when the variables are malformed (e.g. `WATCHDOG_USEC=soon`).
    /// - Parameter unsetEnvironment: also remove both variables so children do not inherit them.
    public static func fromEnvironment(unsetEnvironment: Bool = false) throws(SystemdError) -> Watchdog? {
        var microseconds: UInt64 = 0
        let result = sd_watchdog_enabled(unsetEnvironment ? 1 : 0, &microseconds)
        if result < 0 {
            throw SystemdError(
                .watchdog,
                "sd_watchdog_enabled could not read WATCHDOG_USEC/WATCHDOG_PID",
                errno: -result
            )
        }
        guard result > 0, microseconds > 0 else { return nil }
        return Watchdog(timeout: .microseconds(Int64(clamping: microseconds)))
    }
}
