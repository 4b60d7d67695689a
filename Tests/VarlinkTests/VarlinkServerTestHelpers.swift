import Foundation
import KinerjaTestSupport
import Logging
import Synchronization
import Varlink

let quietLogger = Logger(label: "varlink-test", factory: { _ in SwiftLogNoOpLogHandler() })

/// Runs `body` with a started server on a socket in a fresh temporary directory, then shuts the
/// server down and removes the directory.
func withTestServer(
    services: [any VarlinkService] = [EchoService()],
    policy: any VarlinkAccessPolicy = AllowAllPolicy(),
    configuration: VarlinkServer.Configuration = VarlinkServer.Configuration(),
    mode: UInt32? = nil,
    _ body: (VarlinkServer, String) async throws -> Void
) async throws {
    let directory = try VarlinkTestDirectory()
    defer { directory.remove() }
    let path = directory.file("s.varlink")
    let server = try VarlinkServer(
        endpoint: .unixPath(path, mode: mode), info: testInfo, services: services, accessPolicy: policy,
        configuration: configuration, logger: quietLogger)
    try await server.start()
    do {
        try await body(server, path)
    } catch {
        await server.shutdown()
        throw error
    }
    await server.shutdown()
}

/// Polls `condition` every 20 ms until it holds or `timeout` seconds pass.
func eventually(timeout: Double = 10, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

/// A client that keeps calling Echo on its own connection while a test runs, and counts failures.
/// It stops between calls, so every call it makes must succeed.
final class BackgroundCaller: Sendable {
    private let caller: ThreadedVarlinkCaller

    /// Calls Echo("alive") in a loop on its own thread (see ThreadedVarlinkCaller for why a thread).
    init(path: String) {
        caller = ThreadedVarlinkCaller(path: path, method: "org.example.echo.Echo", parameters: #"{"text":"alive"}"#) {
            $0["parameters"]?["text"] == "alive"
        }
    }

    /// Stops calling; returns how many calls succeeded and the failures seen.
    func stop() async -> (successes: Int, failures: [String]) {
        await caller.stop()
    }
}
