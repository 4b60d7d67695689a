import Foundation

/// A failure of a test helper: what it was doing, why it failed, and where it was raised.
/// Its description is written to be read in a test report.
public struct TestSupportError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, e.g. `journald namespace "kt-1" did not create /run/systemd/journal.kt-1/socket within 10 seconds`.
    public var message: String
    /// The source file (`#fileID`) that raised it.
    public var file: String
    /// The source line that raised it.
    public var line: UInt

    /// Creates an error at the caller's position.
    public init(_ message: String, file: String = #fileID, line: UInt = #line) {
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { "\(message) [\(file):\(line)]" }
}

/// Polls `condition` every `interval` until it returns `true`.
///
/// ```swift
/// try await waitUntil("systemd-socket-activate listens") { isListeningUnixSocket(path) }
/// ```
///
/// Wait for the state itself, not for a sign that comes before it (a socket's file exists before
/// the socket listens). The polling runs on the test's task, which a parallel run on a loaded
/// machine has been seen to resume more than 30 s late: what must happen within another process's
/// deadline belongs on a thread of its own (``offCooperativePool(_:)``).
/// - Throws: ``TestSupportError`` naming `description` when `timeout` passes first.
public func waitUntil(
    _ description: String,
    timeout: Duration = .seconds(10),
    interval: Duration = .milliseconds(20),
    file: String = #fileID,
    line: UInt = #line,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        if ContinuousClock.now >= deadline {
            throw TestSupportError("timed out after \(timeout) waiting until \(description)", file: file, line: line)
        }
        try await Task.sleep(for: interval)
    }
}

/// Whether a Unix socket bound at `path` is listening, read from `/proc/net/unix` without
/// connecting to it (a probe connection would start a socket-activated service). The socket file
/// appears at bind(2), before listen(2): a client that connects in between is refused, so tests
/// that start a listener wait for this rather than for the file.
public func isListeningUnixSocket(_ path: String) -> Bool {
    // Read with plain read(2), retried on EINTR (the test process gets SIGCHLD often), to the end:
    // the table has a line per Unix socket on the machine. Names of abstract sockets may be any bytes.
    let fd = open("/proc/net/unix", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n < 0 && errno == EINTR { continue }
        guard n >= 0 else { return false }
        if n == 0 { break }
        bytes += chunk[0..<n]
    }
    let table = String(decoding: bytes, as: UTF8.self)
    // Num RefCount Protocol Flags Type St Inode Path; flag __SO_ACCEPTCON (0x10000) marks a listener.
    return table.split(separator: "\n").dropFirst().contains { line in
        let fields = line.split(separator: " ", maxSplits: 7, omittingEmptySubsequences: true)
        guard fields.count == 8, let flags = Int(fields[3], radix: 16) else { return false }
        return fields[7] == path && flags & 0x10000 != 0
    }
}

/// The C library's text for an errno value, e.g. `No such file or directory (errno 2)`.
public func describeErrno(_ code: Int32 = errno) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return "\(String(cString: text)) (errno \(code))"
}

/// Runs blocking work (raw socket reads, waits) on a Dispatch thread instead of the cooperative
/// pool, so that other tasks in the test (a client calling in the background) keep running even on
/// a 2-core machine where the pool has only two threads.
public func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try work() })
        }
    }
}
