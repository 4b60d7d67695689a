import Foundation
import KinerjaDomain
import KinerjaSystemd
import ServiceLifecycle
import Varlink

/// The second Varlink socket, for the web front only: it serves `io.kinerjad.Review` and nothing
/// else (a call to io.kinerjad.Admin there fails with InterfaceNotFound), to root and `web.user` only
/// (SO_PEERCRED; any other peer's connection is closed at once). Adopts the socket systemd passed as
/// `FileDescriptorName=review` (kinerjad-review.socket); binds `web.socket` itself only when it was not
/// socket-activated at all (`make run`, tests).
public struct ReviewServer: Service {
    let server: VarlinkServer
    public let endpointDescription: String

    /// Where the Review socket comes from, given what systemd passed.
    enum Source: Equatable {
        case passed(fd: Int32)
        case bind(path: String)
        /// systemd passed the admin socket but not this one: the daemon does not bind it. Under systemd
        /// its directory belongs to root and its group (web.user's) is what keeps other users out, so
        /// only the socket unit can make it right.
        case notPassed
    }

    static func source(activation: SocketActivation, path: String) -> Source {
        if let fd = activation.fd(named: "review") { return .passed(fd: fd) }
        return activation.descriptors.isEmpty ? .bind(path: path) : .notPassed
    }

    /// The running server, or nil when systemd passed other sockets but no `review` one (logged: the
    /// web front cannot reach the daemon then, while the admin socket serves as usual).
    public static func start(runtime: DaemonRuntime, activation: SocketActivation) async throws -> ReviewServer? {
        let config = runtime.config
        let bound: (endpoint: VarlinkServer.Endpoint, description: String)
        switch source(activation: activation, path: config.web.socket) {
        case .passed(let fd):
            bound = (.listeningSocket(fd: fd), "fd \(fd) (socket activation)")
        case .bind(let path):
            bound = try ControlServer.endpoint(activation: .none, name: "review", path: path, key: "web.socket")
        case .notPassed:
            runtime.logger.warning(
                "systemd passed no Review socket (FileDescriptorName=review): kinerja-web cannot reach kinerjad. Enable kinerjad-review.socket and list it in Sockets= of kinerjad.service",
                metadata: ["message_id": "\(MessageIDs.reviewSocketMissing)"])
            return nil
        }
        var limits = VarlinkServer.Configuration()
        limits.maxMessageSize = 256 * 1024
        limits.maxConnections = config.control.maxConnections
        limits.idleTimeout = config.control.idleTimeout
        limits.maxInFlight = config.control.maxInFlight
        let server = try VarlinkServer(
            endpoint: bound.endpoint,
            info: VarlinkServiceInfo(vendor: config.control.vendor, product: "kinerjad", version: KinerjaVersion.string, url: config.control.url),
            services: [ReviewService(runtime: runtime)],
            accessPolicy: WebPeerPolicy(userName: config.web.user),
            configuration: limits,
            logger: runtime.logger
        )
        try await server.start()
        return ReviewServer(server: server, endpointDescription: bound.description)
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await server.run()
        }
    }
}

/// Root and the web front's user may call the Review socket; everyone else is refused the connection.
/// The user is looked up at each connection, so one created after start is seen.
struct WebPeerPolicy: VarlinkAccessPolicy {
    let userName: String

    func accessLevel(for peer: PeerCredentials?) -> VarlinkAccessLevel {
        guard let peer else { return .denied }
        if peer.uid == 0 { return .full }
        if let uid = UnixUserDatabase.userID(named: userName), uid == peer.uid { return .full }
        return .denied
    }
}
