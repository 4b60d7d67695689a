import Foundation
import KinerjaTestSupport
import Synchronization
import Testing
import Varlink

/// The server against bad, greedy and slow clients, with a well-behaved client calling throughout.
@Suite(.serialized) struct VarlinkServerRobustnessTests {
    static func configuration() -> VarlinkServer.Configuration {
        var configuration = VarlinkServer.Configuration()
        configuration.maxMessageSize = 64 * 1024
        configuration.idleTimeout = .seconds(1)
        configuration.maxInFlight = 8
        configuration.shutdownGracePeriod = .seconds(2)
        return configuration
    }

    @Test func badInputOnlyHurtsItsOwnConnection() async throws {
        try await withTestServer(configuration: Self.configuration()) { server, path in
            let caller = BackgroundCaller(path: path)

            // The raw sockets block, so they run on a Dispatch thread: the background caller keeps its
            // turns on the cooperative pool (two threads on a 2-core machine) and is never starved
            // into the idle timeout. Observations come back and are checked here.
            struct Seen: Sendable {
                var violations: [(reply: JSONValue?, closed: Bool)] = []
                var firstBeforeOversize: JSONValue?
                var partialClosed = false
                var partialSeconds = 0.0
                var wrongReplies: [JSONValue?] = []
                var stillHere: JSONValue?
            }
            let cases: [(String, VarlinkError)] = [
                (#"{"method":"org.nope.Echo"}"#, .interfaceNotFound("org.nope")),
                (#"{"method":"org.example.echo.Nope"}"#, .methodNotFound("org.example.echo.Nope")),
                (#"{"method":"org.example.echo.Echo","parameters":{"text":42}}"#, .invalidParameter("text")),
                (#"{"method":"org.example.echo.Echo","parameters":{"text":"a","extra":1}}"#, .invalidParameter("extra")),
                (#"{"method":"org.example.echo.Echo"}"#, .invalidParameter("text")),
            ]
            let seen = try await offCooperativePool { () throws -> Seen in
                var seen = Seen()
                let invalid = try VarlinkRawSocket(path: path)
                invalid.sendMessage("{\"method\": nope}")
                seen.violations.append((invalid.receiveJSON(), invalid.waitForClose()))

                let notObject = try VarlinkRawSocket(path: path)
                notObject.sendMessage("[1, 2, 3]")
                seen.violations.append((notObject.receiveJSON(), notObject.waitForClose()))

                // Calls before the oversize message are answered first, in order.
                let oversize = try VarlinkRawSocket(path: path)
                oversize.sendMessage(#"{"method":"org.example.echo.Echo","parameters":{"text":"first"}}"#)
                oversize.send(Array(repeating: UInt8(ascii: "a"), count: 70 * 1024))
                seen.firstBeforeOversize = oversize.receiveJSON()
                seen.violations.append((oversize.receiveJSON(), oversize.waitForClose()))

                let partial = try VarlinkRawSocket(path: path)
                partial.send(Array(#"{"method":"org.example.echo.Ec"#.utf8))
                let started = Date()
                seen.partialClosed = partial.waitForClose(timeout: 10)
                seen.partialSeconds = Date().timeIntervalSince(started)

                // Errors in a call leave the connection usable.
                let wrong = try VarlinkRawSocket(path: path)
                for (call, _) in cases {
                    wrong.sendMessage(call)
                    seen.wrongReplies.append(wrong.receiveJSON())
                }
                wrong.sendMessage(#"{"method":"org.example.echo.Echo","parameters":{"text":"still here"}}"#)
                seen.stillHere = wrong.receiveJSON()
                return seen
            }
            for violation in seen.violations {
                #expect(violation.reply?["error"] == .string(VarlinkError.Name.protocolViolation), "\(String(describing: violation.reply))")
                #expect(violation.closed)
            }
            #expect(seen.violations.count == 3)
            #expect(seen.firstBeforeOversize?["parameters"]?["text"] == "first")
            #expect(seen.partialClosed)
            #expect(seen.partialSeconds >= 0.8)
            #expect(seen.wrongReplies.count == cases.count)
            for (reply, (_, error)) in zip(seen.wrongReplies, cases) {
                let json = try #require(reply)
                #expect(try VarlinkReplyMessage(json: json).varlinkError == error)
            }
            #expect(seen.stillHere?["parameters"]?["text"] == "still here")

            let result = await caller.stop()
            #expect(result.failures.isEmpty, "\(result.failures)")
            #expect(result.successes >= 5, "the background caller made only \(result.successes) calls")
            _ = server
        }
    }

    @Test func tenThousandPipelinedCallsAnsweredInOrder() async throws {
        // Not a test of the idle timeout: a long one, so a reader starved by a parallel test run is not
        // closed while its replies wait in the socket.
        var configuration = Self.configuration()
        configuration.idleTimeout = .seconds(60)
        try await withTestServer(configuration: configuration) { _, path in
            let client = try await VarlinkClient.connect(unixPath: path)
            let count = 10_000
            // Send every call before reading any reply, then check each reply matches its call.
            let streams = (0..<count).map {
                client.send(VarlinkCallMessage(method: "org.example.echo.Echo", parameters: ["text": .string("n\($0)")]))
            }
            var answered = 0
            for (index, stream) in streams.enumerated() {
                for try await reply in stream {
                    #expect(reply.parameters["text"] == .string("n\(index)"))
                    answered += 1
                }
            }
            #expect(answered == count)
            await client.close()
        }
    }

    @Test func connectionsOverTheLimitAreClosedAtOnce() async throws {
        var configuration = Self.configuration()
        configuration.maxConnections = 256
        configuration.idleTimeout = .seconds(30)
        try await withTestServer(configuration: configuration) { server, path in
            let caller = BackgroundCaller(path: path)
            #expect(await eventually { server.connectionCount == 1 })
            var sockets: [VarlinkRawSocket] = []
            for _ in 0..<300 {
                sockets.append(try VarlinkRawSocket(path: path))
            }
            #expect(await eventually { server.connectionCount == 256 })
            var served = 0
            var closed = 0
            for socket in sockets {
                socket.sendMessage(#"{"method":"org.varlink.service.GetInfo"}"#)
            }
            for socket in sockets {
                if socket.receiveJSON(timeout: 10)?["parameters"]?["vendor"] == "Test" {
                    served += 1
                } else {
                    closed += 1
                }
            }
            #expect(served == 255)
            #expect(closed == 45)
            sockets.removeAll()
            #expect(await eventually { server.connectionCount == 1 })
            let result = await caller.stop()
            #expect(result.failures.isEmpty, "\(result.failures)")
        }
    }

    @Test func aClientThatNeverReadsCannotMakeTheServerBuffer() async throws {
        let counter = BlobCounter()
        try await withTestServer(services: [counter], configuration: Self.configuration()) { server, path in
            let caller = BackgroundCaller(path: path)
            let greedy = try VarlinkRawSocket(path: path)
            // 400 calls, each answered with 64 KiB; the client never reads.
            var calls: [UInt8] = []
            for _ in 0..<400 {
                calls += Array(#"{"method":"org.example.echo.Blob","parameters":{"size":65536}}"#.utf8) + [0]
            }
            let writer = Task.detached { greedy.send(calls) }
            try await Task.sleep(for: .milliseconds(500))
            let started = counter.started.load(ordering: .relaxed)
            // Handlers stop once the output buffer is full; only the socket buffers, NIO's high
            // water mark and maxInFlight worth of calls can be pending.
            #expect(started < 40, "\(started) handlers ran for a client that reads nothing")
            // The stuck connection counts as idle and is closed; others are unaffected.
            #expect(await eventually { server.connectionCount == 1 })
            _ = await writer.value
            let result = await caller.stop()
            #expect(result.failures.isEmpty, "\(result.failures)")
            #expect(result.successes >= 5, "the background caller made only \(result.successes) calls")
        }
    }

    @Test func moreStreamsAndOnewayOverTheSocket() async throws {
        try await withTestServer { _, path in
            let client = try await VarlinkClient.connect(unixPath: path)
            var indexes: [Int64] = []
            for try await reply in client.callMore("org.example.echo.Count", parameters: ["count": 5]) {
                indexes.append(reply["index"]!.intValue!)
            }
            #expect(indexes == [0, 1, 2, 3, 4])
            try await client.oneway("org.example.echo.Echo", parameters: ["text": "ignored"])
            #expect(try await client.call("org.example.echo.Echo", parameters: ["text": "next"]) == ["text": "next"])
            await #expect(throws: VarlinkError.expectedMore) {
                _ = try await client.call("org.example.echo.Count", parameters: ["count": 2])
            }
            let info = try await client.call("org.varlink.service.GetInfo")
            #expect(info["interfaces"] == ["org.varlink.service", "org.example.echo"])
            await client.close()
        }
    }

    @Test func connectionErrorsAreDistinctFromVarlinkErrors() async throws {
        await #expect(throws: VarlinkConnectionError.self) {
            _ = try await VarlinkClient.connect(unixPath: "/nonexistent/socket")
        }
        let echo = EchoService()
        try await withTestServer(services: [echo]) { server, path in
            let client = try await VarlinkClient.connect(unixPath: path)
            let sleeping = Task { try await client.call("org.example.echo.Sleep", parameters: ["ms": 200]) }
            #expect(await eventually { echo.sleepsStarted.load(ordering: .relaxed) == 1 })
            await server.shutdown()
            // The running call still gets its answer during graceful shutdown...
            #expect(try await sleeping.value == [:])
            // ...then the connection is gone.
            do {
                _ = try await client.call("org.example.echo.Echo", parameters: ["text": "x"])
                Issue.record("call after shutdown succeeded")
            } catch let error as VarlinkConnectionError {
                #expect(error.code == .closed)
            }
        }
    }

    @Test func adoptsAListeningSocket() async throws {
        let directory = try VarlinkTestDirectory()
        defer { directory.remove() }
        let path = directory.file("adopted.varlink")
        let fd = try makeListeningSocket(path: path)
        let server = try VarlinkServer(
            endpoint: .listeningSocket(fd: fd), info: testInfo, services: [EchoService()],
            accessPolicy: AllowAllPolicy(), logger: quietLogger)
        try await server.start()
        let client = try await VarlinkClient.connect(unixPath: path)
        #expect(try await client.call("org.example.echo.Echo", parameters: ["text": "fd"]) == ["text": "fd"])
        await client.close()
        await server.shutdown()
    }
}

/// Counts Blob calls started, to see how far a server goes for a client that does not read.
final class BlobCounter: VarlinkService {
    let started = Atomic<Int>(0)
    var interfaceDescription: String { EchoService().interfaceDescription }

    func handle(_ call: VarlinkCall, reply: VarlinkReplySink) async throws {
        if call.method == "Blob" { started.add(1, ordering: .relaxed) }
        try await EchoService().handle(call, reply: reply)
    }
}

/// Binds and listens on a Unix socket like systemd does for socket activation.
func makeListeningSocket(path: String) throws -> CInt {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        let bytes = Array(path.utf8)
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard bound == 0, listen(fd, 16) == 0 else { throw NSError(domain: "bind/listen", code: Int(errno)) }
    return fd
}
