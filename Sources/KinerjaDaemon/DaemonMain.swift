import Foundation
import KinerjaDomain
import KinerjaSchedule
import KinerjaStore
import KinerjaSystemd
import Logging
import ServiceLifecycle
import UnixSignals

/// How `kinerjad` was invoked.
public struct DaemonOptions: Sendable {
    public var configPath: String
    /// The process environment; `KINERJAD_*` entries override the configuration file.
    public var environment: [String: String]

    public init(configPath: String, environment: [String: String]) {
        self.configPath = configPath
        self.environment = environment
    }
}

/// Exit statuses, from sysexits.h where one fits.
public enum ExitStatus {
    public static let ok: Int32 = 0
    public static let failure: Int32 = 1
    /// EX_DATAERR: the database was written by a newer kinerjad.
    public static let dataError: Int32 = 65
    /// EX_UNAVAILABLE: another process (another kinerjad) holds the database's lock. The unit does
    /// not restart on it: a second daemon must never run beside the first.
    public static let databaseInUse: Int32 = 69
    /// EX_IOERR: the database cannot be written (full disk, read-only or immutable file, read-only
    /// file system); systemd restarts the daemon, which starts once the storage is fixed.
    public static let ioError: Int32 = 74
    /// EX_CONFIG: the configuration is invalid.
    public static let config: Int32 = 78
}

/// The daemon's start-up sequence, in a visible order: configuration, logging, database, control
/// socket, READY=1, then the services until SIGTERM.
public enum DaemonMain {
    /// `kinerjad --check-config`: prints every problem (or a confirmation) and returns 0 or 78.
    public static func checkConfig(_ options: DaemonOptions) -> Int32 {
        do {
            _ = try DaemonConfig.load(file: options.configPath, environment: options.environment)
            print("\(options.configPath): configuration is valid")
            return ExitStatus.ok
        } catch {
            for problem in error.problems { printError(problem.description) }
            printError("\(options.configPath): \(error.problems.count) problem(s); configuration is invalid")
            return ExitStatus.config
        }
    }

