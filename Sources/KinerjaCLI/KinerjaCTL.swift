import ArgumentParser
import Foundation
import KinerjaDomain

/// `kinerjactl`: the admin CLI, a thin Varlink client of kinerjad.
public struct KinerjaCTL: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kinerjactl",
        abstract: "Administer kinerjad, the ASN performance-evaluation daemon.",
        discussion: """
            Talks to kinerjad over its Varlink control socket. Read-only commands (status, ping,
            calendar) work for any user who can reach the socket; the others need root or membership
            of the admin group (kinerjad-admin).

            Exit status: 0 success, 1 the daemon answered with an error, 64 bad command line,
            69 the daemon cannot be reached.

            Examples:
              kinerjactl status
              kinerjactl --json status | jq .counts
              kinerjactl log-level debug
              kinerjactl call io.kinerjad.Admin.GetStatus '{}'
            """,
        version: KinerjaVersion.string,
        subcommands: [Status.self, Ping.self, Reload.self, LogLevel.self, Backup.self, Call.self, CalendarCommand.self, JobsCommand.self,
                      ImportCommand.self, CyclesCommand.self, ReviewsCommand.self, ReportCommand.self, EmployeeCommand.self,
                      DemoCommand.self, RemindersCommand.self, FlagsCommand.self, SurveyCommand.self, FollowupsCommand.self]
    )

    @OptionGroup public var global: GlobalOptions

    public init() {}
}

struct Ping: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check that the daemon answers.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions

    func run() async throws {
        try await runCommand {
            let start = ContinuousClock.now
            let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.Ping")
            let elapsed = ContinuousClock.now - start
            Output(options: global).emit(reply) {
                let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
                print("kinerjad \(reply["version"]?.stringValue ?? "?") answered in \(String(format: "%.1f", ms)) ms")
            }
        }
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show what the daemon is doing: version, uptime, database, counts.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions

    func run() async throws {
        try await runCommand {
            let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.GetStatus")
            Output(options: global).emit(reply) {
                let uptime = Int(reply["uptime_seconds"]?.intValue ?? 0)
                var pairs: [(String, String)] = [
                    ("Version", reply["version"]?.cellText ?? "-"),
                    ("PID", reply["pid"]?.cellText ?? "-"),
                    ("Started", displayTime(reply["started_at"])),
                    ("Uptime", formatUptime(uptime)),
                    ("Database", reply["database_path"]?.cellText ?? "-"),
                    ("Schema", "version \(reply["schema_version"]?.cellText ?? "-")"),
                    ("Log level", reply["log_level"]?.cellText ?? "-"),
                ]
                if case .object(let counts)? = reply["counts"] {
                    for key in counts.keys.sorted() {
                        pairs.append((key.replacingOccurrences(of: "_", with: " ").capitalizedFirst, counts[key]!.cellText))
                    }
                }
                print(keyValueLines(pairs))
            }
        }
    }
}

struct Reload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-read the daemon's configuration file.",
        discussion: "An invalid file is refused (exit 1, each problem listed) and the running configuration is kept.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions

    func run() async throws {
        try await runCommand {
            let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.Reload")
            Output(options: global).emit(reply) {
                let restart = reply["restart_needed"]?.arrayValue?.compactMap(\.stringValue) ?? []
                print("Configuration reloaded.")
                if !restart.isEmpty {
                    print("These settings take effect after a restart: \(restart.joined(separator: ", "))")
                }
            }
        }
    }
}

struct LogLevel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log-level",
        abstract: "Change the daemon's log level until the next reload or restart.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions

    static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    @Argument(help: ArgumentHelp("One of: \(levels.joined(separator: ", ")).", valueName: "level"))
    var level: String

    func validate() throws {
        guard Self.levels.contains(level.lowercased()) else {
            throw ValidationError("unknown log level '\(level)'; expected one of \(Self.levels.joined(separator: ", "))")
        }
    }

    func run() async throws {
        try await runCommand {
            let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.SetLogLevel", ["level": .string(level.lowercased())])
            Output(options: global).emit(reply) {
                print("Log level: \(reply["previous"]?.cellText ?? "?") → \(reply["level"]?.cellText ?? "?")")
            }
        }
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write an online backup of the database into the backup directory.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions

    func run() async throws {
        try await runCommand {
            let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.Backup")
            Output(options: global).emit(reply) {
                print("Backup written: \(reply["file"]?.cellText ?? "?") (\(formatBytes(Int(reply["size"]?.intValue ?? 0))))")
            }
        }
    }
}

func formatUptime(_ seconds: Int) -> String {
    let d = seconds / 86400, h = (seconds % 86400) / 3600, m = (seconds % 3600) / 60, s = seconds % 60
    if d > 0 { return "\(d)d \(h)h \(m)min" }
    if h > 0 { return "\(h)h \(m)min" }
    if m > 0 { return "\(m)min \(s)s" }
    return "\(s)s"
}

func formatBytes(_ bytes: Int) -> String {
    if bytes >= 1 << 20 { return String(format: "%.1f MiB", Double(bytes) / Double(1 << 20)) }
    if bytes >= 1 << 10 { return String(format: "%.1f KiB", Double(bytes) / Double(1 << 10)) }
    return "\(bytes) bytes"
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
