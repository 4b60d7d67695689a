#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Files and folders that hold personal data (the database, its WAL and shared-memory files,
/// backups, the lock file) are created with explicit modes whatever the process umask: files 0600,
/// folders 0700, owned by the daemon's user. Nothing needs group access: admins read through the
/// control socket, never the files. A file found with group or other bits (made by an older
/// version, or by a start under a loose umask) is tightened.
public enum PrivateFiles {
    public static let fileMode: mode_t = 0o600
    public static let directoryMode: mode_t = 0o700

    /// Creates `path` empty with mode 0600 when it does not exist; tightens it when it does.
    public static func createFile(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        if fd >= 0 {
            defer { close(fd) }
            guard fchmod(fd, fileMode) == 0 else { throw failure("chmod", path) }
            return
        }
        guard errno == EEXIST else { throw failure("create", path) }
        tighten(path)
    }

    /// Creates `path` (and missing parents) with mode 0700 for each folder it creates.
    public static func createDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try createDirectory(parent) }
        if mkdir(path, directoryMode) != 0 && errno != EEXIST { throw failure("create the folder", path) }
        guard chmod(path, directoryMode) == 0 else { throw failure("chmod", path) }
    }

    /// Takes group and other permission bits off `path` if it exists and has any.
    public static func tighten(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & 0o077 != 0 else { return }
        _ = chmod(path, info.st_mode & 0o700)
    }

    static func failure(_ action: String, _ path: String) -> StoreError {
        StoreError(.cannotOpen, "cannot \(action) \(path): \(String(cString: strerror(errno)))")
    }
}
