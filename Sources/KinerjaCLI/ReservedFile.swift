import Foundation

/// An output file claimed before anything else happens: a temporary file beside the target is created
/// first (so an unwritable directory fails before the daemon changes anything), then the content is
/// written, flushed and renamed over the target in one step. Discarded, it leaves no trace.
struct ReservedFile {
    let path: String
    private let temporary: String
    private let fd: Int32

    /// Fails with a message naming `path` when its directory cannot take a new file, or when `path` is a
    /// directory.
    init(_ path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw Self.failure(path, "it is a directory")
        }
        let url = URL(fileURLWithPath: path)
        var template = Array(url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).XXXXXX").path.utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw Self.failure(path, String(cString: strerror(errno))) }
        self.fd = fd
        temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        fchmod(fd, 0o644)
    }

    /// Writes `text`, flushes it to disk and puts it in place of the target.
    func commit(_ text: String) throws {
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw Self.failure(path, reason)
            }
            written += n
        }
        guard fsync(fd) == 0, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Self.failure(path, reason)
        }
    }

    /// Removes the temporary file; the target is as it was.
    func discard() {
        close(fd)
        unlink(temporary)
    }

    static func failure(_ path: String, _ reason: String) -> CLIFailure {
        CLIFailure(message: "kinerjactl: cannot write \(path): \(reason)", status: CLIExit.cannotCreate)
    }
}
