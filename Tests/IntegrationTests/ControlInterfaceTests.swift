import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// The control interface of the real daemon: generic Varlink tools, bad clients, authorization.
@Suite("kinerjad control interface", .serialized)
struct ControlInterfaceTests {
    @Test("python3 -m varlink.cli info and call work against the daemon")
    func genericVarlinkClient() async throws {
        let daemon = try await DaemonHarness.start()
        let info = try await Subprocess.run("python3", arguments: ["-m", "varlink.cli", "info", "unix:\(daemon.socketPath)"], timeout: .seconds(60))
        #expect(info.status == .exited(0), "\(info.standardErrorText)")
        #expect(info.standardOutputText.contains("io.kinerjad.Admin"))
        #expect(info.standardOutputText.contains("kinerjad"))
        let call = try await Subprocess.run("python3", arguments: ["-m", "varlink.cli", "call", "unix:\(daemon.socketPath)/io.kinerjad.Admin.GetStatus", "{}"], timeout: .seconds(60))
        #expect(call.status == .exited(0), "\(call.standardErrorText)")
        let status = try JSONValue(parsing: call.standardOutputText)
        #expect(status["schema_version"]?.intValue ?? 0 >= 1)
        #expect(status["counts"]?["active_employees"]?.intValue == 0)
        let help = try await Subprocess.run("python3", arguments: ["-m", "varlink.cli", "help", "unix:\(daemon.socketPath)/io.kinerjad.Admin"], timeout: .seconds(60))
        #expect(help.standardOutputText.contains("method GetStatus"))
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("bad clients, each on its own connection, never disturb a client that keeps calling Ping")
    func badClientsDoNotHurtOthers() async throws {
        var options = DaemonHarness.Options()
        options.extraConfig = ""
        let directory = try TemporaryDirectory(prefix: "kinerjad-bad")
        try """
            database:
              path: \(directory.path("kinerja.sqlite"))
            control:
              socket: \(directory.path("admin.varlink"))
              idle_timeout: 2s
              max_connections: 256
            logging:
              target: stderr
              level: info
            """.write(toFile: directory.path("kinerjad.yaml"), atomically: true, encoding: .utf8)
        let daemon = try await DaemonHarness.start(options, in: directory)
        let path = daemon.socketPath

        // The steady client: Ping in a loop on one connection, on a thread of its own, until stopped.
        let steady = ThreadedVarlinkCaller(path: path, method: "io.kinerjad.Admin.Ping") { $0["parameters"]?["version"] != nil }

        try await offCooperativePool {
            func violationThenClose(_ bytes: [UInt8]) throws {
                let raw = try VarlinkRawSocket(path: path)
                _ = raw.send(bytes)
                let reply = raw.receiveJSON()
                #expect(reply?["error"]?.stringValue != nil, "no error reply to \(bytes.prefix(40))")
                #expect(raw.waitForClose(timeout: 10))
            }
            try violationThenClose(Array("this is not json\0".utf8))
            try violationThenClose(Array("[1,2,3]\0".utf8))
            try violationThenClose(Array(repeating: UInt8(ascii: "x"), count: (1 << 20) + 10))

            // No NUL for longer than the idle timeout: closed.
            let partial = try VarlinkRawSocket(path: path)
            _ = partial.send(Array(#"{"method":"io.kinerjad.Admin.Pi"#.utf8))
            #expect(partial.waitForClose(timeout: 10))

            // Unknown method/interface, wrong types, extra parameters: error replies, connection stays usable.
            let wrong = try VarlinkRawSocket(path: path)
            let cases: [(String, String)] = [
                (#"{"method":"io.kinerjad.Admin.Nope"}"#, "org.varlink.service.MethodNotFound"),
                (#"{"method":"io.nowhere.Admin.Ping"}"#, "org.varlink.service.InterfaceNotFound"),
                (#"{"method":"io.kinerjad.Admin.SetLogLevel","parameters":{"level":7}}"#, "org.varlink.service.InvalidParameter"),
                (#"{"method":"io.kinerjad.Admin.Ping","parameters":{"extra":true}}"#, "org.varlink.service.InvalidParameter"),
            ]
            for (call, expected) in cases {
                _ = wrong.sendMessage(call)
                #expect(wrong.receiveJSON()?["error"]?.stringValue == expected, "\(call)")
            }
            _ = wrong.sendMessage(#"{"method":"io.kinerjad.Admin.Ping"}"#)
            #expect(wrong.receiveJSON()?["parameters"]?["version"] != nil)
        }

        // 10,000 pipelined calls on one connection, answered in order.
        let pipelined = try await VarlinkClient.connect(unixPath: path)
        let streams = (0..<10_000).map { _ in pipelined.send(VarlinkCallMessage(method: "io.kinerjad.Admin.Ping")) }
        var answered = 0
        for stream in streams {
            for try await reply in stream where reply.parameters["version"] != nil { answered += 1 }
        }
        #expect(answered == 10_000)
        await pipelined.close()

        try await offCooperativePool {
            // 300 simultaneous connections: at most max_connections are served, the rest closed; none hangs.
            var sockets: [VarlinkRawSocket] = []
            for _ in 0..<300 { if let s = try? VarlinkRawSocket(path: path) { sockets.append(s) } }
            var served = 0
            for s in sockets {
                _ = s.sendMessage(#"{"method":"io.kinerjad.Admin.Ping"}"#)
            }
            for s in sockets where s.receiveJSON(timeout: 5)?["parameters"] != nil { served += 1 }
            #expect(served >= 200 && served <= 256, "served \(served)")
            sockets.removeAll()

            // A client that never reads its replies: the daemon stops reading from it, then closes it.
            let deaf = try VarlinkRawSocket(path: path)
            var frame: [UInt8] = []
            for _ in 0..<20_000 { frame += Array(#"{"method":"io.kinerjad.Admin.GetStatus"}"#.utf8) + [0] }
            _ = deaf.send(frame)
        }

        try await Task.sleep(for: .seconds(2))
        let result = await steady.stop()
        #expect(result.failures.isEmpty, "\(result.failures)")
        #expect(result.successes >= 5, "the steady client made only \(result.successes) calls")
        _ = try await daemon.call("io.kinerjad.Admin.Ping")
        #expect(daemon.process.isRunning)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a non-admin user gets PermissionDenied for state-changing methods and may call read-only ones",
          .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root and setpriv: it runs a client as another user"))
    func authorization() async throws {
        let daemon = try await DaemonHarness.start()
        // The test socket is 0660 root:root; open it up so that 'nobody' can reach it, as a
        // SocketMode=0666 unit would.
        chmod(daemon.socketPath, 0o666)
        chmod(daemon.directory.path, 0o755)
        let ctl = try BuiltProducts.kinerjactl
        func asNobody(_ arguments: [String]) async throws -> Subprocess.Completed {
            try await Subprocess.run("/usr/bin/setpriv", arguments: ["--reuid=nobody", "--regid=nogroup", "--clear-groups", ctl, "--socket", daemon.socketPath] + arguments,
                                     environment: Subprocess.environment(), timeout: .seconds(30))
        }
        for readOnly in [["ping"], ["status"], ["call", "org.varlink.service.GetInfo"]] {
            let r = try await asNobody(readOnly)
            #expect(r.status == .exited(0), "\(readOnly): \(r.standardErrorText)")
        }
        for changing in [["reload"], ["log-level", "debug"], ["backup"]] {
            let r = try await asNobody(changing)
            #expect(r.status == .exited(1), "\(changing): \(r.status)")
            #expect(r.standardErrorText.contains("org.varlink.service.PermissionDenied"), "\(changing): \(r.standardErrorText)")
        }
        // Root may do everything.
        for changing in [["reload"], ["log-level", "info"], ["backup"]] {
            let r = try await Subprocess.run(ctl, arguments: ["--socket", daemon.socketPath] + changing, environment: Subprocess.environment(), timeout: .seconds(30))
            #expect(r.status == .exited(0), "\(changing): \(r.standardErrorText)")
        }
        #expect(try await daemon.stop() == .exited(0))
    }
}
