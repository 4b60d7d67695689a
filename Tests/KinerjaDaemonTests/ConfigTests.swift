import Foundation
import Testing
@testable import KinerjaDaemon

@Suite("Configuration loading and validation")
struct ConfigTests {
    func problems(_ yaml: String, env: [String: String] = [:]) -> [ConfigProblem] {
        do {
            _ = try DaemonConfig.parse(yaml: yaml, file: "/etc/kinerjad/test.yaml", environment: env)
            return []
        } catch {
            return error.problems
        }
    }

    @Test("an empty file gives the documented defaults")
    func defaults() throws {
        let config = try DaemonConfig.parse(yaml: "", file: "/x.yaml")
        #expect(config == DaemonConfig())
        #expect(config.control.socket == "/run/kinerjad/admin.varlink")
        #expect(config.control.maxMessageSize == 1 << 20)
    }

    @Test("the reference config/kinerjad.yaml is valid and equals the defaults")
    func referenceFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try DaemonConfig.load(file: root.appendingPathComponent("config/kinerjad.yaml").path)
        #expect(config == DaemonConfig())
        let dev = try DaemonConfig.load(file: root.appendingPathComponent("config/dev.yaml").path)
        #expect(dev.database.path == root.appendingPathComponent("var/kinerja.sqlite").standardizedFileURL.path)
    }

    @Test("values of every kind are read")
    func values() throws {
        let c = try DaemonConfig.parse(yaml: """
            database:
              path: /srv/k.sqlite
              busy_timeout: 2s 500ms
            control:
              max_message_size: 512K
              idle_timeout: 2min
              admin_group: bkpsdm
            logging:
              level: debug
              target: journal
            """, file: "/x.yaml")
        #expect(c.database.path == "/srv/k.sqlite")
        #expect(c.database.busyTimeout == .milliseconds(2500))
        #expect(c.control.maxMessageSize == 512 * 1024)
        #expect(c.control.idleTimeout == .seconds(120))
        #expect(c.control.adminGroup == "bkpsdm")
        #expect(c.logging.level == .debug)
        #expect(c.logging.target == .journal)
    }

    @Test("unknown key is named with its path and line")
    func unknownKey() {
        let p = problems("control:\n  socket: /run/x\n  idle_timout: 5min\n")
        #expect(p.count == 1)
        #expect(p.first?.keyPath == "control.idle_timout")
        #expect(p.first?.line == 3)
        #expect(p.first?.message.contains("unknown key") == true)
        #expect(p.first?.description.hasPrefix("/etc/kinerjad/test.yaml:3:") == true)
    }

    @Test("unknown top-level section")
    func unknownSection() {
        let p = problems("databse:\n  path: /x\n")
        #expect(p.map(\.keyPath) == ["databse"])
    }

    @Test("wrong types are named with the expected form", arguments: [
        ("control:\n  max_connections: many\n", "control.max_connections", "integer"),
        ("control:\n  max_connections: 0\n", "control.max_connections", "integer from 1"),
        ("database:\n  busy_timeout: soon\n", "database.busy_timeout", "time span"),
        ("database:\n  busy_timeout: 0s\n", "database.busy_timeout", "time span"),
        ("control:\n  idle_timeout: [1, 2]\n", "control.idle_timeout", "found a list"),
        ("logging:\n  level: loud\n", "logging.level", "one of trace"),
        ("control:\n  max_message_size: 1T\n", "control.max_message_size", "size in bytes"),
        ("database: /var/lib/x\n", "database", "mapping"),
        ("control:\n  admin_group: \"Bad Group\"\n", "control.admin_group", "group name"),
        ("database:\n  path: \"\"\n", "database.path", "path"),
    ])
    func badValues(yaml: String, key: String, expected: String) {
        let p = problems(yaml)
        #expect(p.count == 1, "\(p)")
        #expect(p.first?.keyPath == key)
        #expect(p.first?.message.contains(expected) == true, "\(p.first?.message ?? "")")
        #expect(p.first?.line != nil)
    }

    @Test("all problems are reported in one pass")
    func allProblems() {
        let p = problems("database:\n  busy_timeout: x\ncontrol:\n  max_connections: -1\n  bogus: 1\nextra: 2\n")
        #expect(Set(p.map(\.keyPath)) == ["database.busy_timeout", "control.max_connections", "control.bogus", "extra"])
    }

    @Test("YAML syntax errors give a line")
    func syntax() {
        let p = problems("control:\n  socket: [unclosed\n")
        #expect(p.count == 1)
        #expect(p.first?.line != nil)
        #expect(p.first?.message.contains("YAML") == true)
    }

    /// Found by the `config` fuzz target (Fuzz/regressions/config/syntax-error-at-end-without-newline.yaml):
    /// libyaml puts an error at the end of a file without a final line break on a line after the last.
    @Test("a YAML syntax error at the end of a file without a final line break is on its last line")
    func syntaxAtEndOfFile() {
        let p = problems("control:\n  socket: /x\nunknown_sect")
        #expect(p.count == 1)
        #expect(p.first?.line == 3)
        #expect(p.first?.column == 13)
        let crlf = problems("control:\r\n  socket: /x\r\nunknown_sect")
        #expect(crlf.first?.line == 3)
    }

    @Test("environment overrides apply and are validated")
    func environment() throws {
        let c = try DaemonConfig.parse(yaml: "", file: "/x.yaml", environment: ["KINERJAD_SOCKET": "/tmp/s.varlink", "KINERJAD_LOG_LEVEL": "warning"])
        #expect(c.control.socket == "/tmp/s.varlink")
        #expect(c.logging.level == .warning)
        let p = problems("", env: ["KINERJAD_LOG_LEVEL": "chatty"])
        #expect(p.first?.message.contains("KINERJAD_LOG_LEVEL") == true)
    }

    @Test("missing and unreadable files are problems naming the file")
    func files() throws {
        #expect(throws: ConfigError.self) { _ = try DaemonConfig.load(file: "/nonexistent/kinerjad.yaml") }
        do {
            _ = try DaemonConfig.load(file: "/nonexistent/kinerjad.yaml")
        } catch {
            #expect(error.description.contains("/nonexistent/kinerjad.yaml"))
            #expect(error.description.contains("No such file"))
        }
    }
}
