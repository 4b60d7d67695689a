import ArgumentParser
import Foundation
import Varlink

/// `kinerjactl cycles open|list|show|close`.
struct CyclesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cycles",
        abstract: "Open, list, inspect and close evaluation cycles.",
        discussion: """
            A cycle covers one period: YYYY-MM (monthly), YYYY-QN (quarterly), YYYY-SN (semester) or
            YYYY (annual); which kinds run is set by cycles.kinds. Commands take a cycle's id or its
            period code.
            """,
        subcommands: [Open.self, List.self, Show.self, Close.self])

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open the cycle of a period and make its review assignments.",
            discussion: """
                Opening a period that already has a cycle changes nothing and says so (exit 0). A period
                that has not ended yet is refused unless --early. A due date on a weekend or holiday moves
                to the next working day (cycles.due_on_working_day). Times without an offset are read in
                the daemon's cycles.time_zone.
                """)
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("Period code, e.g. 2025-Q1.", valueName: "period")) var period: String
        @Option(name: .long, help: ArgumentHelp("When the cycle opened (ISO 8601; without an offset in cycles.time_zone), to replay history; default now.",
                                                valueName: "time"))
        var openedAt: String?
        @Flag(name: .long, help: "Open the period before it has ended.") var early = false

        func run() async throws {
            try await runCommand {
                var params: [String: JSONValue] = ["period": .string(period)]
                if let openedAt { params["opened_at"] = .string(openedAt) }
                if early { params["early"] = .bool(true) }
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.OpenCycle", params)
                Output(options: global).emit(reply) {
                    print(reply["message"]?.stringValue ?? "")
                    guard reply["created"]?.boolValue == true else { return }
                    let roles = reply["by_role"]?.objectValue ?? [:]
                    print("  assignments: " + ["self", "atasan", "rekan", "bawahan"].map { "\($0) \(roles[$0]?.cellText ?? "0")" }
                        .joined(separator: ", "))
                    print("  due: \(displayTime(reply["cycle"]?["due_at"]))")
                    // One line per kind, naming who (the counts are in the JSON too).
                    for note in reply["notes"]?.arrayValue?.compactMap(\.stringValue) ?? [] { print("  " + note) }
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the cycles, newest first.")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions

        func run() async throws {
            try await runCommand {
                let printer = ListPrinter(
                    options: global, headers: ["ID", "PERIOD", "KIND", "STATUS", "OPENED", "DUE", "ASSIGNMENTS", "DONE", "LATE"],
                    numeric: [0, 6, 7, 8]
                ) { c in
                    [c["id"]?.cellText ?? "", c["period"]?.cellText ?? "", c["kind"]?.cellText ?? "",
                     c["status"]?.cellText ?? "", day(c["opened_at"]), day(c["due_at"]),
                     c["assignments"]?.cellText ?? "", percent(c["submitted"], of: c["assignments"]), c["late"]?.cellText ?? ""]
                }
                try await ControlConnection(options: global).stream("io.kinerjad.Admin.ListCycles") { reply, _ in
                    printer.add(reply["cycles"]?.arrayValue ?? [])
                }
                printer.finish(empty: "No cycles yet. Open one with: kinerjactl cycles open PERIOD")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a cycle's completion per role and per unit.")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("Cycle id or period code.", valueName: "cycle")) var cycle: String
        @Option(name: .long, help: ArgumentHelp("Count as overdue what is past due at this time (ISO 8601).", valueName: "time"))
        var at: String?

        func run() async throws {
            try await runCommand {
                var params: [String: JSONValue] = ["cycle": .string(cycle)]
                if let at { params["at"] = .string(at) }
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.GetCycle", params)
                Output(options: global).emit(reply) {
                    let c = reply["cycle"] ?? .null
                    var pairs: [(String, String)] = [
                        ("Cycle", "\(c["period"]?.cellText ?? "") (id \(c["id"]?.cellText ?? ""), \(c["kind"]?.cellText ?? ""))"),
                        ("Status", c["status"]?.cellText ?? ""),
                        ("Opened", "\(displayTime(c["opened_at"])) by \(c["opened_by"]?.cellText ?? "")"),
                        ("Due", displayTime(c["due_at"])),
                        ("Rekan", "\(c["rekan_per_subject"]?.cellText ?? "") per subject, at most \(c["rekan_cap_per_reviewer"]?.cellText ?? "") per reviewer, seed \(c["rekan_seed"]?.cellText ?? "")"),
                    ]
                    if c["closed_at"]?.stringValue != nil {
                        pairs.append(("Closed", "\(displayTime(c["closed_at"])) by \(c["closed_by"]?.cellText ?? "")"))
                        if c["forced"]?.boolValue == true || c["close_reason"]?.stringValue != nil {
                            pairs.append(("Forced", "yes; reason: \(c["close_reason"]?.cellText ?? "")"))
                        }
                    }
                    print(keyValueLines(pairs))
                    for (title, key) in [("ROLE", "roles"), ("UNIT", "units")] {
                        var table = Table(headers: [title, "TOTAL", "SUBMITTED", "DONE", "LATE", "OPEN", "OVERDUE"], numeric: [1, 2, 3, 4, 5, 6])
                        for r in reply[key]?.arrayValue ?? [] {
                            table.rows.append([r["name"]?.cellText ?? "", r["total"]?.cellText ?? "", r["submitted"]?.cellText ?? "",
                                               percent(r["submitted"], of: r["total"]), r["late"]?.cellText ?? "",
                                               r["open"]?.cellText ?? "", r["overdue"]?.cellText ?? ""])
                        }
                        print("")
                        print(table.render())
                    }
                }
            }
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compute the results and close a cycle.",
            discussion: """
                Refused (exit 1, with the open assignments listed) while assignments of the roles in
                cycles.required_roles are open, unless --force with --reason (the reason is recorded).
                Closing a closed cycle changes nothing and says so.
                """)
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("Cycle id or period code.", valueName: "cycle")) var cycle: String
        @Flag(name: .long, help: "Close before the due date, or while required assignments are open (needs --reason).") var force = false
        @Option(name: .long, help: ArgumentHelp("Why the cycle is closed by force (recorded); only with --force.", valueName: "text")) var reason: String?
        @Option(name: .long, help: ArgumentHelp("When the cycle closed (ISO 8601; without an offset in cycles.time_zone), to replay history; default now.", valueName: "time"))
        var closedAt: String?

        func validate() throws {
            if force && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--force needs --reason TEXT (it is recorded with the cycle)")
            }
            if !force && reason != nil {
                throw ValidationError("--reason is only taken with --force (a reason is recorded for a forced close)")
            }
        }

        func run() async throws {
            try await runCommand {
                var params: [String: JSONValue] = ["cycle": .string(cycle), "force": .bool(force)]
                if let reason { params["reason"] = .string(reason) }
                if let closedAt { params["closed_at"] = .string(closedAt) }
                let connection = ControlConnection(options: global)
                let reply: [String: JSONValue]
                do {
                    reply = try await connection.callUnmapped("io.kinerjad.Admin.CloseCycle", params)
                } catch let error as VarlinkError where error.name == "io.kinerjad.Admin.CycleNotClosable" {
                    let n = error.parameters["open_required"]?.intValue ?? 0
                    let items = error.parameters["assignments"]?.arrayValue ?? []
                    var table = Table(headers: ["ID", "ROLE", "REVIEWER", "NAME", "SUBJECT", "UNIT", "DUE"], numeric: [0])
                    for a in items {
                        table.rows.append([a["id"]?.cellText ?? "", a["role"]?.cellText ?? "", a["reviewer"]?.cellText ?? "",
                                           a["reviewer_name"]?.cellText ?? "", a["subject"]?.cellText ?? "",
                                           a["unit"]?.cellText ?? "", day(a["due_at"])])
                    }
                    let shown = items.count < n ? " (the first \(items.count))" : ""
                    throw CLIFailure(message: "kinerjactl: cycle \(error.parameters["cycle"]?.cellText ?? cycle) not closed: "
                                         + "\(n) required assignments are still open\(shown):\n" + table.render()
                                         + "\nhint: wait for them, or close anyway with --force --reason TEXT (the reason is recorded)",
                                     status: CLIExit.varlinkError)
                } catch {
                    throw connection.mapped(error)
                }
                Output(options: global).emit(reply) {
                    print(reply["message"]?.stringValue ?? "")
                    let counts = reply["predikat"]?.objectValue ?? [:]
                    let order = ["sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"]
                    print("  predikat: " + order.map { "\($0) \(counts[$0]?.cellText ?? "0")" }.joined(separator: ", "))
                }
            }
        }
    }
}

/// `YYYY-MM-DD` of an ISO time value.
func day(_ value: JSONValue?) -> String {
    guard let s = value?.stringValue else { return "-" }
    return String(s.prefix(10))
}

/// `97.1%`.
func percent(_ part: JSONValue?, of whole: JSONValue?) -> String {
    guard let p = part?.doubleValue, let w = whole?.doubleValue, w > 0 else { return "-" }
    return String(format: "%.1f%%", p * 100 / w)
}
