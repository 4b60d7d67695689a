/// An error from the store that an operator can act on, with a stable code.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The database was written by a newer kinerjad (it has migrations this build does not know).
        case schemaTooNew = "schema_too_new"
        /// The database file or its directory cannot be opened or written.
        case cannotOpen = "cannot_open"
        /// A backup could not be written.
        case backupFailed = "backup_failed"
        /// The database's storage refuses writes: a full disk, a read-only or immutable file, a
        /// read-only file system, an I/O error (the message says which).
        case storageUnavailable = "storage_unavailable"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
