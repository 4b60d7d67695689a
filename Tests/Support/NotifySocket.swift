import Foundation
import Synchronization

/// A datagram socket that stands in for systemd's notification socket: give ``path`` to a child
/// as `NOTIFY_SOCKET` and read what it sends with ``next(timeout:)`` or ``waitFor(prefix:timeout:)``.
/// `SO_PASSCRED` is on, so each message carries the sender's pid.
///
/// ```swift
/// let notify = try NotifySocket()
/// let daemon = try Subprocess.launch(kinerjad, environment: Subprocess.environment(adding: ["NOTIFY_SOCKET": notify.path]))
/// let ready = try await notify.waitFor(prefix: "READY=1")
/// #expect(ready["STATUS"] != nil)
/// ```
public final class NotifySocket: Sendable {
    /// The socket path, inside a temporary directory of its own.
    public let path: String

    private let directory: TemporaryDirectory
    private let receiver: NotifyReceiver

    /// Binds a new socket in a new temporary directory and starts receiving on a thread of its
    /// own, so senders never wait (`sd_notify_barrier` and `systemd-notify` without `--no-block`
    /// need the passed fd closed promptly).
    public init() throws {
        directory = try TemporaryDirectory(prefix: "kinerja-notify")
        path = directory.path("notify.sock")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw TestSupportError("socket(AF_UNIX, SOCK_DGRAM) failed: \(describeErrno())")
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw TestSupportError("notify socket path \(path) is too long for sockaddr_un")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            let reason = describeErrno()
            close(fd)
            throw TestSupportError("bind \(path) failed: \(reason)")
        }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, socklen_t(MemoryLayout<Int32>.size))
        receiver = NotifyReceiver(fileDescriptor: fd)
    }

    deinit {
        receiver.stop()
    }

    /// Every message received so far, oldest first (including those ``next(timeout:)`` returned).
    public var history: [NotifyDatagram] {
        receiver.state.withLock { $0.history }
    }

    /// The next message not yet returned by ``next(timeout:)`` or ``waitFor(prefix:timeout:)``.
    /// - Throws: ``TestSupportError`` when none arrives within `timeout`.
    public func next(timeout: Duration = .seconds(5)) async throws -> NotifyDatagram {
        try await waitFor(description: "the next notification", timeout: timeout) { _ in true }
    }

    /// Skips messages until one has a line starting with `prefix` (e.g. `READY=1`, `STATUS=`) and returns it.
    /// - Throws: ``TestSupportError`` listing the messages seen when `timeout` passes first.
    public func waitFor(prefix: String, timeout: Duration = .seconds(10)) async throws -> NotifyDatagram {
        try await waitFor(description: "a notification with a line starting \"\(prefix)\"", timeout: timeout) { message in
            message.lines.contains { $0.hasPrefix(prefix) }
        }
    }

    /// Skips messages until one satisfies `predicate` and returns it.
    public func waitFor(
        description: String,
        timeout: Duration = .seconds(10),
        _ predicate: (NotifyDatagram) -> Bool
    ) async throws -> NotifyDatagram {
        let deadline = ContinuousClock.now + timeout
        while true {
            let found: NotifyDatagram? = receiver.state.withLock { state in
                while state.cursor < state.history.count {
                    let message = state.history[state.cursor]
                    state.cursor += 1
                    if predicate(message) { return message }
                }
                return nil
            }
            if let found { return found }
            if ContinuousClock.now >= deadline {
                let seen = history.map { "  " + $0.text.debugDescription }
                throw TestSupportError(
                    "no \(description) on \(path) within \(timeout); received so far:\n" + seen.joined(separator: "\n")
                )
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// Receives datagrams on a thread of its own until stopped, then closes the socket.
private final class NotifyReceiver: Sendable {
    let state = Mutex<(history: [NotifyDatagram], cursor: Int)>(([], 0))
    private let stopped = Mutex(false)

    init(fileDescriptor fd: Int32) {
        let thread = Thread { [self] in
            while !stopped.withLock({ $0 }) {
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 50) > 0 else { continue }
                while let message = NotifyReceiver.receiveOne(fd) {
                    state.withLock { $0.history.append(message) }
                }
            }
            close(fd)
        }
        thread.name = "NotifySocket receiver"
        thread.start()
    }

    func stop() {
        stopped.withLock { $0 = true }
    }

    private static func receiveOne(_ fd: Int32) -> NotifyDatagram? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var control = [UInt8](repeating: 0, count: 512)
        let (count, pid) = buffer.withUnsafeMutableBytes { bufferBytes in
            control.withUnsafeMutableBytes { controlBytes in
                var vector = iovec(iov_base: bufferBytes.baseAddress, iov_len: bufferBytes.count)
                return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                    var message = msghdr()
                    message.msg_iov = vectorPointer
                    message.msg_iovlen = 1
                    message.msg_control = controlBytes.baseAddress
                    message.msg_controllen = controlBytes.count
                    let count = recvmsg(fd, &message, Int32(MSG_DONTWAIT | MSG_CMSG_CLOEXEC))
                    guard count >= 0 else { return (count, pid_t?.none) }
                    return (count, ControlMessages.senderPID(message: message, closingPassedDescriptors: true))
                }
            }
        }
        guard count >= 0 else { return nil }
        return NotifyDatagram(bytes: Array(buffer[0..<count]), senderPID: pid)
    }
}

