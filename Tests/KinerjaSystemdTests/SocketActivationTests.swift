import Foundation
import KinerjaSystemd
import KinerjaTestSupport
import Testing

/// sd_listen_fds needs the sockets at fd 3 onwards and LISTEN_PID equal to the reading process.
/// Each test therefore runs in an exit-test child: it opens a real listening Unix socket (which
/// takes the lowest free fd, so fds 3 up to it are all open: the test runner's own ones before
/// it), sets LISTEN_FDS to cover 3 through that fd and names the last one `varlink`, exactly what
/// systemd (or `systemd-socket-activate --fdname=varlink`) would pass.
@Suite("SocketActivation through sd_listen_fds_with_names")
struct SocketActivationTests {
    @Test("the fd named varlink is found, is a listening socket, gets FD_CLOEXEC, and the variables are unset")
    func activated() async throws {
        let directory = try TemporaryDirectory()
        await #expect(processExitsWith: .success) { [path = directory.path("admin.varlink") as String] in
            let (listener, activation) = try ActivationFixture.activate(at: path, name: "varlink") {
                try SocketActivation.fromEnvironment()
            }
            #expect(activation.fd(named: "varlink") == listener)
            #expect(activation.descriptors.count == Int(listener) - 2)
            #expect(activation.descriptors.first?.fd == 3)
            #expect(activation.descriptors.dropLast().allSatisfy { $0.name == "runner" })
            let descriptor = try #require(activation.descriptors.last)
            #expect(descriptor.isListeningUnixStreamSocket)
            #expect(fcntl(listener, F_GETFD) & FD_CLOEXEC != 0)
            for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] {
                #expect(getenv(name) == nil, "\(name) still set")
            }
            #expect(try ActivationFixture.connectAndAccept(path: path, listener: listener))
        }
    }

    @Test("LISTEN_PID of another process means not activated, and the variables are still unset")
    func otherProcess() async {
        await #expect(processExitsWith: .success) {
            setenv("LISTEN_PID", String(getppid()), 1)
            setenv("LISTEN_FDS", "1", 1)
            setenv("LISTEN_FDNAMES", "varlink", 1)
            let activation = try SocketActivation.fromEnvironment()
            #expect(activation == .none)
            #expect(activation.fd(named: "varlink") == nil)
            #expect(getenv("LISTEN_FDS") == nil)
        }
    }

    @Test("without the variables there are no descriptors")
    func notActivated() async {
        await #expect(processExitsWith: .success) {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
            let activation = try SocketActivation.fromEnvironment()
            #expect(activation.descriptors.isEmpty)
        }
    }

    @Test("without LISTEN_FDNAMES every fd is named unknown; unsetEnvironment false keeps the variables")
    func unnamed() async throws {
        let directory = try TemporaryDirectory()
        await #expect(processExitsWith: .success) { [path = directory.path("s") as String] in
            let (listener, activation) = try ActivationFixture.activate(at: path, name: nil) {
                try SocketActivation.fromEnvironment(unsetEnvironment: false)
            }
            #expect(activation.fds(named: "unknown").count == Int(listener) - 2)
            #expect(activation.fd(named: "varlink") == nil)
            #expect(getenv("LISTEN_FDS") != nil)
        }
    }

    /// How the variables are broken.
    enum Malformation: String, CaseIterable, Sendable, Codable {
        case countNotANumber
        case moreNamesThanDescriptors
    }

    @Test("malformed variables are errors", arguments: Malformation.allCases)
    func malformed(malformation: Malformation) async throws {
        let directory = try TemporaryDirectory()
        await #expect(processExitsWith: .success) { [path = directory.path("s") as String, malformation = malformation as Malformation] in
            var thrown: SystemdError?
            _ = try ActivationFixture.activate(at: path, name: "varlink") { () throws -> Int in
                let listener = Int32(getenv("LISTEN_FDS").flatMap { Int32(String(cString: $0)) } ?? 0) + 2
                switch malformation {
                case .countNotANumber:
                    setenv("LISTEN_FDS", "banyak", 1)
                case .moreNamesThanDescriptors:
                    setenv("LISTEN_FDNAMES", Array(repeating: "x", count: Int(listener) - 1).joined(separator: ":"), 1)
                }
                do {
                    _ = try SocketActivation.fromEnvironment()
                } catch let error as SystemdError where error.errno != EBADF {
                    thrown = error
                }
                return 0
            }
            #expect(thrown?.code == .socketActivation, "\(malformation): \(String(describing: thrown))")
            #expect(thrown?.errno == EINVAL, "\(malformation): \(String(describing: thrown))")
        }
    }
}

/// Helpers that run inside the exit-test children.
enum ActivationFixture {
    /// A listening AF_UNIX stream socket bound at `path`, without FD_CLOEXEC (as systemd passes it).
    static func listen(at path: String) throws -> Int32 {
        var fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket: \(describeErrno())") }
        // The exit-test child may start with stdin (or another of 0–2) closed, so the socket can get
        // a number below 3. F_DUPFD gives the lowest free fd from 3 on, so 3 up to it are all open.
        if fd < 3 {
            let moved = fcntl(fd, F_DUPFD, 3)
            close(fd)
            guard moved >= 3 else { throw TestSupportError("fcntl(F_DUPFD, 3): \(describeErrno())") }
            fd = moved
        }
        var address = unixAddress(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 8) == 0 else { throw TestSupportError("bind/listen \(path): \(describeErrno())") }
        return fd
    }

    /// Opens the listening socket, sets the variables and runs `read` (which reads them). The fds
    /// below the socket belong to the exit-test child's runtime, which may close one of them between
    /// the two steps; sd_listen_fds then rightly says that fd is not open (EBADF). That is the test
    /// runner's doing, not a result, so the setup is made again (up to 20 times). Any other outcome,
    /// error or not, is returned as it is.
    static func activate<T>(at path: String, name: String?, _ read: () throws -> T) throws -> (Int32, T) {
        var lastError: SystemdError?
        for _ in 0..<20 {
            let listener = try listen(at: path)
            pass(listener, name: name)
            do {
                return (listener, try read())
            } catch let error as SystemdError where error.errno == EBADF {
                lastError = error
                close(listener)
                unlink(path)
            }
        }
        throw lastError!
    }

    /// Sets LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES for fds 3…`fd`, naming the runner's own fds `runner`.
    static func pass(_ fd: Int32, name: String?) {
        setenv("LISTEN_PID", String(getpid()), 1)
        setenv("LISTEN_FDS", String(fd - 2), 1)
        if let name {
            setenv("LISTEN_FDNAMES", (Array(repeating: "runner", count: Int(fd) - 3) + [name]).joined(separator: ":"), 1)
        } else {
            unsetenv("LISTEN_FDNAMES")
        }
    }

    /// Connects to `path` and accepts the connection on `listener`.
    static func connectAndAccept(path: String, listener: Int32) throws -> Bool {
        let client = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(client) }
        var address = unixAddress(path)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw TestSupportError("connect \(path): \(describeErrno())") }
        let accepted = accept(listener, nil, nil)
        defer { if accepted >= 0 { close(accepted) } }
        return accepted >= 0
    }

    private static func unixAddress(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        return address
    }
}
