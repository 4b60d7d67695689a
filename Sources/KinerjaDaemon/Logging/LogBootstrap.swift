import Foundation
import KinerjaSystemd
import Logging

/// Chooses where log records go: journald's native protocol under systemd, readable lines elsewhere.
public enum LogBootstrap {
    /// The output for this configuration: `auto` follows JOURNAL_STREAM, the others force one.
    public static func output(_ config: DaemonConfig.Logging) -> LogOutput {
        switch config.target {
        case .journal:
            return LogOutput.choose(identifier: "kinerjad", journalSocketPath: config.journalSocket)
        case .stderr:
            return LogOutput.choose(identifier: "kinerjad", journalSocketPath: nil, stderrIsJournal: false)
        case .auto:
            return JournalStream.stderrIsJournal()
                ? LogOutput.choose(identifier: "kinerjad", journalSocketPath: config.journalSocket)
                : LogOutput.choose(identifier: "kinerjad", journalSocketPath: nil, stderrIsJournal: false)
        }
    }

    /// A handler factory for `LoggingSystem.bootstrap`, following `control` for the level.
    public static func factory(_ config: DaemonConfig.Logging, control: LogLevelControl) -> @Sendable (String, Logger.MetadataProvider?) -> any LogHandler {
        let output = output(config)
        return { label, provider in
            var inner = output.makeHandler(label: label, metadataProvider: provider)
            inner.logLevel = .trace
            return ControlledLogHandler(inner: inner, control: control)
        }
    }
}
