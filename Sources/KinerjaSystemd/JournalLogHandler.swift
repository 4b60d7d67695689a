import Logging

/// A swift-log handler that writes structured entries to journald with its native protocol.
///
/// Each entry has `MESSAGE`, `PRIORITY` (``SyslogPriority``), `SYSLOG_IDENTIFIER`, `CODE_FILE`,
/// `CODE_LINE`, `CODE_FUNC`, `MESSAGE_ID` when the metadata has a valid ``MessageID`` under
/// ``MessageID/metadataKey``, `KINERJA_LOGGER` (the logger's label), and every other metadata key
/// as a `KINERJA_*` field (see ``JournalFieldName/sanitized(metadataKey:prefix:)``). When journald
/// cannot be reached, the entry is written to the destination's fallback in ``LogLineFormat``
/// instead, preceded once by a line saying why.
///
/// ```swift
/// let journal = JournalDestination(identifier: "kinerjad")
/// LoggingSystem.bootstrap { label in JournalLogHandler(label: label, destination: journal) }
/// ```
public struct JournalLogHandler: LogHandler {
    /// The logger's label, sent as `KINERJA_LOGGER`.
    public let label: String
    /// The shared socket, identifier and fallback.
    public let destination: JournalDestination

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?

    /// Creates a handler sending to a shared destination (one socket for all loggers).
    public init(label: String, destination: JournalDestination, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.destination = destination
        self.metadataProvider = metadataProvider
    }

    /// Creates a handler with a destination of its own.
    public init(
        label: String,
        identifier: String = "kinerjad",
        socketPath: String = JournalSocket.defaultPath,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.init(
            label: label,
            destination: JournalDestination(identifier: identifier, socket: JournalSocket(path: socketPath)),
            metadataProvider: metadataProvider
        )
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let metadata = LogMetadata.effective(
            handler: metadata,
            provider: metadataProvider,
            event: event.metadata,
            error: event.error
        )
        let message = "\(event.message)"
        let entry = JournalLogHandler.entry(
            level: event.level,
            message: message,
            metadata: metadata,
            identifier: destination.identifier,
            label: label,
            file: event.file,
            function: event.function,
            line: event.line
        )
        destination.deliver(entry) {
            LogLineFormat.line(priority: SyslogPriority(event.level), message: message, metadata: metadata)
        }
    }

    /// The journal entry for one event (pure; exposed for tests and tools).
    public static func entry(
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata,
        identifier: String,
        label: String,
        file: String,
        function: String,
        line: UInt
    ) -> JournalEntry {
        var entry = JournalEntry()
        entry.append(.message, message)
        entry.append(.priority, String(SyslogPriority(level).rawValue))
        entry.append(.syslogIdentifier, identifier)

        var remaining = metadata
        if let value = remaining[MessageID.metadataKey], let id = MessageID(validating: LogMetadata.text(of: value)) {
            entry.append(.messageID, id.hex)
            remaining[MessageID.metadataKey] = nil
        }
        entry.append(.codeFile, file)
        entry.append(.codeLine, String(line))
        entry.append(.codeFunction, function)
        if !label.isEmpty, remaining["logger"] == nil {
            entry.append(JournalFieldName.sanitized(metadataKey: "logger"), label)
        }
        for (key, value) in remaining.sorted(by: { $0.key < $1.key }) {
            entry.append(JournalFieldName.sanitized(metadataKey: key), LogMetadata.text(of: value))
        }
        return entry
    }
}
