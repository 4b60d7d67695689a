import Logging

/// A swift-log handler that writes readable lines to stderr in ``LogLineFormat``:
/// `<6>cycle opened cycle.id=2025-Q1 unit=BKPSDM`. Under systemd without the native journal
/// protocol, journald's stderr capture turns `<N>` into the entry's priority.
public struct StderrLogHandler: LogHandler {
    /// The logger's label (not written; kept for callers that dispatch on it).
    public let label: String
    /// Where lines go; stderr unless a test gives another descriptor.
    public let output: FileDescriptorWriter

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?

    /// Creates a handler writing to `output`.
    public init(
        label: String,
        output: FileDescriptorWriter = .standardError,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.output = output
        self.metadataProvider = metadataProvider
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
        output.write(LogLineFormat.line(priority: SyslogPriority(event.level), message: "\(event.message)", metadata: metadata))
    }
}