    public static func run(_ options: DaemonOptions) async -> Int32 {
        // 0. Allocator settings, before the threads that allocate start (see AllocatorTuning). The
        // socket-activation variables are read (and unset, so children do not inherit them) now too:
        // unsetenv is not safe while other threads may call getenv, and SQLite's and Dispatch's
        // threads, started below, do.
        let allocatorSettings = AllocatorTuning.apply(environment: options.environment)
        let activation = Result { () throws(SystemdError) -> SocketActivation in try SocketActivation.fromEnvironment() }

        // 1. Configuration: a bad one stops us before anything is touched.
        let config: DaemonConfig
        do {
            config = try DaemonConfig.load(file: options.configPath, environment: options.environment)
        } catch {
            for problem in error.problems { printError(problem.description) }
            printError("kinerjad: not starting: the configuration \(options.configPath) is invalid")
            return ExitStatus.config
        }

        // SIGPIPE would kill us when a client or the journal goes away mid-write; errors are handled instead.
        signal(SIGPIPE, SIG_IGN)

        // 2. Logging.
        let logLevel = LogLevelControl(config.logging.level)
        LoggingSystem.bootstrap(LogBootstrap.factory(config.logging, control: logLevel), metadataProvider: nil)
        let logger = Logger(label: "kinerjad")
        if !allocatorSettings.isEmpty {
            logger.debug("malloc tuned: \(allocatorSettings.joined(separator: ", "))")
        }
        let notifier = Notifier()
        let watchdog: Watchdog?
        do {
            watchdog = try Watchdog.fromEnvironment()
        } catch {
            logger.warning("Ignoring a malformed watchdog setting: \(error)")
            watchdog = nil
        }

        // 3. Database: locked for our life (one daemon per database), migrated before READY=1; a
        // newer schema is refused.
        let lock: DatabaseLock
        do {
            lock = try DatabaseLock(database: config.database.path)
        } catch {
            logger.critical("Cannot start: \(error)", metadata: ["message_id": "\(MessageIDs.startFailed)", "database": "\(config.database.path)"])
            notifier.status("Failed: \(error)")
            if error is DatabaseLock.Held { return ExitStatus.databaseInUse }
            if let error = error as? StoreError, error.code == .storageUnavailable { return ExitStatus.ioError }
            return ExitStatus.failure
        }
        defer { withExtendedLifetime(lock) {} }
        let database: AppDatabase
        do {
            // A migration that rewrites the city's tables runs only after a copy of the file as it was.
            let startedAt = Date()
            database = try AppDatabase.open(path: config.database.path, busyTimeout: config.database.busyTimeout) { migration in
                BackupFiles.beforeMigration(directory: config.backup.directory, date: startedAt, migration: migration)
            }
            if let file = database.migrationBackup {
                logger.notice("Database backup written before migration", metadata: [
                    "message_id": "\(MessageIDs.backupWritten)", "file": "\(file)", "peer": "migration",
                ])
            }
        } catch let error as StoreError {
            logger.critical("Cannot start: \(error.message)", metadata: ["message_id": "\(MessageIDs.startFailed)", "database": "\(config.database.path)"])
            notifier.status("Failed: \(error.message)")
            switch error.code {
            case .schemaTooNew: return ExitStatus.dataError
            case .storageUnavailable: return ExitStatus.ioError
            default: return ExitStatus.failure
            }
        } catch {
            logger.critical("Cannot start: cannot open the database \(config.database.path): \(error)", metadata: ["message_id": "\(MessageIDs.startFailed)"])
            return ExitStatus.failure
        }

        let runtime = DaemonRuntime(config: config, configPath: options.configPath, environment: options.environment,
                                    database: database, logLevel: logLevel, logger: logger,
                                    startedAt: Date(), notifier: notifier)

        // A backup a crash cut short left its unfinished copy; none can be under way yet.
        let unfinished = BackupFiles.removeUnfinished(directory: config.backup.directory)
        if !unfinished.isEmpty {
            logger.notice("Removed \(unfinished.count) unfinished backup file(s) left by a previous process: \(unfinished.joined(separator: ", "))")
        }

        // 4. Scheduler: registers the configured jobs; runs left "running" by a crash are marked.
        let scheduler: Scheduler
        do {
            // A job calendar without a zone is read in cycles.time_zone, like every time without an offset.
            scheduler = try Scheduler(runtime: runtime, jobs: DaemonJobs.all(runtime), schedule: config.jobs.schedule,
                                      timeout: config.jobs.timeout, localZone: ZoneInfoDatabase.system.zone(for: config.cycles.zone))
        } catch {
            let storage = StorageDiagnosis.explain(error, path: config.database.path)
            logger.critical("Cannot start the scheduler: \(storage ?? "\(error)")", metadata: ["message_id": "\(MessageIDs.startFailed)"])
            notifier.status("Failed: \(storage ?? "\(error)")")
            return storage == nil ? ExitStatus.failure : ExitStatus.ioError
        }

        // 5. Control socket: the one systemd passed us, or our own.
        // The Review socket for the web front beside it, with its own peer check.
        let control: ControlServer
        let review: ReviewServer?
        do {
            let admin = AdminService(runtime: runtime, scheduler: scheduler, handlers: AdminHandlers.all)
            control = try await ControlServer.start(runtime: runtime, service: admin, activation: try activation.get())
            review = try await ReviewServer.start(runtime: runtime, activation: try activation.get())
        } catch {
            logger.critical("Cannot start: \(error)", metadata: ["message_id": "\(MessageIDs.startFailed)"])
            notifier.status("Failed: \(error)")
            return ExitStatus.failure
        }

        // 6. Signals are trapped before READY=1, so a SIGTERM or SIGHUP that systemd sends right after
        // it is queued for the services below instead of killing the process.
        let stopSignals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let hangups = await UnixSignalsSequence(trapping: .sighup)

        // 7. Ready.
        notifier.ready(status: runtime.statusLine())
        logger.notice("kinerjad ready", metadata: [
            "message_id": "\(MessageIDs.started)",
            "socket": "\(control.endpointDescription)",
            "review_socket": "\(review?.endpointDescription ?? "none (not passed by systemd)")",
            "database": "\(database.path)",
            "schema_version": "\(AppDatabase.currentSchemaVersion)",
        ])

        // 8. Services until SIGTERM/SIGINT. Shutdown runs in reverse: STOPPING=1 first, the control
        // socket last, so an admin can watch the daemon stop.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: control)] + (review.map { [.init(service: $0)] } ?? []) + [
                .init(service: WorkLoop(runtime: runtime, work: [scheduler], watchdogInterval: watchdog?.pingInterval)),
                .init(service: ReloadOnHangup(runtime: runtime, signals: hangups)),
                .init(service: ShutdownNotifier(runtime: runtime)),
            ],
            logger: logger
        ))
        let running = Task { try await group.run() }
        // The first SIGTERM/SIGINT shuts down gracefully; a second one cancels whatever is left.
        let signalWatcher = Task {
            var count = 0
            for await signal in stopSignals {
                count += 1
                logger.debug("Received \(signal)")
                if count == 1 { await group.triggerGracefulShutdown() } else { running.cancel() }
            }
        }
        defer { signalWatcher.cancel() }
        do {
            try await running.value
        } catch {
            logger.error("Service failure: \(error)")
            return ExitStatus.failure
        }
        logger.notice("kinerjad stopped")
        return ExitStatus.ok
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
