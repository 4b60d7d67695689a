/// journald MESSAGE_ID values, one per event type. Each one has an entry (Bahasa Indonesia and English)
/// in systemd/kinerjad.catalog; a test checks that every id declared here is in the catalog.
public enum MessageIDs {
    /// The daemon is ready (database migrated, socket listening).
    public static let started = "2b5be6e3f7b14566b6d0fb62d7d2fd60"
    /// SIGTERM received; the daemon is stopping.
    public static let stopping = "06c7c6d468f44b179d1613089ede2ea0"
    /// The configuration was reloaded.
    public static let reloaded = "e744ee6e87ef42a3888cd0c985837124"
    /// A reload was refused because the new configuration is invalid; the old one is kept.
    public static let reloadFailed = "76916220e7d24369a6bcc104004e90a5"
    /// A database backup was written.
    public static let backupWritten = "a0eb9e94815146c7a4694705042eb104"
    /// The log level was changed at run time.
    public static let logLevelChanged = "c2e46a8edc2f444a928f9487436f9357"
    /// The daemon could not start (database, socket); the message says why.
    public static let startFailed = "5df045a7ae5344978b707c22fc0af0c0"

    /// Every id above, for the catalog check.
    public static let all: [String] = [started, stopping, reloaded, reloadFailed, backupWritten, logLevelChanged, startFailed]
}
