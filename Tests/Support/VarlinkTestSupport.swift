import Foundation
import Varlink
#if canImport(Glibc)
import Glibc
#endif

/// A temporary directory, removed by ``remove()``.
public struct VarlinkTestDirectory: Sendable {
    public let path: String

    public init(prefix: String = "varlink-test") throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let result = mkdtemp(&template) else {
            throw NSError(domain: "mkdtemp", code: Int(errno))
        }
        path = String(cString: result)
    }

    /// `path/name`.
    public func file(_ name: String) -> String { "\(path)/\(name)" }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A blocking Unix socket client that speaks raw bytes, for tests that send what a real client
/// never would (bad JSON, huge or partial messages) or that do not read their replies.
public final class VarlinkRawSocket {
    public let fd: CInt

    /// Connects to `path`; throws the `errno` as an `NSError` on failure.
    public init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw NSError(domain: "socket", code: Int(errno)) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        precondition(bytes.count < MemoryLayout.size(ofValue: address.sun_path), "socket path too long")
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let status = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard status == 0 else {
            let code = errno
            close(fd)
            throw NSError(domain: "connect", code: Int(code))
        }
    }

    deinit { close(fd) }

    private var buffer: [UInt8] = []

    /// Writes all of `bytes`; returns `false` when the peer is gone.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// Writes `text` followed by a NUL.
    @discardableResult
    public func sendMessage(_ text: String) -> Bool {
        send(Array(text.utf8) + [0])
    }

    /// Reads up to the next NUL; `nil` at end of stream or after `timeout` seconds.
    public func receiveMessage(timeout: Double = 10) -> [UInt8]? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let nul = buffer.firstIndex(of: 0) {
                let message = Array(buffer[..<nul])
                buffer.removeSubrange(...nul)
                return message
            }
            guard let chunk = receiveChunk(until: deadline), !chunk.isEmpty else { return nil }
            buffer += chunk
        }
    }

    /// The next message parsed as JSON.
    public func receiveJSON(timeout: Double = 10) -> JSONValue? {
        guard let bytes = receiveMessage(timeout: timeout) else { return nil }
        return try? JSONValue(parsing: bytes)
    }

    /// Waits until the server closes the connection (discarding data); `false` after `timeout`.
    public func waitForClose(timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            guard let chunk = receiveChunk(until: deadline) else { return false }
            if chunk.isEmpty { return true }
        }
    }

    /// `nil` on timeout, empty at end of stream (or a reset connection).
    private func receiveChunk(until deadline: Date) -> [UInt8]? {
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return nil }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining, 1) * 1000) + 1)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return []
            }
            return Array(chunk.prefix(count))
        }
    }
}

/// Runs a program to completion (terminated after `timeout` seconds) and returns its exit status
/// and its standard output and error, merged.
public func runVarlinkTestProcess(
    _ executable: String, _ arguments: [String], timeout: Double = 60
) async throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    let collector = OutputCollector()
    pipe.fileHandleForReading.readabilityHandler = { handle in
        collector.append(handle.availableData)
    }
    let exited = ExitSignal()
    process.terminationHandler = { _ in exited.fire() }
    try process.run()
    let watchdog = Task {
        try await Task.sleep(for: .seconds(timeout))
        process.terminate()
    }
    await exited.wait()
    watchdog.cancel()
    pipe.fileHandleForReading.readabilityHandler = nil
    collector.append(pipe.fileHandleForReading.readDataToEndOfFile())
    return (process.terminationStatus, collector.text)
}

private final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ chunk: Data) {
        lock.lock()
        data.append(chunk)
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A one-shot signal that a synchronous callback can fire and async code can await.
private final class ExitSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private var waiter: CheckedContinuation<Void, Never>?

    func fire() {
        lock.lock()
        fired = true
        let waiter = self.waiter
        self.waiter = nil
        lock.unlock()
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            lock.lock()
            if fired {
                lock.unlock()
                continuation.resume()
            } else {
                waiter = continuation
                lock.unlock()
            }
        }
    }
}

/// Starts a program in the background; the caller terminates it.
public func startVarlinkTestProcess(_ executable: String, _ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// The directory of the installed Python `varlink` package (for its certification suite and its
/// `.varlink` files).
public func pythonVarlinkDirectory() async throws -> String {
    let result = try await runVarlinkTestProcess(
        "/usr/bin/env", ["python3", "-c", "import varlink, os; print(os.path.dirname(varlink.__file__))"])
    guard result.status == 0 else {
        throw NSError(domain: "python3 varlink not importable: \(result.output)", code: Int(result.status))
    }
    return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
}
