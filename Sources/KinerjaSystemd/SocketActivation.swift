import CSystemd

import Glibc

/// The listening sockets that systemd passed to this process (socket activation), read with
/// `sd_listen_fds_with_names`: fds from 3 on, named by `FileDescriptorName=` in the socket unit.
///
/// ```swift
/// let activation = try SocketActivation.fromEnvironment()
/// if let fd = activation.fd(named: "varlink") { … serve on fd … } else { … bind the path … }
/// ```
public struct SocketActivation: Sendable, Equatable {
    /// One inherited file descriptor and its name (`unknown` when the unit gave none).
    public struct Descriptor: Sendable, Equatable {
        /// The file descriptor number (3, 4, …).
        public let fd: Int32
        /// The name from `LISTEN_FDNAMES`.
        public let name: String

        /// Creates a descriptor record.
        public init(fd: Int32, name: String) {
            self.fd = fd
            self.name = name
        }

        /// Whether the fd is a listening `AF_UNIX` `SOCK_STREAM` socket (what `ListenStream=/path` gives).
        public var isListeningUnixStreamSocket: Bool {
            sd_is_socket_unix(fd, SOCK_STREAM_VALUE, 1, nil, 0) > 0
        }

        /// Whether the fd is a listening `SOCK_STREAM` socket of any family (what `ListenStream=` gives,
        /// e.g. `127.0.0.1:8480`).
        public var isListeningStreamSocket: Bool {
            sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM_VALUE, 1) > 0
        }
    }

    /// The inherited descriptors in fd order; empty when the process was not socket-activated.
    public let descriptors: [Descriptor]

    /// Creates a value from known descriptors.
    public init(descriptors: [Descriptor]) {
        self.descriptors = descriptors
    }

    /// No inherited sockets.
    public static let none = SocketActivation(descriptors: [])

    /// The first fd with the given name, e.g. `fd(named: "varlink")`.
    public func fd(named name: String) -> Int32? {
        descriptors.first { $0.name == name }?.fd
    }

    /// Every fd with the given name (a socket unit may give several the same name).
    public func fds(named name: String) -> [Int32] {
        descriptors.filter { $0.name == name }.map(\.fd)
    }

    /// Reads `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES`.
    ///
    /// The fds are used only when `LISTEN_PID` is this process; otherwise the result is ``none``.
    /// Every returned fd has `FD_CLOEXEC` set, so children started later do not inherit it.
    /// - Parameter unsetEnvironment: remove the three variables (the default), so that children do
    ///   not believe they were activated.
    /// - Throws: ``SystemdError`` with code `socketActivation` when the variables are malformed.
    public static func fromEnvironment(unsetEnvironment: Bool = true) throws(SystemdError) -> SocketActivation {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        let count = sd_listen_fds_with_names(unsetEnvironment ? 1 : 0, &names)
        defer { freeStringArray(names) }
        if count < 0 {
            throw SystemdError(
                .socketActivation,
                "sd_listen_fds_with_names could not read LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES",
                errno: -count
            )
        }
        var descriptors: [Descriptor] = []
        for index in 0..<Int(count) {
            let fd = SD_LISTEN_FDS_START + Int32(index)
            let name = names?[index].map { String(cString: $0) } ?? "unknown"
            let flags = fcntl(fd, F_GETFD)
            if flags < 0 {
                throw SystemdError(
                    .socketActivation,
                    "LISTEN_FDS names fd \(fd) (\(name)), which is not open",
                    errno: errno
                )
            }
            if flags & FD_CLOEXEC == 0, fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0 {
                throw SystemdError(.socketActivation, "could not set FD_CLOEXEC on fd \(fd) (\(name))", errno: errno)
            }
            descriptors.append(Descriptor(fd: fd, name: name))
        }
        return SocketActivation(descriptors: descriptors)
    }

    private static func freeStringArray(_ array: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        guard let array else { return }
        var index = 0
        while let string = array[index] {
            free(string)
            index += 1
        }
        free(array)
    }
}

/// `SOCK_STREAM` as the `Int32` that libsystemd's C API takes.
private let SOCK_STREAM_VALUE = Int32(SOCK_STREAM.rawValue)
