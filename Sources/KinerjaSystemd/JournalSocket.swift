import Glibc

/// A client of journald's native protocol: an `AF_UNIX` `SOCK_DGRAM` socket that sends one
/// ``JournalEntry`` per datagram to the journal socket (by default `/run/systemd/journal/socket`;
/// a namespace `NAME` listens on `/run/systemd/journal.NAME/socket`).
///
/// Entries larger than ``datagramLimit`` (or that the kernel refuses as too large) go as a sealed
/// memfd passed with `SCM_RIGHTS` in an otherwise empty datagram, as `sd_journal_sendv` does.
/// Sends wait at most ``sendTimeout`` when journald is slow; then they fail instead of blocking.
/// Safe to share between tasks and threads.
public final class JournalSocket: Sendable {
    /// journald's native socket of the system journal.
    public static let defaultPath = "/run/systemd/journal/socket"

    /// The socket path entries are sent to.
    public let path: String
    /// How long one send may wait for room in journald's queue (at least 1 µs: zero would mean
    /// "wait forever" to the kernel).
    public let sendTimeout: Duration
    /// Payloads larger than this many bytes are sent through a memfd.
    public let datagramLimit: Int

    private let descriptor: Int32
    private let setupError: SystemdError?
    private let address: sockaddr_un
    private let addressLength: socklen_t

    /// Opens a datagram socket for sending to `path`. Never fails: when the socket cannot be
    /// created, or the path is too long for `sockaddr_un`, every ``send(_:)`` throws that reason.
    public init(
        path: String = JournalSocket.defaultPath,
        sendTimeout: Duration = .milliseconds(500),
        datagramLimit: Int = 128 * 1024
    ) {
        self.path = path
        self.sendTimeout = sendTimeout
        self.datagramLimit = datagramLimit

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        var problem: SystemdError?
        if pathBytes.isEmpty || pathBytes.count >= capacity || pathBytes.contains(0) {
            problem = SystemdError(
                .journalSend,
                "journal socket path \"\(path)\" must be 1 to \(capacity - 1) bytes without NUL"
            )
        } else {
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }
        }
        self.address = address
        self.addressLength = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + 1)

        let fd = problem == nil ? socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) : -1
        if problem == nil, fd < 0 {
            problem = SystemdError(.journalSend, "socket(AF_UNIX, SOCK_DGRAM) for the journal failed", errno: errno)
        }
        if fd >= 0 {
            var timeout = timeval(sendTimeout)
            _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        self.descriptor = fd
        self.setupError = problem
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Sends one entry.
    /// - Returns: how it travelled.
    /// - Throws: ``SystemdError`` (`journalSend`) naming the path and the errno, e.g. `ENOENT`
    ///   when no journald listens there or `EAGAIN` when ``sendTimeout`` passed.
    @discardableResult
    public func send(_ entry: JournalEntry) throws(SystemdError) -> JournalTransport {
        if let setupError { throw setupError }
        let payload = entry.encoded()
        if payload.count <= datagramLimit {
            let result = sendDatagram(payload)
            if result == 0 { return .datagram }
            if result != EMSGSIZE && result != ENOBUFS {
                throw SystemdError(.journalSend, "sendto \(path) failed", errno: result)
            }
        }
        try sendThroughMemfd(payload)
        return .memfd
    }

    /// Sends `payload` as one datagram; returns 0 or the errno.
    private func sendDatagram(_ payload: [UInt8]) -> Int32 {
        var address = self.address
        return withUnsafePointer(to: &address) { addressPointer in
            addressPointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                payload.withUnsafeBytes { bytes in
                    while true {
                        let sent = sendto(
                            descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL),
                            socketAddress, addressLength
                        )
                        if sent >= 0 { return 0 }
                        if errno != EINTR { return errno }
                    }
                }
            }
        }
    }

    /// Writes `payload` into a sealed memfd and sends only that fd (the protocol's large-entry form).
    private func sendThroughMemfd(_ payload: [UInt8]) throws(SystemdError) {
        let memfd = try Memfd.create(name: "journal-entry")
        defer { close(memfd) }
        try Memfd.writeAll(payload, to: memfd, path: path)
        let seals = Memfd.sealShrink | Memfd.sealGrow | Memfd.sealWrite | Memfd.sealSeal
        if fcntl(memfd, Memfd.addSeals, seals) < 0 {
            throw SystemdError(.journalSend, "sealing the memfd for \(path) failed", errno: errno)
        }
        let result = Memfd.withRightsControlMessage(carrying: memfd) { control, controlLength in
            var address = self.address
            return withUnsafeMutablePointer(to: &address) { addressPointer in
                var message = msghdr()
                message.msg_name = UnsafeMutableRawPointer(addressPointer)
                message.msg_namelen = addressLength
                message.msg_iov = nil
                message.msg_iovlen = 0
                message.msg_control = control
                message.msg_controllen = controlLength
                while true {
                    if sendmsg(descriptor, &message, Int32(MSG_NOSIGNAL)) >= 0 { return Int32(0) }
                    if errno != EINTR { return errno }
                }
            }
        }
        if result != 0 {
            throw SystemdError(.journalSend, "sendmsg of a memfd to \(path) failed", errno: result)
        }
    }
}

/// How an entry reached journald.
public enum JournalTransport: Sendable, Equatable {
    /// The entry was the datagram's payload.
    case datagram
    /// The entry was written to a sealed memfd whose fd was sent with `SCM_RIGHTS`.
    case memfd
}

extension timeval {
    fileprivate init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let microseconds = Int(attoseconds / 1_000_000_000_000)
        if seconds <= 0 && microseconds <= 0 {
            self.init(tv_sec: 0, tv_usec: 1)
        } else {
            self.init(tv_sec: Int(seconds), tv_usec: microseconds)
        }
    }
}
