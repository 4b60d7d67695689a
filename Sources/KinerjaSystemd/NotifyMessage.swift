/// One `sd_notify` datagram: newline-separated `NAME=value` assignments, as sd_notify(3) describes.
///
/// ```swift
/// NotifyMessage.ready(status: "serving 16012 employees")   // "READY=1\nSTATUS=serving 16012 employees"
/// NotifyMessage.reloading(monotonicMicroseconds: MonotonicClock.microseconds())
/// ```
public struct NotifyMessage: Sendable, Equatable, CustomStringConvertible {
    /// One `NAME=value` assignment.
    public struct Assignment: Sendable, Equatable {
        /// The variable name, e.g. `READY`.
        public let name: String
        /// The value; never contains a newline.
        public let value: String
    }

    /// The assignments, in the order they are sent.
    public private(set) var assignments: [Assignment]

    /// An empty message; add assignments with ``adding(_:_:)``.
    public init() { self.assignments = [] }

    /// Returns this message with `name=value` appended. A newline in `value` would end the
    /// assignment early, so newlines (and other control characters) become spaces.
    public func adding(_ name: String, _ value: String) -> NotifyMessage {
        var copy = self
        copy.assignments.append(Assignment(name: name, value: NotifyMessage.singleLine(value)))
        return copy
    }

    /// The text given to `sd_notify`, e.g. `READY=1\nSTATUS=ready`.
    public var text: String {
        assignments.map { "\($0.name)=\($0.value)" }.joined(separator: "\n")
    }

    public var description: String { text }

    /// `READY=1`, with an optional `STATUS=`: start-up (or a reload) is complete.
    public static func ready(status: String? = nil) -> NotifyMessage {
        NotifyMessage().adding("READY", "1").addingStatus(status)
    }

    /// `STATUS=…`: a one-line live summary shown by `systemctl status`.
    public static func status(_ text: String) -> NotifyMessage {
        NotifyMessage().adding("STATUS", text)
    }

    /// `RELOADING=1` and `MONOTONIC_USEC=` (CLOCK_MONOTONIC in µs when the reload started),
    /// with an optional `STATUS=`. Send ``ready(status:)`` when the reload is done.
    public static func reloading(monotonicMicroseconds: UInt64, status: String? = nil) -> NotifyMessage {
        NotifyMessage()
            .adding("RELOADING", "1")
            .adding("MONOTONIC_USEC", String(monotonicMicroseconds))
            .addingStatus(status)
    }

    /// `STOPPING=1`, with an optional `STATUS=`: shutdown has begun.
    public static func stopping(status: String? = nil) -> NotifyMessage {
        NotifyMessage().adding("STOPPING", "1").addingStatus(status)
    }

    /// `WATCHDOG=1`: the keep-alive ping.
    public static let watchdog = NotifyMessage().adding("WATCHDOG", "1")

    private func addingStatus(_ status: String?) -> NotifyMessage {
        guard let status else { return self }
        return adding("STATUS", status)
    }

    private static func singleLine(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.map { scalar in
            scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar
        }))
    }
}
