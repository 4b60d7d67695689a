import Foundation
import KinerjaSchedule
import Logging
import Yams

extension DaemonConfig {
    /// Reads and validates a configuration file. Throws `ConfigError` with every problem found
    /// (unreadable file, YAML syntax, unknown keys, wrong types, bad values), each naming the key path
    /// and, where known, the line.
    public static func load(file: String, environment: [String: String] = [:]) throws(ConfigError) -> DaemonConfig {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw ConfigError(problems: [ConfigProblem(file: file, keyPath: "", message: "not valid UTF-8 text")])
            }
            text = decoded
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(problems: [ConfigProblem(file: file, keyPath: "", message: "cannot read the file: \(Self.describe(error))")])
        }
        return try parse(yaml: text, file: file, environment: environment)
    }

    /// Parses configuration text; `file` is used in problem locations only.
    public static func parse(yaml: String, file: String, environment: [String: String] = [:]) throws(ConfigError) -> DaemonConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(problems: [Self.problem(from: error, file: file, text: yaml)])
        } catch {
            throw ConfigError(problems: [ConfigProblem(file: file, keyPath: "", message: "YAML error: \(error)")])
        }
        let sink = ConfigProblemSink(file: file)
        let reader = ConfigReader(node: root, path: [], sink: sink)
        var config = DaemonConfig()
        config.read(from: reader)
        reader.finish()
        config.applyEnvironment(environment, sink: sink)
        // The Review socket sits beside the control socket unless set: a config (or test) that moves
        // the control socket moves both.
        if !reader.section("web").has("socket") && environment["KINERJAD_REVIEW_SOCKET"] == nil {
            config.web.socket = (config.control.socket as NSString).deletingLastPathComponent + "/review.varlink"
        }
        guard sink.problems.isEmpty else {
            throw ConfigError(problems: sink.problems.sorted { ($0.line ?? 0, $0.column ?? 0) < ($1.line ?? 0, $1.column ?? 0) })
        }
        return config
    }

    private mutating func read(from root: ConfigReader) {
        let db = root.section("database")
        database.path = db.path("path", default: database.path)
        database.busyTimeout = db.duration("busy_timeout", default: database.busyTimeout)

        let bk = root.section("backup")
        backup.directory = bk.path("directory", default: backup.directory)
        backup.keep = bk.int("keep", default: backup.keep, range: 1...1000)

        let c = root.section("control")
        control.socket = c.path("socket", default: control.socket)
        control.adminGroup = c.value("admin_group", default: control.adminGroup,
                                     expected: "a group name (letters, digits, '-', '_')") { text in
            text.range(of: #"^[a-z_][a-z0-9_-]{0,31}$"#, options: .regularExpression) != nil ? text : nil
        }
        control.maxMessageSize = c.byteSize("max_message_size", default: control.maxMessageSize, range: 4096...(64 << 20))
        control.maxConnections = c.int("max_connections", default: control.maxConnections, range: 1...65536)
        control.maxConnectionsPerUID = c.int("max_connections_per_uid", default: control.maxConnectionsPerUID, range: 1...65536)
        control.adminConnections = c.int("admin_connections", default: control.adminConnections, range: 0...65535)
        if control.adminConnections >= control.maxConnections {
            c.problem("admin_connections", "must be less than control.max_connections (\(control.maxConnections)), "
                      + "or no connection is left for other users")
        }
        control.idleTimeout = c.duration("idle_timeout", default: control.idleTimeout)
        control.maxInFlight = c.int("max_in_flight", default: control.maxInFlight, range: 1...100_000)
        control.vendor = c.string("vendor", default: control.vendor, nonEmpty: true)
        control.url = c.string("url", default: control.url, nonEmpty: true)

        let l = root.section("logging")
        logging.target = l.choice("target", default: logging.target,
                                  [("auto", .auto), ("journal", .journal), ("stderr", .stderr)])
        logging.level = l.choice("level", default: logging.level, Self.levelChoices)
        logging.journalSocket = l.path("journal_socket", default: logging.journalSocket)

        readCycles(from: root)
        readAppraisers(from: root)
        readMail(from: root)
        readReminders(from: root)
        readMotivation(from: root)
        readWeb(from: root)
        readFollowup(from: root)

        let j = root.section("jobs")
        jobs.timeout = j.duration("timeout", default: jobs.timeout)
        if let entries = j.entries("schedule") {
            // Start from the defaults: a listed job overrides its calendar, `off` unschedules it.
            var schedule = jobs.schedule
            for entry in entries {
                let keyPath = j.keyPath("schedule") + "." + entry.key
                guard Self.knownJobs.contains(entry.key) else {
                    j.sink.add("unknown job (known jobs: \(Self.knownJobs.joined(separator: ", ")))", keyPath: keyPath, mark: entry.mark)
                    continue
                }
                if entry.value.lowercased() == "off" {
                    schedule[entry.key] = nil
                    continue
                }
                do {
                    _ = try CalendarSpec.parse(entry.value)
                    schedule[entry.key] = entry.value
                } catch {
                    j.sink.add("invalid calendar expression \"\(entry.value)\": \(error.part) at column \(error.position): \(error.reason) (check it with: kinerjactl calendar '\(entry.value)')", keyPath: keyPath, mark: entry.mark)
                }
            }
            jobs.schedule = schedule
        }
    }

    static let levelChoices: [(String, Logger.Level)] = [
        ("trace", .trace), ("debug", .debug), ("info", .info), ("notice", .notice),
        ("warning", .warning), ("error", .error), ("critical", .critical),
    ]

    /// Environment overrides, applied after the file: `KINERJAD_SOCKET` (control.socket),
    /// `KINERJAD_DATABASE` (database.path), `KINERJAD_LOG_LEVEL` (logging.level),
    /// `KINERJAD_LOG_TARGET` (logging.target), `KINERJAD_JOURNAL_SOCKET` (logging.journal_socket),
    /// `KINERJAD_REVIEW_SOCKET` (web.socket).
    private mutating func applyEnvironment(_ env: [String: String], sink: ConfigProblemSink) {
        func absolute(_ name: String, _ apply: (String) -> Void) {
            guard let v = env[name] else { return }
            if v.hasPrefix("/") { apply(v) } else { sink.add("environment \(name)=\"\(v)\": expected an absolute path", keyPath: "", mark: nil) }
        }
        absolute("KINERJAD_SOCKET") { control.socket = $0 }
        absolute("KINERJAD_DATABASE") { database.path = $0 }
        absolute("KINERJAD_JOURNAL_SOCKET") { logging.journalSocket = $0 }
        absolute("KINERJAD_REVIEW_SOCKET") { web.socket = $0 }
        if let v = env["KINERJAD_LOG_LEVEL"] {
            if let level = Self.levelChoices.first(where: { $0.0 == v.lowercased() })?.1 {
                logging.level = level
            } else {
                sink.add("environment KINERJAD_LOG_LEVEL=\"\(v)\": expected one of \(Self.levelChoices.map(\.0).joined(separator: ", "))", keyPath: "", mark: nil)
            }
        }
        if let v = env["KINERJAD_LOG_TARGET"] {
            if let t = LogTarget(rawValue: v.lowercased()) {
                logging.target = t
            } else {
                sink.add("environment KINERJAD_LOG_TARGET=\"\(v)\": expected auto, journal or stderr", keyPath: "", mark: nil)
            }
        }
    }

    private static func problem(from error: YamlError, file: String, text: String) -> ConfigProblem {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let ctx = context.map { " \($0.text)" } ?? ""
            let (line, column) = clamp(line: mark.line, column: mark.column, to: text)
            return ConfigProblem(file: file, line: line, column: column, keyPath: "", message: "YAML syntax error: \(problem)\(ctx)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigProblem(file: file, line: context.mark.line, column: context.mark.column, keyPath: "",
                                 message: "duplicate key(s) \(duplicates.joined(separator: ", "))")
        default:
            return ConfigProblem(file: file, keyPath: "", message: "YAML error: \(error)")
        }
    }

    /// A position libyaml reports, kept inside the text: at the end of a file without a final line
    /// break libyaml moves its mark to a line after the last one (found by the `config` fuzz
    /// target); such an error is reported at the end of the last line instead.
    static func clamp(line: Int, column: Int, to text: String) -> (line: Int, column: Int) {
        // libyaml ends a line at LF, CR, CRLF, NEL, LS and PS.
        var lines = 1
        var lastLineLength = 0
        var previousCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n" where previousCR:
                previousCR = false
            case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}":
                lines += 1
                lastLineLength = 0
                previousCR = scalar == "\r"
            default:
                lastLineLength += 1
                previousCR = false
            }
        }
        guard line > lines else { return (line, column) }
        return (lines, lastLineLength + 1)
    }

    static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileReadNoSuchFileError: return "No such file or directory"
            case NSFileReadNoPermissionError: return "Permission denied"
            default: break
            }
        }
        return ns.localizedDescription
    }
}
