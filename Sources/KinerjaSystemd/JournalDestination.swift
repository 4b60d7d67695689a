import Synchronization

/// Where ``JournalLogHandler``s send entries: one ``JournalSocket``, the `SYSLOG_IDENTIFIER`,
/// and a fallback writer for entries that journald did not take. Share one destination among
/// all loggers of a process.
public final class JournalDestination: Sendable {
    /// `SYSLOG_IDENTIFIER` of every entry, e.g. `kinerjad`.
    public let identifier: String
    /// The native-protocol socket.
    public let socket: JournalSocket
    /// Receives an entry in ``LogLineFormat`` when sending it to journald fails.
    public let fallback: FileDescriptorWriter

    private let reportedFailure = Mutex<String?>(nil)

    /// Creates a destination.
    /// - Parameters:
    ///   - identifier: the `SYSLOG_IDENTIFIER`.
    ///   - socket: the journal socket; `/run/systemd/journal/socket` by default.
    ///   - fallback: stderr by default.
    public init(
        identifier: String = "kinerjad",
        socket: JournalSocket = JournalSocket(),
        fallback: FileDescriptorWriter = .standardError
    ) {
        self.identifier = identifier
        self.socket = socket
        self.fallback = fallback
    }

    /// Sends `entry`; when that fails, writes `fallbackLine()` to ``fallback``, preceded by a
    /// warning with the reason the first time (and again whenever the reason changes after a
    /// success). Never throws and never waits longer than the socket's send timeout.
    public func deliver(_ entry: JournalEntry, fallbackLine: () -> String) {
        do {
            try socket.send(entry)
            reportedFailure.withLock { $0 = nil }
        } catch {
            let reason = "journal unavailable, logging to stderr instead: \(error.message)"
                + (error.errno.map { ": " + SystemdError.describe(errno: $0) } ?? "")
            let isNew = reportedFailure.withLock { reported in
                defer { reported = reason }
                return reported != reason
            }
            if isNew {
                fallback.write(LogLineFormat.line(priority: .warning, message: reason, metadata: [:]))
            }
            fallback.write(fallbackLine())
        }
    }
}
