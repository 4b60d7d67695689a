import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// kinerjactl as an admin uses it: output, --json, exit statuses.
@Suite("kinerjactl against a real daemon", .serialized)
struct KinerjactlTests {
    func ctl(_ arguments: [String], env: [String: String] = [:]) async throws -> Subprocess.Completed {
        try await Subprocess.run(try BuiltProducts.kinerjactl, arguments: arguments,
                                 environment: Subprocess.environment(adding: env), timeout: .seconds(60))
    }

    @Test("status, ping, log-level, backup, call: exit 0; --json parses; global options anywhere")
    func commands() async throws {
        let daemon = try await DaemonHarness.start()
        let socket = daemon.socketPath

        let status = try await ctl(["status", "--socket", socket])
        #expect(status.status == .exited(0))
        #expect(status.standardOutputText.contains("Schema:"))
        #expect(status.standardOutputText.contains(daemon.databasePath))

        for arguments in [["--json", "status", "--socket", socket], ["--socket", socket, "status", "--json"]] {
            let json = try await ctl(arguments)
            #expect(json.status == .exited(0))
            let value = try JSONValue(parsing: json.standardOutputText)
            #expect(value["database_path"]?.stringValue == daemon.databasePath)
        }
        // KINERJAD_SOCKET is the default socket.
        let ping = try await ctl(["ping"], env: ["KINERJAD_SOCKET": socket])
        #expect(ping.status == .exited(0))
        #expect(ping.standardOutputText.contains("answered"))

        let level = try await ctl(["--socket", socket, "log-level", "warning", "--json"])
        #expect(try JSONValue(parsing: level.standardOutputText)["level"]?.stringValue == "warning")
        let quiet = try await ctl(["--socket", socket, "-q", "log-level", "info"])
        #expect(quiet.status == .exited(0))
        #expect(quiet.standardOutputText.isEmpty)

        let backup = try await ctl(["--socket", socket, "--json", "backup"])
        #expect(backup.status == .exited(0), "\(backup.standardErrorText)")
        let file = try #require(try JSONValue(parsing: backup.standardOutputText)["file"]?.stringValue)
        #expect(FileManager.default.fileExists(atPath: file))
        #expect(file.hasPrefix(daemon.directory.path("backup")))

        let call = try await ctl(["--socket", socket, "call", "io.kinerjad.Admin.GetStatus", "{}"])
        #expect(call.status == .exited(0))
        #expect(try JSONValue(parsing: call.standardOutputText)["version"] != nil)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("exit 1 with the error name and parameters on a Varlink error")
    func varlinkError() async throws {
        let daemon = try await DaemonHarness.start()
        let r = try await ctl(["--socket", daemon.socketPath, "call", "io.kinerjad.Admin.SetLogLevel", #"{"level":"loud"}"#])
        #expect(r.status == .exited(1))
        #expect(r.standardErrorText.contains("io.kinerjad.Admin.InvalidInput"))
        #expect(r.standardErrorText.contains("loud"))
        let unknown = try await ctl(["--socket", daemon.socketPath, "call", "io.kinerjad.Admin.Nope"])
        #expect(unknown.status == .exited(1))
        #expect(unknown.standardErrorText.contains("MethodNotFound"))
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("exit 69 with the socket path and a hint when the daemon is unreachable")
    func unreachable() async throws {
        let r = try await ctl(["--socket", "/nonexistent/admin.varlink", "status"])
        #expect(r.status == .exited(69))
        #expect(r.standardErrorText.contains("/nonexistent/admin.varlink"))
        #expect(r.standardErrorText.contains("hint:"))
    }

    @Test("exit 64 on usage errors", arguments: [["log-level", "loud"], ["frobnicate"], ["call", "notqualified"], ["call", "io.kinerjad.Admin.Ping", "[1]"]])
    func usage(_ arguments: [String]) async throws {
        let r = try await ctl(["--socket", "/nonexistent/admin.varlink"] + arguments)
        #expect(r.status == .exited(64), "\(arguments): \(r.status) \(r.standardErrorText)")
    }

    @Test("--help and --version")
    func help() async throws {
        let help = try await ctl(["--help"])
        #expect(help.status == .exited(0))
        for word in ["status", "ping", "reload", "log-level", "backup", "call", "--socket", "--json", "Exit status"] {
            #expect(help.standardOutputText.contains(word), "help lacks \(word)")
        }
        let version = try await ctl(["--version"])
        #expect(version.status == .exited(0))
        #expect(!version.standardOutputText.isEmpty)
    }
}
