import Synchronization

import Glibc

/// Writes whole lines to a file descriptor (stderr by default), one line at a time across
/// threads so that lines from concurrent log calls never interleave. Write errors are ignored:
/// logging must not fail the caller.
public final class FileDescriptorWriter: Sendable {
    /// The process's standard error.
    public static let standardError = FileDescriptorWriter(fileDescriptor: STDERR_FILENO)

    /// The descriptor written to. It is not closed by this writer.
    public let fileDescriptor: Int32
    private let lock = Mutex(())

    /// Creates a writer for an open descriptor that the caller keeps open while the writer is used.
    public init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    /// Writes `text` completely (retrying short writes and `EINTR`), unless the descriptor fails.
    public func write(_ text: String) {
        var bytes = Array(text.utf8)
        lock.withLock { _ in
            bytes.withUnsafeMutableBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }
}
