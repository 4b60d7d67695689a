import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// The daemon's life cycle as systemd sees it: socket activation, sd_notify, watchdog, reload, stop.
@Suite("kinerjad life cycle under systemd's tools", .serialized)
struct DaemonLifecycleTests {
    @Test("socket-activated: READY=1 with STATUS, Ping over the inherited socket, watchdog pings, reload, clean stop")
    func socketActivatedLifecycle() async throws {
        var options = DaemonHarness.Options()
        options.socketActivated = true
        options.environment = ["WATCHDOG_USEC": "1000000"]
        let daemon = try await DaemonHarness.start(options)

        // The harness consumed READY=1; it must carry STATUS= (or one came before it).
        #expect(daemon.notify.history.contains { $0.lines.contains("READY=1") })
        let status = daemon.notify.history.first { $0["STATUS"] != nil }
        #expect(status?["STATUS"]?.contains("Serving") == true, "no STATUS= line: \(daemon.notify.history)")
        // The ready line names the adopted fd.
        try await daemon.process.waitForOutput(containing: "socket=\"fd 3 (socket activation)\"", in: .standardError)

        let pong = try await daemon.call("io.kinerjad.Admin.Ping")
        #expect(pong["version"]?.stringValue?.isEmpty == false)

        // WATCHDOG_USEC=1s: pings every 0.5 s from the work loop.
        _ = try await daemon.notify.waitFor(prefix: "WATCHDOG=1", timeout: .seconds(5))
        _ = try await daemon.notify.waitFor(prefix: "WATCHDOG=1", timeout: .seconds(5))

        // SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1.
        try daemon.process.signal(SIGHUP)
        let reloading = try await daemon.notify.waitFor(prefix: "RELOADING=1")
        let monotonic = try #require(reloading["MONOTONIC_USEC"].flatMap { UInt64($0) })
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nowMicros = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        #expect(monotonic <= nowMicros && nowMicros - monotonic < 10_000_000)
        _ = try await daemon.notify.waitFor(prefix: "READY=1")

        // SIGTERM: STOPPING=1, then exit 0.
        try daemon.process.signal(SIGTERM)
        _ = try await daemon.notify.waitFor(prefix: "STOPPING=1")
        let exit = try await daemon.process.wait(timeout: .seconds(30))
        #expect(exit == .exited(0), "\(daemon.log)")
    }

    @Test("socket-activated with the Review socket (FileDescriptorName=review): io.kinerjad.Review on the passed fd, nothing else")
    func reviewSocketFromActivation() async throws {
        var options = DaemonHarness.Options()
        options.socketActivated = true
        options.reviewSocketActivated = true
        let daemon = try await DaemonHarness.start(options)
        try await daemon.process.waitForOutput(containing: "review_socket=\"fd 4 (socket activation)\"", in: .standardError)
        let client = try await VarlinkClient.connect(unixPath: daemon.directory.path("review.varlink"))
        do {
            _ = try await client.call("io.kinerjad.Review.GetReviewerPage", parameters: ["token": .string("x")])
            Issue.record("a malformed token opened a page")
        } catch let error as VarlinkError {
            #expect(error.name == "io.kinerjad.Review.InvalidToken")
        }
        do {
            _ = try await client.call("io.kinerjad.Admin.Ping")
            Issue.record("Admin.Ping answered on the Review socket")
        } catch let error as VarlinkError {
            #expect(error.name == VarlinkError.Name.interfaceNotFound)
        }
        await client.close()
        #expect(try await daemon.stop() == .exited(0), "\(daemon.log)")
    }

    @Test("socket-activated without the Review socket: the daemon does not bind it itself, says so, and serves the admin socket")
    func reviewSocketNotPassed() async throws {
        var options = DaemonHarness.Options()
        options.socketActivated = true
        let daemon = try await DaemonHarness.start(options)
        try await daemon.process.waitForOutput(containing: "systemd passed no Review socket", in: .standardError)
        // With its catalog id (MessageIDs.reviewSocketMissing), whose entry says how to fix the units.
        try await daemon.process.waitForOutput(containing: "message_id=3ab026ffcb9243e79363dfb5f103cd6d", in: .standardError)
        #expect(!FileManager.default.fileExists(atPath: daemon.directory.path("review.varlink")))
        _ = try await daemon.call("io.kinerjad.Admin.Ping")
        #expect(try await daemon.stop() == .exited(0), "\(daemon.log)")
    }

    @Test("without WATCHDOG_USEC there are no watchdog pings")
    func noWatchdogWithoutEnvironment() async throws {
        let daemon = try await DaemonHarness.start()
        try await Task.sleep(for: .seconds(1))
        #expect(!daemon.notify.history.contains { $0.lines.contains("WATCHDOG=1") })
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("binds its own socket when not activated, replacing a stale file; refuses a socket a live daemon serves")
    func bindsItsOwnSocket() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerjad-bind")
        // A stale socket file left by a crash: bound, then its process is gone.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = directory.path("admin.varlink")
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        close(stale)
        #expect(FileManager.default.fileExists(atPath: path))

        let first = try await DaemonHarness.start(in: directory)
        _ = try await first.call("io.kinerjad.Admin.Ping")

        // A second daemon with another database on the same socket must refuse, and the first
        // keeps serving. (On the same database the database lock refuses it first.)
        let otherConfig = directory.path("other.yaml")
        try String(contentsOfFile: first.configPath, encoding: .utf8)
            .replacingOccurrences(of: first.databasePath, with: directory.path("other.sqlite"))
            .write(toFile: otherConfig, atomically: true, encoding: .utf8)
        let second = try await Subprocess.run(try BuiltProducts.kinerjad, arguments: ["--config", otherConfig],
                                              environment: Subprocess.environment(), timeout: .seconds(30))
        #expect(second.status == .exited(1))
        #expect(second.standardErrorText.contains("another running process"), "\(second.standardErrorText)")
        let same = try await Subprocess.run(try BuiltProducts.kinerjad, arguments: ["--config", first.configPath],
                                            environment: Subprocess.environment(), timeout: .seconds(30))
        #expect(same.status == .exited(69))
        #expect(same.standardErrorText.contains("in use by process \(first.process.pid)"), "\(same.standardErrorText)")
        _ = try await first.call("io.kinerjad.Admin.Ping")
        #expect(try await first.stop() == .exited(0))
        // The socket file is removed on a clean stop.
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
