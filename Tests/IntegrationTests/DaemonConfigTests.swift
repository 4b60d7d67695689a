import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// Bad configuration and bad state at start and at reload, against the real binary.
@Suite("kinerjad configuration and start-up checks")
struct DaemonConfigTests {
    struct BadConfig: Sendable, CustomTestStringConvertible {
        let name: String
        let yaml: String
        let mentions: [String]
        var testDescription: String { name }
    }

    static let badConfigs: [BadConfig] = [
        BadConfig(name: "unknown key", yaml: "control:\n  sockett: /run/x.varlink\n", mentions: ["control.sockett", "unknown key", ":2:"]),
        BadConfig(name: "wrong type", yaml: "control:\n  max_connections: lots\n", mentions: ["control.max_connections", "integer"]),
        BadConfig(name: "bad duration", yaml: "control:\n  idle_timeout: 5 minutes-ish\n", mentions: ["control.idle_timeout", "time span"]),
        BadConfig(name: "section of the wrong shape", yaml: "logging: [stderr]\n", mentions: ["logging", "mapping"]),
        BadConfig(name: "YAML syntax", yaml: "control:\n  socket: \"unterminated\n", mentions: ["YAML"]),
    ]

    @Test("a bad config exits 78 naming the key, both with --check-config and at start", arguments: badConfigs)
    func badConfigExits78(_ bad: BadConfig) async throws {
        let directory = try TemporaryDirectory(prefix: "kinerjad-badconfig")
        let path = directory.path("kinerjad.yaml")
        try bad.yaml.write(toFile: path, atomically: true, encoding: .utf8)
        for arguments in [["--check-config", "--config", path], ["--config", path]] {
            let result = try await Subprocess.run(try BuiltProducts.kinerjad, arguments: arguments,
                                                  environment: Subprocess.environment(), timeout: .seconds(30))
            #expect(result.status == .exited(78), "\(arguments): \(result.status) \(result.standardErrorText)")
            for text in bad.mentions {
                #expect(result.standardErrorText.contains(text), "\(arguments): stderr lacks \(text): \(result.standardErrorText)")
            }
            #expect(result.standardErrorText.contains(path))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("kinerja.sqlite")))
    }

    @Test("a missing config file exits 78 naming the file")
    func missingFile() async throws {
        let result = try await Subprocess.run(try BuiltProducts.kinerjad, arguments: ["--config", "/nonexistent/kinerjad.yaml"],
                                              environment: Subprocess.environment(), timeout: .seconds(30))
        #expect(result.status == .exited(78))
        #expect(result.standardErrorText.contains("/nonexistent/kinerjad.yaml"))
        #expect(result.standardErrorText.contains("No such file"))
    }

    @Test("an unreadable config file exits 78 naming the file", .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root and setpriv: it runs a client as another user"))
    func unreadableFile() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerjad-unreadable")
        chmod(directory.path, 0o755)
        let path = directory.path("kinerjad.yaml")
        try "control:\n  socket: /tmp/x.varlink\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        let result = try await Subprocess.run(
            "/usr/bin/setpriv", arguments: ["--reuid=nobody", "--regid=nogroup", "--clear-groups", try BuiltProducts.kinerjad, "--check-config", "--config", path],
            environment: Subprocess.environment(), timeout: .seconds(30))
        #expect(result.status == .exited(78), "\(result.standardErrorText)")
        #expect(result.standardErrorText.contains(path))
        #expect(result.standardErrorText.contains("Permission denied"), "\(result.standardErrorText)")
    }

    @Test("a valid config passes --check-config with exit 0")
    func validConfig() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerjad-goodconfig")
        let path = directory.path("kinerjad.yaml")
        try DaemonHarness.configText(directory: directory, options: .init()).write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await Subprocess.run(try BuiltProducts.kinerjad, arguments: ["--check-config", "--config", path],
                                              environment: Subprocess.environment(), timeout: .seconds(30))
        #expect(result.status == .exited(0), "\(result.standardErrorText)")
    }

    @Test("an invalid config at SIGHUP is refused, logged with the key, and the daemon keeps serving the old one")
    func invalidReloadKeepsServing() async throws {
        let daemon = try await DaemonHarness.start()
        let good = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        try (good + "\nbogus_section:\n  x: 1\n").write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        try daemon.process.signal(SIGHUP)
        _ = try await daemon.notify.waitFor(prefix: "RELOADING=1")
        _ = try await daemon.notify.waitFor(prefix: "READY=1")
        try await daemon.process.waitForOutput(containing: "bogus_section", in: .standardError)
        #expect(daemon.log.contains("76916220e7d24369a6bcc104004e90a5"))
        _ = try await daemon.call("io.kinerjad.Admin.Ping")

        // Reload over Varlink says why, as a ConfigInvalid error with the problems.
        do {
            _ = try await daemon.call("io.kinerjad.Admin.Reload")
            Issue.record("Reload of an invalid config succeeded")
        } catch let error as VarlinkError {
            #expect(error.name == "io.kinerjad.Admin.ConfigInvalid")
            #expect(error.parameters["problems"]?.arrayValue?.first?.stringValue?.contains("bogus_section") == true)
        }
        // Fixed file: reload works and the new level is in force.
        try good.replacingOccurrences(of: "level: debug", with: "level: warning").write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        _ = try await daemon.call("io.kinerjad.Admin.Reload")
        let status = try await daemon.call("io.kinerjad.Admin.GetStatus")
        #expect(status["log_level"]?.stringValue == "warning")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a database from a newer kinerjad is refused: exit 65 and a clear message, the file untouched")
    func newerDatabaseRefused() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerjad-newer")
        let first = try await DaemonHarness.start(in: directory)
        #expect(try await first.stop() == .exited(0))
        let sqlite = try await Subprocess.run("python3", arguments: ["-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1]); c.execute("INSERT INTO grdb_migrations VALUES ('v999-future')"); c.commit()
            """, first.databasePath], timeout: .seconds(30))
        #expect(sqlite.status == .exited(0), "\(sqlite.standardErrorText)")
        let before = try await Self.dump(first.databasePath)
        let result = try await Subprocess.run(try BuiltProducts.kinerjad, arguments: ["--config", first.configPath],
                                              environment: Subprocess.environment(), timeout: .seconds(30))
        #expect(result.status == .exited(65), "\(result.standardErrorText)")
        #expect(result.standardErrorText.contains("newer schema"))
        #expect(result.standardErrorText.contains("v999-future"))
        #expect(try await Self.dump(first.databasePath) == before)
    }

    /// The database's logical content (schema and rows) as SQL text, read by Python's sqlite3.
    static func dump(_ path: String) async throws -> String {
        let result = try await Subprocess.run("python3", arguments: ["-c", """
            import sqlite3, sys
            print("\\n".join(sqlite3.connect(sys.argv[1]).iterdump()))
            """, path], timeout: .seconds(30))
        guard result.status == .exited(0) else { throw TestSupportError("dump failed: \(result.standardErrorText)") }
        return result.standardOutputText
    }
}
