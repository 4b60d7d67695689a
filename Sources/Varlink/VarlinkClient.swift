import NIOCore
import NIOPosix

/// A Varlink client on one Unix socket connection.
///
/// ```swift
/// let client = try await VarlinkClient.connect(unixPath: "/run/example/admin.varlink")
/// let info = try await client.call("org.varlink.service.GetInfo")
/// for try await progress in client.callMore("io.example.Import", parameters: ["file": "x.csv"]) { … }
/// await client.close()
/// ```
/// Error replies throw ``VarlinkError``; connection failures throw ``VarlinkConnectionError``.
/// Calls may be issued concurrently: they are pipelined and answered in order.
public final class VarlinkClient: Sendable {
    /// Default limit for one reply: 16 MiB.
    public static let defaultMaxMessageSize = 16 << 20

    let channel: any Channel
    /// The socket path this client is connected to.
    public let path: String

    private init(channel: any Channel, path: String) {
        self.channel = channel
        self.path = path
    }

    /// Connects to the Unix socket at `path`.
    /// - Throws: ``VarlinkConnectionError`` with code `.connectFailed`.
    public static func connect(
        unixPath path: String, maxMessageSize: Int = defaultMaxMessageSize,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> VarlinkClient {
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .channelOption(.allowRemoteHalfClosure, value: false)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(ByteToMessageHandler(VarlinkFrameDecoder(maxMessageSize: maxMessageSize)))
                    try sync.addHandler(VarlinkClientHandler(path: path))
                }
            }
        do {
            let channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
            return VarlinkClient(channel: channel, path: path)
        } catch {
            throw VarlinkConnectionError(code: .connectFailed, path: path, detail: "\(error)")
        }
    }

    /// Calls `method` and returns the reply's parameters.
    ///
    /// Cancelling the task stops waiting (`CancellationError`); the call itself cannot be withdrawn,
    /// its reply is discarded when it comes.
    /// - Throws: ``VarlinkError`` for an error reply, ``VarlinkConnectionError`` when the connection fails
    ///   or the service answers with `continues`.
    public func call(_ method: String, parameters: [String: JSONValue] = [:]) async throws -> [String: JSONValue] {
        for try await reply in send(VarlinkCallMessage(method: method, parameters: parameters)) {
            if let error = reply.varlinkError { throw error }
            if reply.continues {
                throw VarlinkConnectionError(
                    code: .protocolViolation, path: path, detail: "reply with 'continues' to a call without 'more'")
            }
            return reply.parameters
        }
        try Task.checkCancellation()
        throw VarlinkConnectionError(code: .closed, path: path, detail: "no reply")
    }

    /// Calls `method` with `more` and yields the parameters of each reply; the stream ends after the
    /// last one and throws ``VarlinkError`` for an error reply.
    public func callMore(
        _ method: String, parameters: [String: JSONValue] = [:]
    ) -> AsyncThrowingStream<[String: JSONValue], any Error> {
        let replies = send(VarlinkCallMessage(method: method, parameters: parameters, more: true))
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await reply in replies {
                        if let error = reply.varlinkError { throw error }
                        continuation.yield(reply.parameters)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Calls `method` with `oneway`: no reply comes; returns once the call is written.
    public func oneway(_ method: String, parameters: [String: JSONValue] = [:]) async throws {
        var frame = channel.allocator.buffer(capacity: 256)
        frame.writeVarlinkFrame(VarlinkCallMessage(method: method, parameters: parameters, oneway: true).json)
        do {
            try await channel.writeAndFlush(VarlinkClientRequest(frame: frame, replies: nil)).get()
        } catch let error as VarlinkConnectionError {
            throw error
        } catch {
            throw VarlinkConnectionError(code: .closed, path: path, detail: "\(error)")
        }
    }

    /// Sends any call and yields its replies as they come, error replies included (not thrown): the
    /// raw form for generic tools. The stream finishes after the final reply; it is empty for a
    /// `oneway` call, and throws ``VarlinkConnectionError`` when the connection fails.
    ///
    /// A caller no longer interested in a `more` call should close the client.
    public func send(_ call: VarlinkCallMessage) -> AsyncThrowingStream<VarlinkReplyMessage, any Error> {
        let (stream, continuation) = AsyncThrowingStream<VarlinkReplyMessage, any Error>.makeStream()
        var frame = channel.allocator.buffer(capacity: 256)
        frame.writeVarlinkFrame(call.json)
        let replies = call.oneway ? nil : continuation
        let path = self.path
        channel.writeAndFlush(VarlinkClientRequest(frame: frame, replies: replies)).whenComplete { result in
            switch result {
            case .success:
                if call.oneway { continuation.finish() }
            case .failure(let error as VarlinkConnectionError):
                continuation.finish(throwing: error)
            case .failure(let error):
                continuation.finish(throwing: VarlinkConnectionError(code: .closed, path: path, detail: "\(error)"))
            }
        }
        return stream
    }

    /// Closes the connection; calls still waiting fail with ``VarlinkConnectionError``.
    public func close() async {
        try? await channel.close()
    }
}
