import ArgumentParser
import Foundation
import KinerjaDomain
import Varlink

/// `kinerjactl jobs`: the scheduler's jobs, their runs, and running one by hand.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Scheduled jobs: calendar, last run and outcome, next run; run one now; history.",
        subcommands: [List.self, Run.self, History.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the jobs (the default).")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions

        func run() async throws {
            try await runCommand {
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.ListJobs")
                let jobs = reply["jobs"]?.arrayValue ?? []
                Output(options: global).emit(.array(jobs)) {
                    var table = Table(headers: ["NAME", "CALENDAR", "LAST RUN", "OUTCOME", "NEXT RUN"])
                    for job in jobs {
                        let outcome = job["running"]?.boolValue == true ? "running" : job["last_outcome"]?.cellText ?? "-"
                        table.rows.append([
                            job["name"]?.cellText ?? "-", job["calendar"]?.cellText ?? "(by hand)",
                            displayTime(job["last_run"]), outcome, displayTime(job["next_run"]),
                        ])
                    }
                    print(table.render())
                    for job in jobs where job["last_outcome"]?.stringValue == "failed" {
                        print("\n\(job["name"]?.cellText ?? "?") failed: \(job["last_message"]?.cellText ?? "")")
                    }
                }
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a job now and wait for it (admin only). Its scheduled slots are not affected.")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("The job's name (see 'kinerjactl jobs').", valueName: "name")) var name: String

        func run() async throws {
            try await runCommand {
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.RunJob", ["name": .string(name)])
                let run = reply["run"] ?? .null
                Output(options: global).emit(run) {
                    print("\(name): \(run["outcome"]?.cellText ?? "?") in \(run["duration_ms"]?.cellText ?? "?") ms — \(run["message"]?.cellText ?? "")")
                }
                if run["outcome"]?.stringValue != "ok" {
                    throw CLIFailure(message: "kinerjactl: job \(name) did not succeed: \(run["message"]?.cellText ?? "")", status: CLIExit.varlinkError)
                }
            }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a job's most recent runs, newest first.")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("The job's name.", valueName: "name")) var name: String
        @Option(help: "How many runs.") var limit = 20

        func validate() throws {
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
        }

        func run() async throws {
            try await runCommand {
                let printer = ListPrinter(
                    options: global, headers: ["ID", "TRIGGER", "SLOT", "STARTED", "OUTCOME", "MS", "MESSAGE"], numeric: [0, 5]
                ) { run in
                    [run["id"]?.cellText ?? "-", run["trigger"]?.cellText ?? "-", displayTime(run["slot"]),
                     displayTime(run["started_at"]), run["outcome"]?.cellText ?? "-",
                     run["duration_ms"]?.cellText ?? "-", run["message"]?.cellText ?? ""]
                }
                try await ControlConnection(options: global).stream(
                    "io.kinerjad.Admin.JobHistory", ["name": .string(name), "limit": .int(Int64(limit))]
                ) { reply, _ in
                    printer.add(reply["runs"]?.arrayValue ?? [])
                }
                printer.finish(empty: "\(name) has not run yet.")
            }
        }
    }
}

/// A time from the daemon as a person reads it: the daemon writes every time in `cycles.time_zone`
/// with its offset (`2026-12-05T10:03:00+07:00`), and it is shown in that zone, not the zone of the
/// machine kinerjactl runs on: `2026-12-05 10:03:00 +07:00`. Anything else is shown as it came.
func displayTime(_ value: JSONValue?) -> String {
    guard let text = value?.stringValue else { return "-" }
    let b = Array(text.utf8)
    guard b.count == 25, b[10] == UInt8(ascii: "T"), b[19] == UInt8(ascii: "+") || b[19] == UInt8(ascii: "-") else { return text }
    return String(decoding: b[0..<10], as: UTF8.self) + " " + String(decoding: b[11..<19], as: UTF8.self) + " "
        + String(decoding: b[19...], as: UTF8.self)
}
