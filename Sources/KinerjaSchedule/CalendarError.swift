/// Why a calendar expression was rejected: where, which part, and the reason.
///
/// The accept/reject decision is systemd 252's; the position and reason say which rule was
/// broken.
public struct CalendarError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The part of a calendar expression an error is about.
    public enum Part: String, Sendable, Hashable {
        case expression
        case weekday
        /// The date before it is known whether it has two or three parts.
        case date
        case year
        case month
        case day
        case time
        case hour
        case minute
        case second
        case timeZone = "time zone"
    }

    /// The expression as given.
    public var expression: String
    /// 1-based column (in characters) where the problem starts.
    public var position: Int
    /// The part that is wrong.
    public var part: Part
    /// What is wrong.
    public var reason: String

    /// The error number systemd reports for this rejection (its message after the colon).
    enum SystemdErrno: String, Sendable, Hashable {
        case invalidArgument = "Invalid argument"
        case outOfRange = "Numerical result out of range"
        case noBufferSpace = "No buffer space available"
    }

    var systemdErrno: SystemdErrno = .invalidArgument

    /// Creates an error about `expression` at 1-based column `position`.
    public init(expression: String, position: Int, part: Part, reason: String) {
        self.expression = expression
        self.position = position
        self.part = part
        self.reason = reason
    }

    public var description: String {
        "invalid calendar expression '\(expression)': \(part.rawValue) at column \(position): \(reason)"
    }
}
