import CSystemd

/// Sends service state to the service manager with libsystemd's `sd_notify`.
///
/// libsystemd reads `NOTIFY_SOCKET` at each call; when it is unset (not running under systemd, or
/// not `Type=notify`) every send is a no-op that reports ``NotifyResult/notConfigured``.
///
/// ```swift
/// let notifier = Notifier()
/// notifier.ready(status: "serving")
/// notifier.reloading()           // RELOADING=1 + MONOTONIC_USEC=now
/// notifier.ready(status: "configuration reloaded")
/// notifier.stopping()
/// ```
public struct Notifier: Sendable {
    /// Whether the first send should unset `NOTIFY_SOCKET` so that children do not inherit it.
    /// Later sends then report ``NotifyResult/notConfigured``; leave it `false` for a daemon.
    public var unsetEnvironment: Bool

    /// Creates a notifier.
    public init(unsetEnvironment: Bool = false) {
        self.unsetEnvironment = unsetEnvironment
    }

    /// Sends `message` through `sd_notify`.
    @discardableResult
    public func send(_ message: NotifyMessage) -> NotifyResult {
        let result = sd_notify(unsetEnvironment ? 1 : 0, message.text)
        if result > 0 { return .sent }
        if result == 0 { return .notConfigured }
        return .failed(SystemdError(.notify, "sd_notify(\"\(message.text)\") failed", errno: -result))
    }

    /// `READY=1` (and `STATUS=` when given): start-up or a reload is complete.
    @discardableResult
    public func ready(status: String? = nil) -> NotifyResult {
        send(.ready(status: status))
    }

    /// `STATUS=…`: a one-line live summary.
    @discardableResult
    public func status(_ text: String) -> NotifyResult {
        send(.status(text))
    }

    /// `RELOADING=1` with `MONOTONIC_USEC` (defaults to CLOCK_MONOTONIC now). Follow with ``ready(status:)``.
    @discardableResult
    public func reloading(
        monotonicMicroseconds: UInt64 = MonotonicClock.microseconds(),
        status: String? = nil
    ) -> NotifyResult {
        send(.reloading(monotonicMicroseconds: monotonicMicroseconds, status: status))
    }

    /// `STOPPING=1` (and `STATUS=` when given): shutdown has begun.
    @discardableResult
    public func stopping(status: String? = nil) -> NotifyResult {
        send(.stopping(status: status))
    }

    /// `WATCHDOG=1`: the keep-alive ping; send it every ``Watchdog/pingInterval``.
    @discardableResult
    public func watchdog() -> NotifyResult {
        send(.watchdog)
    }
}

/// What became of one `sd_notify` call.
public enum NotifyResult: Sendable, CustomStringConvertible {
    /// The datagram was sent to `NOTIFY_SOCKET`.
    case sent
    /// `NOTIFY_SOCKET` is unset: nothing was sent, and that is not an error.
    case notConfigured
    /// Sending failed; the error names the message and the errno.
    case failed(SystemdError)

    /// Whether the datagram was sent.
    public var wasSent: Bool {
        if case .sent = self { return true }
        return false
    }

    /// Whether nothing was sent because `NOTIFY_SOCKET` is unset.
    public var wasNotConfigured: Bool {
        if case .notConfigured = self { return true }
        return false
    }

    /// The error, when sending failed.
    public var error: SystemdError? {
        if case .failed(let error) = self { return error }
        return nil
    }

    public var description: String {
        switch self {
        case .sent: "sent"
        case .notConfigured: "not configured (NOTIFY_SOCKET unset)"
        case .failed(let error): "failed: \(error)"
        }
    }
}
