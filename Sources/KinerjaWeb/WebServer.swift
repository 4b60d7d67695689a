import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// kinerja-web's HTTP/1.1 server: Hummingbird's router and HTTP channel on listening sockets that are
/// either passed by systemd (kinerja-web.socket, socket activation) or bound here from `web.listen`.
///
/// Hummingbird's own `Application` can only bind an address itself; SwiftNIO's `ServerBootstrap` can
/// adopt an already bound socket, so the accept loop is written here once for both cases, the way
/// Hummingbird's server runs it (one task per connection, a graceful stop that lets requests under way
/// finish).
public struct WebServer: Service {
    /// Where the server listens.
    public enum Listen: Sendable, Equatable {
        /// Listening sockets systemd passed (their fds); every one is served.
        case passed([Int32])
        /// An address to bind: `web.listen` outside systemd (`make run`, tests).
        case address(host: String, port: Int)
    }

    let listen: Listen
    let responder: HTTPChannelHandler.Responder
    let logger: Logger
    let eventLoopGroup: any EventLoopGroup

    /// - Parameters:
    ///   - router: The web front's routes.
    ///   - serverName: The `Server` header of every response.
    public init(listen: Listen, router: Router<WebContext>, serverName: String, logger: Logger,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.listen = listen
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        let routes = router.buildResponder()
        responder = { request, writer, channel in
            let context = WebContext(source: .init(channel: channel, logger: logger))
            var response: Response
            do {
                response = try await routes.respond(to: request, context: context)
            } catch let error as HTTPParserError {
                throw error
            } catch {
                logger.debug("Unhandled error answering \(request.method) \(request.uri.path): \(error)")
                response = Response(status: .internalServerError)
            }
            response.headers[.date] = HTTPDate.now()
            response.headers[.server] = serverName
            do {
                try await writer.write(response: response.head, body: response.body)
            } catch is HTTPParserError {
                // Throwing the parser error again would make the channel answer a second time; any
                // other error closes the connection.
                throw ParseErrorWhileWriting()
            }
        }
    }

    /// What to log: "127.0.0.1:8480" or "fd 3 (socket activation)".
    public var description: String {
        switch listen {
        case .address(let host, let port): "\(host):\(port)"
        case .passed(let fds): fds.map { "fd \($0)" }.joined(separator: ", ") + " (socket activation)"
        }
    }

    public func run() async throws {
        let connections = HTTP1Channel(responder: responder)
        let logger = logger
        var opened: [(NIOAsyncChannel<HTTP1Channel.Value, Never>, ServerQuiescingHelper)] = []
        do {
            switch listen {
            case .passed(let fds):
                for fd in fds {
                    opened.append(try await bind { try await $0.bind(fd) { channel in connections.setup(channel: channel, logger: logger) } })
                }
            case .address(let host, let port):
                opened.append(try await bind {
                    try await $0.serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                        .bind(host: host, port: port) { channel in connections.setup(channel: channel, logger: logger) }
                })
            }
        } catch {
            for (server, _) in opened { try? await server.channel.close() }
            throw error
        }
        let servers = opened
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for (server, _) in servers {
                    group.addTask {
                        await withDiscardingTaskGroup { requests in
                            do {
                                try await server.executeThenClose { inbound in
                                    for try await connection in inbound {
                                        requests.addTask { await connections.handle(value: connection, logger: logger) }
                                    }
                                }
                            } catch {
                                logger.error("kinerja-web stopped accepting connections: \(error)")
                            }
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            // Closes the listening sockets, lets each open connection finish its request, then closes it.
            for (_, quiescing) in servers { quiescing.initiateShutdown(promise: nil) }
        }
    }

    /// One listening channel with its quiescing helper, from `open` given a configured bootstrap.
    private func bind(_ open: (ServerBootstrap) async throws -> NIOAsyncChannel<HTTP1Channel.Value, Never>)
        async throws -> (NIOAsyncChannel<HTTP1Channel.Value, Never>, ServerQuiescingHelper) {
        let quiescing = ServerQuiescingHelper(group: eventLoopGroup)
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
        return (try await open(bootstrap), quiescing)
    }
}

struct ParseErrorWhileWriting: Error {}

/// The `Date` header (RFC 9110 IMF-fixdate), from the C library: no formatter state to share.
enum HTTPDate {
    static func now() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
