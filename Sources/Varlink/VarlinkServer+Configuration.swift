import NIOCore

extension VarlinkServer {
    /// Limits that keep one client from hurting the others. Every limit hit is logged once for the
    /// connection concerned and affects only that connection.
    public struct Configuration: Sendable, Hashable {
        /// Largest message accepted from a client, in bytes (default 1 MiB). A larger one gets an
        /// `org.varlink.service.ProtocolViolation` reply after the replies to earlier calls, then the
        /// connection is closed.
        public var maxMessageSize: Int = 1 << 20
        /// Connections served at once (default 256). A connection over the limit is closed at once.
        public var maxConnections: Int = 256
        /// Connections one unprivileged uid may hold at once (default 32); its next one is closed
        /// at once. Privileged peers (see ``VarlinkAccessLevel/isPrivileged``) have no such cap.
        public var maxConnectionsPerUID: Int = 32
        /// Connections only privileged peers may take (default 16): unprivileged peers together
        /// get at most `maxConnections - reservedPrivilegedConnections`.
        public var reservedPrivilegedConnections: Int = 16
        /// A connection that sent no complete message for this long, and is not busy answering a
        /// call, is closed (default 5 minutes).
        public var idleTimeout: Duration = .seconds(300)
        /// Calls held per connection, queued or running (default 32). Past that, the server stops
        /// reading from that connection until replies drain.
        public var maxInFlight: Int = 32
        /// Nesting limit for JSON in messages (default 128).
        public var maxJSONDepth: Int = JSONParser.defaultMaxDepth
        /// How long ``VarlinkServer/shutdown()`` lets running calls finish before cancelling them
        /// (default 10 seconds).
        public var shutdownGracePeriod: Duration = .seconds(10)

        public init() {}

        /// Checks that every limit is positive.
        public func validate() throws(VarlinkServerConfigurationError) {
            if maxMessageSize < 2 { throw .init(key: "maxMessageSize", reason: "must be at least 2 bytes") }
            if maxConnections < 1 { throw .init(key: "maxConnections", reason: "must be at least 1") }
            if maxConnectionsPerUID < 1 { throw .init(key: "maxConnectionsPerUID", reason: "must be at least 1") }
            if reservedPrivilegedConnections < 0 || reservedPrivilegedConnections >= maxConnections {
                throw .init(key: "reservedPrivilegedConnections", reason: "must be at least 0 and less than maxConnections")
            }
            if idleTimeout <= .zero { throw .init(key: "idleTimeout", reason: "must be positive") }
            if maxInFlight < 1 { throw .init(key: "maxInFlight", reason: "must be at least 1") }
            if maxJSONDepth < 1 { throw .init(key: "maxJSONDepth", reason: "must be at least 1") }
            if shutdownGracePeriod < .zero { throw .init(key: "shutdownGracePeriod", reason: "must not be negative") }
        }
    }

    /// Where the server listens.
    public enum Endpoint: Sendable, Hashable {
        /// Bind a Unix socket at `path` (a stale socket file there is replaced); `mode` sets its
        /// permission bits after binding (e.g. `0o660`). The file is removed on shutdown.
        case unixPath(String, mode: UInt32? = nil)
        /// Adopt a socket that is already bound and listening (socket activation: fd 3 and up).
        case listeningSocket(fd: CInt)
    }
}

/// A configuration value that cannot work.
public struct VarlinkServerConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var key: String
    public var reason: String
    public var description: String { "varlink server configuration \(key): \(reason)" }
}

extension Duration {
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
