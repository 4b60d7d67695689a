import Foundation
import Logging
import Synchronization
import Testing
import Varlink
@testable import KinerjaWeb

/// kinerja-web's connections to the daemon, against a real Varlink server on a Unix socket that
/// stands in for the Review socket: each call holds its connection for a while and the server counts
/// how many run at once.
@Suite("ReviewClientPool")
struct ReviewClientPoolTests {
    /// io.kinerjad.Review reduced to one slow method that reports how many calls were running.
    final class SlowReview: VarlinkService, Sendable {
        let interfaceDescription = """
            interface io.kinerjad.Review

            method GetReviewerPage(token: string) -> (token: string)
            """
        let running = Mutex(0)
        let mostAtOnce = Mutex(0)

        func handle(_ call: VarlinkCall, reply: VarlinkReplySink) async throws {
            let now = running.withLock { n in n += 1; return n }
            mostAtOnce.withLock { $0 = max($0, now) }
            try await Task.sleep(for: .milliseconds(150))
            running.withLock { $0 -= 1 }
            try await reply.reply(["token": call.parameters["token"] ?? .string("")])
        }
    }

    struct Everyone: VarlinkAccessPolicy {
        func accessLevel(for peer: PeerCredentials?) -> VarlinkAccessLevel { .full }
    }

    static func server(at path: String, _ service: SlowReview) async throws -> VarlinkServer {
        let server = try VarlinkServer(
            endpoint: .unixPath(path, mode: nil), info: VarlinkServiceInfo(vendor: "test", product: "test", version: "1", url: ""),
            services: [service], accessPolicy: Everyone(), configuration: VarlinkServer.Configuration(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await server.start()
        return server
    }

    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "review-pool-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("calls at once spread over the pool's connections, at most its size, each answered with its own reply")
    func spreadsOverConnections() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let service = SlowReview()
        let server = try await Self.server(at: dir + "/review.varlink", service)
        let client = ReviewClient(path: dir + "/review.varlink", size: 3)
        let replies = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for i in 0..<9 {
                group.addTask { (i, try await client.call("GetReviewerPage", ["token": .string("t\(i)")])["token"]?.stringValue) }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(replies.count == 9)
        #expect(replies.allSatisfy { $0.value == "t\($0.key)" })
        // One connection would have run them one after the other; three run up to three at once.
        let most = service.mostAtOnce.withLock { $0 }
        #expect(most > 1 && most <= 3, "calls running at once: \(most)")
        #expect(await client.openConnections == 3)
        await server.shutdown()
    }

    @Test("after the daemon restarts, the next calls open new connections; while it is down they fail as unreachable")
    func reconnectsAfterRestart() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/review.varlink"
        let service = SlowReview()
        var server = try await Self.server(at: path, service)
        let client = ReviewClient(path: path, size: 2)
        _ = try await client.call("GetReviewerPage", ["token": .string("before")])
        await server.shutdown()

        await #expect(throws: VarlinkConnectionError.self) {
            _ = try await client.call("GetReviewerPage", ["token": .string("down")])
        }

        server = try await Self.server(at: path, service)
        for i in 0..<4 {
            let reply = try await client.call("GetReviewerPage", ["token": .string("after\(i)")])
            #expect(reply["token"]?.stringValue == "after\(i)")
        }
        await server.shutdown()
    }
}
