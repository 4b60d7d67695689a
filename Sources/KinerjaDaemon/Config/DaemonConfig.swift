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
        /// Members of this group (and root) may call every method; others only read-only ones.
        public var adminGroup = "kinerjad-admin"
        public var maxMessageSize = 1 << 20
        public var maxConnections = 256
        public var idleTimeout: Duration = .seconds(300)
        public var maxInFlight = 128
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

    public var database = Database()
    public var backup = Backup()
    public var control = Control()
    public var logging = Logging()

    public init() {}
}
