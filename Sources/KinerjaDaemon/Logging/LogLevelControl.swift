import Logging
import Synchronization

/// The daemon-wide log level, changeable at run time (`kinerjactl log-level`, reload).
public final class LogLevelControl: Sendable {
    private let level: Mutex<Logger.Level>

    public init(_ initial: Logger.Level) {
        level = Mutex(initial)
    }

    public var current: Logger.Level {
        get { level.withLock { $0 } }
        set { level.withLock { $0 = newValue } }
    }
}

/// Wraps a handler so that its level follows a `LogLevelControl` instead of a per-logger copy.
public struct ControlledLogHandler: LogHandler {
    public var inner: any LogHandler
    public let control: LogLevelControl

    public init(inner: any LogHandler, control: LogLevelControl) {
        self.inner = inner
        self.control = control
    }

    public var logLevel: Logger.Level {
        get { control.current }
        set { control.current = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        inner.log(event: event)
    }
}
