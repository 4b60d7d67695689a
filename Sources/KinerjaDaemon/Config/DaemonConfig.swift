import KinerjaDomain
import Logging

/// The daemon's whole configuration, with the defaults a packaged install uses. Every key is documented
/// in the reference file `config/kinerjad.yaml`; this struct and that file must agree.
public struct DaemonConfig: Sendable, Equatable {
    public struct Database: Sendable, Equatable {
        /// SQLite file (WAL mode). Its directory must exist and be writable.
        public var path = "/var/lib/kinerjad/kinerja.sqlite"
        /// How long a writer waits for a lock before failing.
        public var busyTimeout: Duration = .seconds(5)
    }

    public struct Backup: Sendable, Equatable {
        /// Where `Backup` writes online copies of the database.
        public var directory = "/var/lib/kinerjad/backup"
        /// How many backup files the maintenance job keeps (oldest removed first).
        public var keep = 7
    }

    public struct Control: Sendable, Equatable {
        /// The Varlink socket the daemon binds when it is not socket-activated.
        public var socket = "/run/kinerjad/admin.varlink"
        /// Members of this group (and root) may call every method; others only `public` and `read` ones.
        public var adminGroup = "kinerjad-admin"
        public var maxMessageSize = 1 << 20
        public var maxConnections = 256
        /// Connections one user other than root and the admin group may hold at once.
        public var maxConnectionsPerUID = 32
        /// Connections kept for root and the admin group: other users together get the rest.
        public var adminConnections = 16
        public var idleTimeout: Duration = .seconds(300)
        public var maxInFlight = 128
        /// Who runs this deployment, as `org.varlink.service.GetInfo` reports it.
        public var vendor = "Pemerintah Kota Bandung"
        /// Where its documentation is, as `GetInfo` reports it.
        public var url = "file:///usr/share/doc/kinerjad/README.md"
    }

    public enum LogTarget: String, Sendable, Equatable {
        /// journald when stderr is connected to the journal (JOURNAL_STREAM), else stderr.
        case auto
        case journal
        case stderr
    }

    public struct Logging: Sendable, Equatable {
        public var target: LogTarget = .auto
        public var level: Logger.Level = .info
        /// journald's native-protocol socket; a journal namespace uses /run/systemd/journal.NAME/socket.
        public var journalSocket = "/run/systemd/journal/socket"
    }

    public struct Jobs: Sendable, Equatable {
        /// A job running longer than this is treated as hung: the work loop stops the watchdog pings,
        /// so systemd restarts the daemon (the job's transaction rolls back).
        public var timeout: Duration = .seconds(1800)
        /// Job name → systemd calendar expression. The file overrides these defaults per job; `off` unschedules one.
        public var schedule: [String: String] = ["maintenance": "*-*-* 02:30:00 Asia/Jakarta",
                                                 "motivation-analysis": "*-*-* 03:00:00 Asia/Jakarta",
                                                 "outbox-delivery": "*:0/5",
                                                 "reminder-sweep": "Mon..Fri *-*-* 08..15:00/30:00 Asia/Jakarta",
                                                 "cycle-open:quarterly": "*-01,04,07,10-01 08:00:00 Asia/Jakarta",
                                                 "cycle-open:annual": "*-01-02 08:00:00 Asia/Jakarta",
                                                 "cycle-close": "*-*-* 01:00:00 Asia/Jakarta",
                                                 "followup-pass": "Mon..Fri *-*-* 08..15:15/30:00 Asia/Jakarta"]
    }

    /// Names of the jobs this build can run (the `jobs.schedule` keys accepted).
    public static let knownJobs: [String] = ["maintenance", "motivation-analysis", "outbox-delivery", "reminder-sweep",
                                             "cycle-open:monthly", "cycle-open:quarterly", "cycle-open:semester", "cycle-open:annual",
                                             "cycle-close", "followup-pass"]

    public var database = Database()
    public var backup = Backup()
    public var control = Control()
    public var logging = Logging()
    public var jobs = Jobs()
    /// `cycles:`, `results:`, `imports:` (DaemonConfig+Cycles.swift).
    public var cycles = Cycles()
    public var results = Results()
    public var imports = Imports()
    /// `motivation:` (DaemonConfig+Motivation.swift).
    public var motivation = Motivation()
    /// `mail:` (DaemonConfig+Mail.swift).
    public var mail = Mail()
    /// `reminders:` (DaemonConfig+Reminders.swift).
    public var reminders = Reminders()
    /// `appraisers:` (DaemonConfig+Appraisers.swift).
    public var appraisers: [ExternalAppraiser] = []
    /// `web:` (DaemonConfig+Web.swift).
    public var web = Web()
    /// `followup:` — follow-up tasks for the atasan (DaemonConfig+Followup.swift).
    public var followup = FollowupPolicy()

    public init() {}
}
