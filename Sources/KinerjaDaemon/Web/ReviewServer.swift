import Foundation
import KinerjaDomain
import KinerjaSystemd
import ServiceLifecycle
import Varlink

/// The second Varlink socket, for the web front only: it serves `io.kinerjad.Review` and nothing
/// else (a call to io.kinerjad.Admin there fails with InterfaceNotFound), to root and `web.user` only
/// (SO_PEERCRED; any other peer's connection is closed at once). Adopts the socket systemd passed as
/// `FileDescriptorName=review`, or binds `web.socket` itself.
public struct ReviewServer: Service {
    let server: VarlinkServer
    public let endpointDescription: String

    public static func start(runtime: DaemonRuntime, activation: SocketActivation) async throws -> ReviewServer {
        let config = runtime.config
        let (endpoint, description) = try ControlServer.endpoint(activation: activation, name: "review", path: config.web.socket,
                                                                 key: "web.socket")
        var limits = VarlinkServer.Configuration()
        limits.maxMessageSize = 256 * 1024
        limits.maxConnections = config.control.maxConnections
        limits.idleTimeout = config.control.idleTimeout
        limits.maxInFlight = config.control.maxInFlight
        let server = try VarlinkServer(
            endpoint: endpoint,
            info: VarlinkServiceInfo(vendor: config.control.vendor, product: "kinerjad", version: KinerjaVersion.string, url: config.control.url),
            services: [ReviewService(runtime: runtime)],
            accessPolicy: WebPeerPolicy(userName: config.web.user),
            configuration: limits,
            logger: runtime.logger
        )
        try await server.start()
        return ReviewServer(server: server, endpointDescription: description)
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
