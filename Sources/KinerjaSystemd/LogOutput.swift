import Logging

/// Where a process's logs go, chosen once at start-up: the journal's native protocol when
/// running under systemd (stderr is the journal stream) or when a journal socket is configured,
/// readable `<N>` lines on stderr otherwise.
///
/// ```swift
/// let output = LogOutput.choose(identifier: "kinerjad", journalSocketPath: config.logging.journalSocket)
/// LoggingSystem.bootstrap(output.makeHandler)
/// ```
public enum LogOutput: Sendable {
    /// Native-protocol entries to journald (one shared socket for all loggers).
    case journal(JournalDestination)
    /// Text lines in ``LogLineFormat``.
    case stderr(FileDescriptorWriter)

    /// Chooses the output.
    /// - Parameters:
    ///   - identifier: `SYSLOG_IDENTIFIER` for journal entries.
    ///   - journalSocketPath: a configured journal socket; when given, the journal is used even
    ///     outside systemd (e.g. a journald namespace in tests).
    ///   - stderrIsJournal: whether stderr is the journal stream; ``JournalStream/stderrIsJournal()`` by default.
    public static func choose(
        identifier: String,
        journalSocketPath: String? = nil,
        stderrIsJournal: Bool = JournalStream.stderrIsJournal()
    ) -> LogOutput {
        if let journalSocketPath {
            return .journal(JournalDestination(identifier: identifier, socket: JournalSocket(path: journalSocketPath)))
        }
        if stderrIsJournal {
            return .journal(JournalDestination(identifier: identifier))
        }
        return .stderr(.standardError)
    }

    /// A handler for a logger with `label`; pass this function to `LoggingSystem.bootstrap`.
    @Sendable
    public func makeHandler(label: String, metadataProvider: Logger.MetadataProvider?) -> any LogHandler {
        switch self {
        case .journal(let destination):
            JournalLogHandler(label: label, destination: destination, metadataProvider: metadataProvider)
        case .stderr(let writer):
            StderrLogHandler(label: label, output: writer, metadataProvider: metadataProvider)
        }
    }
}
