#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One daemon per database: an exclusive `flock` on `DATABASE.lock`, beside the database, held for
/// the life of the process (the kernel drops it when the process ends, however it ends, so a
/// kill -9 leaves no stale lock). The holder writes its PID into the file so that a second start
/// can name it. SQLite's own locks cannot do this job: in WAL mode two processes may share a
/// database by design, and both would then send every reminder.
public final class DatabaseLock: Sendable {
    /// The lock file.
    public let path: String
    private let fd: CInt

    /// Another process holds the lock.
    public struct Held: Error, CustomStringConvertible {
        public var lockFile: String
        public var database: String
        /// The holder's PID as it wrote it, when readable.
        public var holderPID: Int32?

        public var description: String {
            let holder = holderPID.map { "process \($0)" } ?? "another process"
            return "the database \(database) is in use by \(holder) (another kinerjad?): \(lockFile) is locked; "
                + "stop that daemon first, or give this one another database.path"
        }
    }

    /// `DATABASE.lock` for the database at `databasePath`.
    public static func lockPath(forDatabase databasePath: String) -> String { databasePath + ".lock" }

    /// Takes the lock of the database at `databasePath`.
    /// - Throws: ``Held`` when another process holds it; ``StoreError`` when the file cannot be opened.
    public init(database databasePath: String) throws {
        let path = Self.lockPath(forDatabase: databasePath)
        var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, PrivateFiles.fileMode)
        var writable = true
        if fd < 0 {
            // Storage that refuses writes (a read-only mount, a full disk) still lets an existing
            // lock file be locked read-only; opening the database then reports the real problem.
            let code = errno
            fd = open(path, O_RDONLY | O_CLOEXEC)
            writable = false
            guard fd >= 0 else {
                let reason = "cannot create the lock file \(path): \(String(cString: strerror(code)))"
                let storage = [EROFS, EACCES, EPERM, ENOSPC, EDQUOT, EIO].contains(code)
                throw StoreError(storage ? .storageUnavailable : .cannotOpen, reason)
            }
        } else {
            _ = fchmod(fd, PrivateFiles.fileMode)
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = Self.readPID(fd)
            close(fd)
            if code == EWOULDBLOCK {
                throw Held(lockFile: path, database: databasePath, holderPID: holder)
            }
            throw StoreError(.cannotOpen, "cannot lock \(path): \(String(cString: strerror(code)))")
        }
        if writable {
            let text = Array("\(getpid())\n".utf8)
            _ = ftruncate(fd, 0)
            _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        self.path = path
        self.fd = fd
    }

    deinit {
        close(fd)
    }

    static func readPID(_ fd: CInt) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }
}
