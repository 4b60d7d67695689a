import Foundation
import KinerjaStore
import KinerjaSystemd
import Logging
import Synchronization

/// What the running daemon shares between its services: the current configuration, the database,
/// the log level, and the systemd notifier. One instance per process.
public final class DaemonRuntime: Sendable {
    public let configPath: String
    public let environment: [String: String]
    public let database: AppDatabase
    public let logLevel: LogLevelControl
    public let logger: Logger
    public let startedAt: Date
    public let notifier: Notifier
    /// The wall clock; tests inject their own.
    public let now: @Sendable () -> Date
    /// Streamed imports waiting for their commit (see `ImportStaging`).
    public let imports = ImportStaging()
    /// Control calls that read a whole cycle run one at a time (see `WorkLimiter`).
    public let wholeCycleReads = WorkLimiter(limit: 1)
    /// Whether a refused priority change of a long read was logged already (once per start).
    let backgroundPriorityRefusal = OnceFlag()
    private let state: Mutex<DaemonConfig>
    /// How a use case asks for a job to run again (`rerunJob`); the scheduler installs it when it starts.
    private let rerunHook = Mutex<(@Sendable (_ job: String, _ reason: String, _ asOf: Date) -> Void)?>(nil)

    public init(config: DaemonConfig, configPath: String, environment: [String: String],
                database: AppDatabase, logLevel: LogLevelControl, logger: Logger,
                startedAt: Date, notifier: Notifier, now: @escaping @Sendable () -> Date = { Date() }) {
        self.state = Mutex(config)
        self.configPath = configPath
        self.environment = environment
        self.database = database
        self.logLevel = logLevel
        self.logger = logger
        self.startedAt = startedAt
        self.notifier = notifier
        self.now = now
    }

    public var config: DaemonConfig { state.withLock { $0 } }

    /// Runs job `name` again soon because the data it reads changed at `asOf` (a cycle closed then:
    /// the analysis, dated at the close, which lies in the past when history is replayed). A use case
    /// calls this, whichever door started it; nothing happens before a scheduler exists.
    public func rerunJob(_ name: String, because reason: String, asOf: Date) {
        rerunHook.withLock { $0 }?(name, reason, asOf)
    }

    /// Called once by the scheduler: `rerunJob` goes to `hook` from now on.
    func installRerun(_ hook: @escaping @Sendable (_ job: String, _ reason: String, _ asOf: Date) -> Void) {
        rerunHook.withLock { $0 = hook }
    }

    /// The outcome of a reload, for the caller (SIGHUP handler or the Varlink `Reload` method).
    public enum ReloadOutcome: Sendable {
        case reloaded(restartNeeded: [String])
        case refused(ConfigError)
    }

    /// Re-reads the configuration file. An invalid file is refused and the running configuration kept.
    /// Settings that cannot change while running (socket, database path) are reported as needing a
    /// restart. Tells systemd RELOADING=1 … READY=1 around it.
    @discardableResult
    public func reload() -> ReloadOutcome {
        notifier.reloading(status: "Reloading configuration")
        defer { notifier.ready(status: statusLine()) }
        let new: DaemonConfig
        do {
            new = try DaemonConfig.load(file: configPath, environment: environment)
        } catch {
            logger.error("Configuration reload refused; keeping the running configuration",
                         metadata: ["message_id": "\(MessageIDs.reloadFailed)",
                                    "config_file": "\(configPath)",
                                    "problems": "\(error.description)"])
            return .refused(error)
        }
        let old = config
        var restart: [String] = []
        if new.database != old.database { restart.append("database") }
        if new.control.socket != old.control.socket { restart.append("control.socket") }
        if new.logging.target != old.logging.target { restart.append("logging.target") }
        if new.logging.journalSocket != old.logging.journalSocket { restart.append("logging.journal_socket") }
        if new.jobs != old.jobs { restart.append("jobs") }
        state.withLock { $0 = new }
        logLevel.current = new.logging.level
        logger.notice("Configuration reloaded",
                      metadata: ["message_id": "\(MessageIDs.reloaded)",
                                 "config_file": "\(configPath)",
                                 "restart_needed": "\(restart.joined(separator: ","))"])
        return .reloaded(restartNeeded: restart)
    }

    /// `error` as an operator reads it: a storage failure of the database (full disk, read-only or
    /// immutable file, I/O error) explained by ``StorageDiagnosis``, anything else as it describes itself.
    public func describe(_ error: any Error) -> String {
        StorageDiagnosis.explain(error, path: database.path) ?? "\(error)"
    }

    /// The one-line STATUS= summary systemd shows in `systemctl status`.
    public func statusLine() -> String {
        guard let counts = try? database.statusCounts(now: now()) else { return "Serving; database not readable" }
        return "Serving; \(counts.activeEmployees) active employees in \(counts.units) units; "
            + "\(counts.openCycles) open cycles, \(counts.overdueAssignments) overdue reviews, \(counts.openFlags) open flags"
    }
}
