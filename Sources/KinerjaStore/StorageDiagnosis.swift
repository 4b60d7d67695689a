import Foundation
import GRDB

/// Turns a failed SQLite read or write caused by the storage (a full disk, a read-only or
/// immutable file, a read-only file system, an I/O error) into a sentence an operator can act on:
/// what failed, SQLite's code, what the file system says about the files involved, and that the
/// transaction was rolled back. Other errors are left to their own description.
///
/// ```
/// the database /var/lib/kinerjad/kinerja.sqlite cannot be written: the disk is full (SQLITE_FULL);
/// the file system of /var/lib/kinerjad has 0 KiB free. Nothing was changed; free space there and retry.
/// ```
public enum StorageDiagnosis {
    /// The explanation of `error` for the SQLite file at `path` (the database, or a backup being
    /// written), or nil when `error` is not a storage failure.
    /// - Parameter what: how to name the file, e.g. "the database" or "the backup".
    public static func explain(_ error: any Error, path: String, what: String = "the database") -> String? {
        guard let error = error as? DatabaseError else { return nil }
        let code = error.resultCode
        let problem: String
        let advice: String
        switch code {
        case .SQLITE_FULL:
            problem = "the disk is full (SQLITE_FULL)"
            advice = "free space there and retry"
        case .SQLITE_READONLY:
            problem = "it is read-only (\(name(of: error.extendedResultCode)))"
            advice = "make it writable again and retry"
        case .SQLITE_IOERR:
            problem = "an I/O error (\(name(of: error.extendedResultCode)))"
            advice = "check the file system and the files' attributes, then retry"
        case .SQLITE_CANTOPEN:
            problem = "a file cannot be opened (SQLITE_CANTOPEN)"
            advice = "check that the directory and files exist and are writable, then retry"
        case .SQLITE_PERM:
            problem = "access was denied (SQLITE_PERM)"
            advice = "make it writable again and retry"
        default:
            return nil
        }
        var findings = fileSystemFindings(path: path)
        if code == .SQLITE_FULL || findings.isEmpty {
            let directory = (path as NSString).deletingLastPathComponent
            if let free = freeBytes(directory) {
                findings.insert("the file system of \(directory) has \(free / 1024) KiB free", at: 0)
            }
        }
        return "\(what) \(path) cannot be written: \(problem)"
            + (findings.isEmpty ? "" : "; " + findings.joined(separator: "; "))
            + ". Nothing was changed; \(advice)."
    }

    /// What the file system says about `path`, its `-wal` and `-shm` files and its directory: a
    /// read-only mount, an immutable file, a file the process may not write.
    public static func fileSystemFindings(path: String) -> [String] {
        let directory = (path as NSString).deletingLastPathComponent
        var findings: [String] = []
        var fs = statvfs()
        if statvfs(directory, &fs) == 0, fs.f_flag & UInt(ST_RDONLY) != 0 {
            findings.append("the file system of \(directory) is mounted read-only")
            return findings
        }
        for file in [path, path + "-wal", path + "-shm", directory] {
            guard access(file, F_OK) == 0, access(file, W_OK) != 0 else { continue }
            switch errno {
            case EPERM: findings.append("\(file) is immutable (chattr +i)")
            case EROFS: findings.append("\(file) is on a read-only file system")
            case EACCES:
                var info = stat()
                let mode = stat(file, &info) == 0 ? String(info.st_mode & 0o7777, radix: 8) : "?"
                findings.append("\(file) is not writable by uid \(geteuid()) (mode 0\(mode), owner \(info.st_uid):\(info.st_gid))")
            default: findings.append("\(file) is not writable: \(String(cString: strerror(errno)))")
            }
        }
        return findings
    }

    /// Bytes available to this process on the file system holding `directory`.
    public static func freeBytes(_ directory: String) -> UInt64? {
        var fs = statvfs()
        guard statvfs(directory, &fs) == 0 else { return nil }
        return UInt64(fs.f_bavail) * UInt64(fs.f_frsize)
    }

    /// SQLite's name of an extended result code, e.g. `SQLITE_IOERR_WRITE`.
    static func name(of code: ResultCode) -> String {
        let names: [Int32: String] = [
            8: "SQLITE_READONLY", 264: "SQLITE_READONLY_RECOVERY", 520: "SQLITE_READONLY_CANTLOCK",
            776: "SQLITE_READONLY_ROLLBACK", 1032: "SQLITE_READONLY_DBMOVED", 1288: "SQLITE_READONLY_CANTINIT",
            1544: "SQLITE_READONLY_DIRECTORY",
            10: "SQLITE_IOERR", 266: "SQLITE_IOERR_READ", 522: "SQLITE_IOERR_SHORT_READ", 778: "SQLITE_IOERR_WRITE",
            1034: "SQLITE_IOERR_FSYNC", 1290: "SQLITE_IOERR_DIR_FSYNC", 1546: "SQLITE_IOERR_TRUNCATE",
            1802: "SQLITE_IOERR_FSTAT", 2058: "SQLITE_IOERR_UNLOCK", 2314: "SQLITE_IOERR_RDLOCK",
            2570: "SQLITE_IOERR_DELETE", 3082: "SQLITE_IOERR_NOMEM", 3338: "SQLITE_IOERR_ACCESS",
            3594: "SQLITE_IOERR_CHECKRESERVEDLOCK", 3850: "SQLITE_IOERR_LOCK", 4106: "SQLITE_IOERR_CLOSE",
            4618: "SQLITE_IOERR_SHMOPEN", 4874: "SQLITE_IOERR_SHMSIZE", 5130: "SQLITE_IOERR_SHMLOCK",
            5386: "SQLITE_IOERR_SHMMAP", 5642: "SQLITE_IOERR_SEEK", 6410: "SQLITE_IOERR_GETTEMPPATH",
            6666: "SQLITE_IOERR_CONVPATH",
        ]
        return names[code.rawValue] ?? "SQLite code \(code.rawValue)"
    }
}