/// One message received on a ``NotifySocket``.
public struct NotifyDatagram: Sendable, CustomStringConvertible {
    /// The raw text, e.g. `READY=1\nSTATUS=ready`.
    public let text: String
    /// The sending process, from `SCM_CREDENTIALS`.
    public let senderPID: pid_t?

    init(bytes: [UInt8], senderPID: pid_t?) {
        self.text = String(decoding: bytes, as: UTF8.self)
        self.senderPID = senderPID
    }

    /// The non-empty lines.
    public var lines: [String] {
        text.split(separator: "\n").map(String.init)
    }

    /// The `NAME=value` assignments in order.
    public var assignments: [(name: String, value: String)] {
        lines.compactMap { line in
            guard let equals = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<equals]), String(line[line.index(after: equals)...]))
        }
    }

    /// The value of the last assignment to `name`, e.g. `message["STATUS"]`.
    public subscript(_ name: String) -> String? {
        assignments.last { $0.name == name }?.value
    }

    public var description: String { text }
}

/// Walks a received message's control messages.
enum ControlMessages {
    /// `SCM_CREDENTIALS` (Linux), which Swift's Glibc module does not import.
    static let scmCredentials: Int32 = 2

    /// The pid from `SCM_CREDENTIALS`; closes any fds passed with `SCM_RIGHTS` (a test does not keep them).
    static func senderPID(message: msghdr, closingPassedDescriptors: Bool) -> pid_t? {
        guard let control = message.msg_control, message.msg_controllen >= MemoryLayout<cmsghdr>.size else { return nil }
        let headerSize = align(MemoryLayout<cmsghdr>.size)
        var offset = 0
        var pid: pid_t?
        while offset + MemoryLayout<cmsghdr>.size <= message.msg_controllen {
            let header = control.load(fromByteOffset: offset, as: cmsghdr.self)
            let length = Int(header.cmsg_len)
            guard length >= headerSize, offset + length <= message.msg_controllen else { break }
            let data = control + offset + headerSize
            if header.cmsg_level == SOL_SOCKET && header.cmsg_type == scmCredentials {
                pid = data.loadUnaligned(as: pid_t.self)             // struct ucred { pid, uid, gid }
            } else if header.cmsg_level == SOL_SOCKET && header.cmsg_type == Int32(SCM_RIGHTS), closingPassedDescriptors {
                for index in 0..<((length - headerSize) / MemoryLayout<Int32>.size) {
                    close(data.loadUnaligned(fromByteOffset: index * MemoryLayout<Int32>.size, as: Int32.self))
                }
            }
            offset += align(length)
        }
        return pid
    }

    private static func align(_ size: Int) -> Int {
        let word = MemoryLayout<Int>.size
        return (size + word - 1) & ~(word - 1)
    }
}
