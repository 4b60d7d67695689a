import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// Helpers for the cycles tests: kinerjactl against a harness daemon, a checksum of the database
/// tables, reply validation against the IDL, and a small independent CSV reader.
struct CyclesKit {
    let daemon: DaemonHarness

    /// Runs kinerjactl with the daemon's socket.
    func ctl(_ arguments: [String], timeout: Duration = .seconds(300)) async throws -> Subprocess.Completed {
        try await Subprocess.run(try BuiltProducts.kinerjactl, arguments: ["--socket", daemon.socketPath] + arguments,
                                 environment: Subprocess.environment(), timeout: timeout)
    }

    /// SHA-256 over every row of every table (scheduler bookkeeping excluded), read with Python's
    /// sqlite3 while the daemon runs (WAL lets readers in).
    func checksum() async throws -> String {
        let script = """
            import hashlib, sqlite3, sys
            db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
            h = hashlib.sha256()
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'job%' ORDER BY name"):
                h.update(name.encode())
                for row in db.execute('SELECT * FROM "%s" ORDER BY 1' % name):
                    h.update(repr(row).encode())
            print(h.hexdigest())
            """
        let r = try await Subprocess.run("python3", arguments: ["-c", script, daemon.databasePath], timeout: .seconds(60))
        guard r.status == .exited(0) else { throw TestSupportError("checksum failed: \(r.standardErrorText)") }
        return r.standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// One SQL change made behind the daemon's back with Python's sqlite3 (a test's way to age a
    /// row, e.g. to expire a link); waits up to 10 s for the daemon's write lock.
    func execute(_ sql: String) async throws {
        let script = "import sqlite3, sys\ndb = sqlite3.connect(sys.argv[1], timeout=10)\ndb.execute(sys.argv[2])\ndb.commit()"
        let r = try await Subprocess.run("python3", arguments: ["-c", script, daemon.databasePath, sql], timeout: .seconds(60))
        guard r.status == .exited(0) else { throw TestSupportError("\(sql): \(r.standardErrorText)") }
    }

    /// One SQL scalar, read with Python's sqlite3.
    func scalar(_ sql: String) async throws -> String {
        let script = "import sqlite3, sys\ndb = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)\nprint(db.execute(sys.argv[2]).fetchone()[0])"
        let r = try await Subprocess.run("python3", arguments: ["-c", script, daemon.databasePath, sql], timeout: .seconds(60))
        return r.standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static let interface = Result { try VarlinkInterface(parsing: adminIDL()) }

    /// The IDL as the daemon serves it.
    static func adminIDL() throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/KinerjaDaemon/Control/io.kinerjad.Admin.varlink")
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// Calls a method and checks the reply against the method's declared output.
    func call(_ method: String, _ parameters: [String: JSONValue] = [:]) async throws -> [String: JSONValue] {
        let reply = try await daemon.call("io.kinerjad.Admin.\(method)", parameters)
        let interface = try Self.interface.get()
        let definition = try #require(interface.method(named: method))
        do {
            try VarlinkValidator(interface: interface).validate(reply, against: definition.output)
        } catch {
            Issue.record("\(method) reply does not match the IDL: \(error)")
        }
        return reply
    }
}

/// A CSV reader written for the tests (RFC 4180 quotes, `,` only), independent of the daemon's.
enum TestCSV {
    static func rows(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text.replacingOccurrences(of: "\r\n", with: "\n"))
        chars.append("\n")
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field)
                field = ""
            } else if c == "\n" {
                row.append(field)
                field = ""
                if row != [""] { rows.append(row) }
                row = []
            } else {
                field.append(c)
            }
            i += 1
        }
        return rows
    }

    /// Rows as dictionaries keyed by the header.
    static func records(_ text: String) -> [[String: String]] {
        let all = rows(text)
        guard let header = all.first else { return [] }
        return all.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }
}
