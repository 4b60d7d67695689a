import ArgumentParser
import Foundation
import KinerjaSchedule

/// `kinerjactl calendar EXPR...`: the next elapses of systemd calendar expressions, printed exactly as
/// `systemd-analyze calendar` prints them, so an admin can check a schedule before putting it in the
/// configuration. Works without the daemon.
struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Show when systemd calendar expressions elapse next (like systemd-analyze calendar).",
        discussion: """
            Uses the syntax of systemd.time(7): "Mon..Fri 09:00", "*-01,04,07,10-01 08:00 Asia/Jakarta",
            "quarterly", "*-*~01". Times are shown in the local zone (TZ) as systemd shows them.
            An invalid expression exits 1 with the reason. Does not need the daemon.
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions

    @Argument(help: ArgumentHelp("One or more calendar expressions.", valueName: "expression"))
    var expressions: [String]

    @Option(name: .long, help: ArgumentHelp("Show this many next elapses.", valueName: "n"))
    var iterations = 1

    @Option(name: .customLong("base-time"), help: ArgumentHelp(
        "Compute elapses after this time instead of now (systemd timestamp syntax, e.g. '2027-01-01 00:00:00').",
        valueName: "time"))
    var baseTime: String?

    func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations must be 1 or more") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let zone = ZoneInfoDatabase.system.systemDefault(environment: environment)
        let report: CalendarReport
        do {
            report = try CalendarReport(expressions: expressions, baseTimeText: baseTime, iterations: iterations,
                                        localZone: zone, now: SystemdTimestamp(Date()))
        } catch {
            FileHandle.standardError.write(Data("Failed to parse --base-time= parameter: \(baseTime ?? "")\n".utf8))
            throw ExitCode(1)
        }
        if !global.quiet { print(report.standardOutput, terminator: "") }
        if !report.standardError.isEmpty { FileHandle.standardError.write(Data(report.standardError.utf8)) }
        if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
    }
}
