import Glibc

/// Tells whether a descriptor is connected to the journal: systemd sets `JOURNAL_STREAM` to
/// `DEVICE:INODE` of the stream it gives a service's stdout/stderr (`StandardError=journal`).
/// When it matches stderr, a daemon should log with the native protocol instead of text lines.
public enum JournalStream {
    /// The device and inode that `JOURNAL_STREAM` names.
    public struct Identity: Sendable, Equatable {
        /// `st_dev` as a decimal number.
        public let device: UInt64
        /// `st_ino` as a decimal number.
        public let inode: UInt64

        /// Creates an identity.
        public init(device: UInt64, inode: UInt64) {
            self.device = device
            self.inode = inode
        }

        /// Parses `DEVICE:INODE` (two unsigned decimal numbers); `nil` when malformed.
        public init?(parsing text: String) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2,
                parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }),
                let device = UInt64(parts[0]), let inode = UInt64(parts[1])
            else { return nil }
            self.init(device: device, inode: inode)
        }

        /// The identity of an open descriptor, from fstat(2); `nil` when fstat fails.
        public init?(fileDescriptor: Int32) {
            var status = stat()
            guard fstat(fileDescriptor, &status) == 0 else { return nil }
            self.init(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        }
    }

    /// Whether stderr is the journal stream named by the `JOURNAL_STREAM` environment variable.
    public static func stderrIsJournal() -> Bool {
        let value = getenv("JOURNAL_STREAM").map { String(cString: $0) }
        return matches(journalStream: value, fileDescriptor: STDERR_FILENO)
    }

    /// Whether `fileDescriptor` is the stream that `journalStream` (a `JOURNAL_STREAM` value) names.
    public static func matches(journalStream: String?, fileDescriptor: Int32) -> Bool {
        guard let journalStream, let expected = Identity(parsing: journalStream),
            let actual = Identity(fileDescriptor: fileDescriptor)
        else { return false }
        return expected == actual
    }
}
