#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A Varlink server on a Unix socket.
///
/// ```swift
/// let server = try VarlinkServer(
///     endpoint: .unixPath("/run/example/admin.varlink"), info: info, services: [AdminService()],
///     accessPolicy: AdminGroupPolicy(groupName: "example-admin"), logger: logger)
/// try await server.start()   // listening now: send READY=1
/// try await server.run()     // until shutdown() or cancellation
/// ```
public final class VarlinkServer: Sendable {
    public let endpoint: Endpoint
    public let configuration: Configuration
    public let dispatcher: VarlinkDispatcher
    let accessPolicy: any VarlinkAccessPolicy
    let logger: Logger
    let group: any EventLoopGroup
    private let state = Mutex(State())

    struct State {
        var serverChannel: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var admission = VarlinkAdmission()
        var started = false
        var stopped = false
        var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Sets the server up; nothing listens until ``start()``.
    /// - Throws: ``VarlinkServerSetupError`` when a service's interface text does not parse,
    ///   ``VarlinkServerConfigurationError`` for an impossible limit.
    public init(
        endpoint: Endpoint, info: VarlinkServiceInfo, services: [any VarlinkService],
        accessPolicy: any VarlinkAccessPolicy, configuration: Configuration = Configuration(),
        logger: Logger, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        try configuration.validate()
        self.endpoint = endpoint
        self.configuration = configuration
        self.accessPolicy = accessPolicy
        self.logger = logger
        self.group = eventLoopGroup
        self.dispatcher = try VarlinkDispatcher(
            info: info, services: services, logger: logger, maxDepth: configuration.maxJSONDepth)
    }

    /// Number of connections being served.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Binds (or adopts) the socket; returns once it listens.
    public func start() async throws {
        let alreadyStarted = state.withLock { state in
            defer { state.started = true }
            return state.started
        }
        if alreadyStarted { return }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { [self] channel in
                self.initializeConnection(channel)
            }
        let channel: any Channel
        switch endpoint {
        case .unixPath(let path, let mode):
            channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
            if let mode, chmod(path, mode_t(mode)) != 0 {
                let code = errno
                try? await channel.close()
                throw IOError(errnoCode: code, reason: "chmod \(path)")
            }
        case .listeningSocket(let fd):
            channel = try await bootstrap.withBoundSocket(fd).get()
        }
        let stoppedMeanwhile = state.withLock { state in
            state.serverChannel = channel
            return state.stopped
        }
        if stoppedMeanwhile { try? await channel.close() }
        logger.info("varlink.server.listening", metadata: ["varlink.endpoint": "\(endpoint)"])
    }

    /// Starts if needed, then serves until ``shutdown()`` completes or the task is cancelled
    /// (which shuts down gracefully too).
    public func run() async throws {
        try await start()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let finishedAlready = state.withLock { state in
                    if state.stopped && state.serverChannel == nil && state.connections.isEmpty { return true }
                    state.shutdownWaiters.append(continuation)
                    return false
                }
                if finishedAlready { continuation.resume() }
            }
        } onCancel: {
            Task { await self.shutdown() }
        }
    }

    /// Stops accepting, lets running and received calls finish (up to
    /// ``Configuration/shutdownGracePeriod``), closes every connection, removes the socket file it
    /// created, and returns when all is closed.
    public func shutdown() async {
        let (serverChannel, connections) = state.withLock { state in
            state.stopped = true
            let channel = state.serverChannel
            return (channel, Array(state.connections.values))
        }
        if let serverChannel {
            try? await serverChannel.close()
            if case .unixPath(let path, _) = endpoint {
                unlink(path)
            }
        }
        for connection in connections {
            connection.pipeline.fireUserInboundEventTriggered(VarlinkShutdownEvent())
        }
        let deadline = ContinuousClock.now + configuration.shutdownGracePeriod
        for connection in connections {
            let closed = connection.closeFuture
            let remaining = deadline - ContinuousClock.now
            if remaining > .zero {
                let timer = connection.eventLoop.scheduleTask(in: remaining.timeAmount) {
                    connection.close(promise: nil)
                }
                try? await closed.get()
                timer.cancel()
            } else {
                try? await connection.close()
            }
        }
        let waiters = state.withLock { state in
            state.serverChannel = nil
            state.connections.removeAll()
            state.admission = VarlinkAdmission()
            defer { state.shutdownWaiters = [] }
            return state.shutdownWaiters
        }
        for waiter in waiters { waiter.resume() }
        logger.info("varlink.server.stopped")
    }

    // MARK: Connections

    private func initializeConnection(_ channel: any Channel) -> EventLoopFuture<Void> {
        let configuration = self.configuration
        let dispatcher = self.dispatcher
        let policy = self.accessPolicy
        let baseLogger = self.logger
        return PeerCredentials.read(from: channel).flatMapThrowing { [self] peer in
            let accessLevel = policy.accessLevel(for: peer)
            try self.admit(channel, peer: peer, privileged: accessLevel.isPrivileged)
            var logger = baseLogger
            logger[metadataKey: "varlink.peer"] = "\(peer.map { "\($0)" } ?? "unknown")"
            let handler = VarlinkServerConnectionHandler(
                dispatcher: dispatcher, peer: peer, accessLevel: accessLevel,
                maxInFlight: configuration.maxInFlight, idleTimeout: configuration.idleTimeout.timeAmount,
                logger: logger)
            let sync = channel.pipeline.syncOperations
            try sync.addHandler(ByteToMessageHandler(VarlinkFrameDecoder(maxMessageSize: configuration.maxMessageSize)))
            try sync.addHandler(handler)
        }
    }

    /// Counts the connection in, or throws (the channel is then closed) when the limits refuse it.
    private func admit(_ channel: any Channel, peer: PeerCredentials?, privileged: Bool) throws {
        let id = ObjectIdentifier(channel)
        let uid = peer?.uid
        let refusal = state.withLock { state -> VarlinkAdmission.Refusal? in
            if state.stopped { return .serverFull(limit: 0) }
            if let refusal = state.admission.admit(uid: uid, privileged: privileged, limits: configuration) {
                return refusal
            }
            state.connections[id] = channel
            return nil
        }
        if let refusal {
            logger.warning(
                "varlink.server.connectionRefused",
                metadata: ["varlink.peer": "\(peer.map { "\($0)" } ?? "unknown")", "varlink.reason": "\(refusal)"])
            throw VarlinkConnectionLimitError(limit: configuration.maxConnections, refusal: refusal)
        }
        channel.closeFuture.whenComplete { [self] _ in
            self.state.withLock { state in
                guard state.connections.removeValue(forKey: id) != nil else { return }
                state.admission.release(uid: uid, privileged: privileged)
            }
        }
    }
}

/// A connection was refused by the connection limits (see ``VarlinkAdmission``).
public struct VarlinkConnectionLimitError: Error, Sendable, Hashable {
    public var limit: Int
    public var refusal: VarlinkAdmission.Refusal
}
