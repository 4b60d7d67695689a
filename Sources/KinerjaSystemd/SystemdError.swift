import Glibc

/// An error from one of the systemd integration parts: what failed, why, the system error number
/// when there is one, and where in this module it was raised.
///
/// ```swift
/// catch let error as SystemdError where error.code == .socketActivation { … }
/// ```
public struct SystemdError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. Extensible: new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short stable name, e.g. `socket-activation`.
        public let name: String

        /// Creates a code with a stable name.
        public init(_ name: String) { self.name = name }

        public var description: String { name }

        /// `sd_notify` could not deliver a message.
        public static let notify = Code("notify")
        /// `WATCHDOG_USEC`/`WATCHDOG_PID` could not be read.
        public static let watchdog = Code("watchdog")
        /// `LISTEN_FDS`/`LISTEN_PID`/`LISTEN_FDNAMES` could not be read.
        public static let socketActivation = Code("socket-activation")
        /// A journal entry could not be sent to journald.
        public static let journalSend = Code("journal-send")
        /// A journal field name breaks journald's rules.
        public static let invalidFieldName = Code("invalid-field-name")
        /// A message id is not 32 hexadecimal characters.
        public static let invalidMessageID = Code("invalid-message-id")
    }

    /// The kind of failure.
    public var code: Code
    /// What was attempted and why it failed, e.g. `sendmsg to /run/systemd/journal/socket failed`.
    public var message: String
    /// The `errno` value behind the failure, when a system call failed.
    public var errno: Int32?
    /// The source file (`#fileID`) that raised the error.
    public var file: String
    /// The source line that raised the error.
    public var line: UInt

    /// Creates an error; `file` and `line` default to the caller's position.
    public init(
        _ code: Code,
        _ message: String,
        errno: Int32? = nil,
        file: String = #fileID,
        line: UInt = #line
    ) {
        self.code = code
        self.message = message
        self.errno = errno
        self.file = file
        self.line = line
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let errno {
            text += ": \(SystemdError.describe(errno: errno)) (errno \(errno))"
        }
        return text + " [\(file):\(line)]"
    }

    /// The C library's text for an errno value, e.g. `No such file or directory`.
    public static func describe(errno value: Int32) -> String {
        guard let text = strerror(value) else { return "error \(value)" }
        return String(cString: text)
    }
}
