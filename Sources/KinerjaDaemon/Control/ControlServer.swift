import Foundation
import KinerjaDomain
import KinerjaSystemd
import Logging
import ServiceLifecycle
import Varlink

/// The Varlink control socket as a service: adopts the socket systemd passed (`FileDescriptorName=varlink`)
/// or binds the configured path itself, refusing to take over a socket a live daemon still serves.
public struct ControlServer: Service {
    let server: VarlinkServer
    /// "fd 3 (socket activation)" or the bound path, for logs.
    public let endpointDescription: String

    public static func start(runtime: DaemonRuntime, service: AdminService, activation: SocketActivation) async throws -> ControlServer {
        let config = runtime.config
        let endpoint: VarlinkServer.Endpoint
        let description: String
        if let fd = activation.fd(named: "varlink") {
            endpoint = .listeningSocket(fd: fd)
            description = "fd \(fd) (socket activation)"
        } else {
            try SocketPathGuard.ensureNotServed(config.control.socket)
            endpoint = .unixPath(config.control.socket, mode: 0o660)
            description = config.control.socket
        }
        var limits = VarlinkServer.Configuration()
        limits.maxMessageSize = config.control.maxMessageSize
        limits.maxConnections = config.control.maxConnections
        limits.maxConnectionsPerUID = config.control.maxConnectionsPerUID
        limits.reservedPrivilegedConnections = config.control.adminConnections
        limits.idleTimeout = config.control.idleTimeout
        limits.maxInFlight = config.control.maxInFlight
        let server = try VarlinkServer(
            endpoint: endpoint,
            info: VarlinkServiceInfo(vendor: config.control.vendor, product: "kinerjad",
                                     version: KinerjaVersion.string, url: config.control.url),
            services: [service],
            accessPolicy: DaemonAccessPolicy(adminGroup: config.control.adminGroup),
            configuration: limits,
            logger: runtime.logger
        )
        try await server.start()
        return ControlServer(server: server, endpointDescription: description)
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await server.run()
        }
    }
}

/// Root, the daemon's own user, and members of the admin group may call everything; others only
/// `public` and `read` methods (the access classes of the IDL).
struct DaemonAccessPolicy: VarlinkAccessPolicy {
    let group: AdminGroupPolicy
    let ownUID = getuid()

    init(adminGroup: String) {
        group = AdminGroupPolicy(groupName: adminGroup)
    }

    func accessLevel(for peer: PeerCredentials?) -> VarlinkAccessLevel {
        if let peer, peer.uid == ownUID { return .full }
        return group.accessLevel(for: peer)
    }
}

/// Checks a socket path before binding: a stale file left by a crash is fine (the server replaces
/// it), but a socket another process still accepts on means another kinerjad is running.
enum SocketPathGuard {
    struct InUse: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "the control socket \(path) is served by another running process (another kinerjad?); stop it first or set control.socket"
        }
    }

    static func ensureNotServed(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if connected == 0 { throw InUse(path: path) }
    }
}
