import ArgumentParser
import Foundation
import KinerjaDomain
import Varlink

/// `kinerjactl flags`: low-motivation flags, their evidence and their life cycle.
struct FlagsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flags",
        abstract: "Low-motivation flags: list, show the evidence, acknowledge, resolve, dismiss, summary.",
        discussion: """
            The motivation-analysis job raises a flag when one of six rules holds for an employee
            (declining_trend, recognition_gap, disengaged, feedback_drop, stalled_development) or for
            a reviewer (perfunctory_reviewer), with the evidence and a recommended follow-up. A flag
            goes open → acknowledged → resolved or dismissed; each change records who, when and a note.
            When the pattern no longer holds the flag is marked "cleared" but stays until a person
            closes it; the list leaves such flags out unless --all.

            Examples:
              kinerjactl flags --unit DLHK --severity critical
              kinerjactl flags show 12
              kinerjactl flags ack 12 --note "dialog kinerja dijadwalkan 3 Des"
              kinerjactl flags resolve 12 --action dialog_kinerja --note "sudah dilakukan"
              kinerjactl --json flags --rule perfunctory_reviewer | jq -r '.[].nip'
            """,
        subcommands: [List.self, Show.self, Ack.self, Resolve.self, Dismiss.self, Summary.self],
        defaultSubcommand: List.self)

    static let ruleNames = MotivationRule.allCases.map(\.rawValue)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List flags, most severe first (the default: open and acknowledged ones).",
            discussion: "--json prints an array of flag objects (id, rule, nip, severity, status, unit, window, …); nip is the reviewer's for perfunctory_reviewer.")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Option(name: .long, help: ArgumentHelp("Only this unit.", valueName: "unit")) var unit: String?
        @Option(name: .long, help: ArgumentHelp("Only this rule: \(ruleNames.joined(separator: ", ")).", valueName: "rule"))
        var rule: String?
        @Option(name: .long, help: ArgumentHelp("open, acknowledged, resolved, dismissed, active (open and acknowledged; the default) or all.",
                                                valueName: "status"))
        var status: String?
        @Option(name: .long, help: ArgumentHelp("info, warning or critical.", valueName: "severity")) var severity: String?
        @Option(name: .long, help: ArgumentHelp("Only flags about this employee (or reviewer).", valueName: "nip")) var nip: String?
        @Flag(name: .long, help: "Also flags whose condition no longer holds (by default only those whose pattern still holds).")
        var all = false
        @Option(name: .long, help: "Most rows shown.") var limit = 1000

        func validate() throws {
            if let rule, !FlagsCommand.ruleNames.contains(rule.lowercased().replacingOccurrences(of: "-", with: "_")) {
                throw ValidationError("unknown rule '\(rule)'; expected one of \(FlagsCommand.ruleNames.joined(separator: ", "))")
            }
            if let severity, FlagSeverity(rawValue: severity.lowercased()) == nil {
                throw ValidationError("unknown severity '\(severity)'; expected info, warning or critical")
            }
            let statuses = FlagStatus.allCases.map(\.rawValue) + ["active", "all"]
            if let status, !statuses.contains(status.lowercased()) {
                throw ValidationError("unknown status '\(status)'; expected one of \(statuses.joined(separator: ", "))")
            }
            guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 100000") }
        }

        func run() async throws {
            try await runCommand {
                var params: [String: JSONValue] = ["limit": .int(Int64(limit))]
                for (key, value) in [("unit", unit), ("rule", rule), ("status", status), ("severity", severity), ("nip", nip)] {
                    if let value { params[key] = .string(value) }
                }
                let printer = ListPrinter(
                    options: global, headers: ["ID", "SEVERITY", "STATUS", "RULE", "NIP", "NAME", "UNIT", "WINDOW", "FOLLOW-UP"]
                ) { f in
                    var status = f["status"]?.cellText ?? "-"
                    if f["condition_cleared"]?.boolValue == true { status += " (cleared)" }
                    return [
                        f["id"]?.cellText ?? "-", f["severity"]?.cellText ?? "-", status, f["rule"]?.cellText ?? "-",
                        f["nip"]?.cellText ?? "-", f["name"]?.cellText ?? "-", f["unit"]?.cellText ?? "-",
                        FlagsCommand.window(f), f["follow_up"]?.cellText ?? "-",
                    ]
                }
                if all { params["include_cleared"] = .bool(true) }
                var total = 0, hidden = 0
                try await ControlConnection(options: global).stream("io.kinerjad.Admin.ListFlags", params) { reply, _ in
                    total = Int(reply["total"]?.intValue ?? 0)
                    hidden = Int(reply["hidden_cleared"]?.intValue ?? 0)
                    printer.add(reply["flags"]?.arrayValue ?? [])
                }
                printer.finish(empty: "No flags match.")
                if !global.json && !global.quiet && hidden > 0 {
                    print("\n\(hidden) flag(s) whose condition no longer holds not shown; --all shows them.")
                }
                if !global.json && !global.quiet && total > printer.count {
                    print("\n\(printer.count) of \(total) flags shown (--limit).")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a flag: why it was raised (explanation, numbers, thresholds, a sparkline) and its history.")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("The flag's id.", valueName: "id")) var id: Int64

        func run() async throws {
            try await runCommand {
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.ShowFlag", ["id": .int(id)])
                Output(options: global).emit(reply) { print(FlagsCommand.describe(reply)) }
            }
        }
    }

    struct Ack: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ack", abstract: "Acknowledge an open flag: someone is working on it (admin only).")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("The flag's id.", valueName: "id")) var id: Int64
        @Option(name: .long, help: "What was seen or planned (required; recorded with your user name).") var note: String

        func run() async throws {
            try await FlagsCommand.change("io.kinerjad.Admin.AckFlag", ["id": .int(id), "note": .string(note)], global: global)
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resolve a flag: a follow-up was done (admin only).")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("The flag's id.", valueName: "id")) var id: Int64
        @Option(name: .long, help: ArgumentHelp("What was done: \(FlagResolution.spellings).", valueName: "action"))
        var action: String
        @Option(name: .long, help: "How it went (required; recorded with your user name).") var note: String

        func validate() throws {
            guard FlagResolution(parsing: action) != nil else {
                throw ValidationError("unknown action '\(action)'; expected one of \(FlagResolution.spellings)")
            }
        }

        func run() async throws {
            try await FlagsCommand.change("io.kinerjad.Admin.ResolveFlag",
                                          ["id": .int(id), "action": .string(action), "note": .string(note)], global: global)
        }
    }

    struct Dismiss: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dismiss a flag that is not a real problem (admin only).")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("The flag's id.", valueName: "id")) var id: Int64
        @Option(name: .long, help: "Why (required; recorded with your user name).") var note: String

        func run() async throws {
            try await FlagsCommand.change("io.kinerjad.Admin.DismissFlag", ["id": .int(id), "note": .string(note)], global: global)
        }
    }

    struct Summary: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count open and acknowledged flags per unit and rule.",
            discussion: "Columns per rule count open and acknowledged flags; CLEARED counts those whose condition no longer holds; CLOSED resolved and dismissed ones.")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions

        func run() async throws {
            try await runCommand {
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.FlagSummary")
                let counts = reply["counts"]?.arrayValue ?? []
                Output(options: global).emit(.array(counts)) { print(FlagsCommand.summaryTable(counts)) }
            }
        }
    }

    static func change(_ method: String, _ params: [String: JSONValue], global: GlobalOptions) async throws {
        try await runCommand {
            let reply = try await ControlConnection(options: global).call(method, params)
            let flag = reply["flag"] ?? .null
            Output(options: global).emit(flag) {
                print("Flag \(flag["id"]?.cellText ?? "?") (\(flag["rule"]?.cellText ?? "?"), \(flag["nip"]?.cellText ?? "?")) "
                      + "is now \(flag["status"]?.cellText ?? "?").")
            }
        }
    }

    static func window(_ f: JSONValue) -> String {
        let start = f["window_start"]?.stringValue ?? "?", end = f["window_end"]?.stringValue ?? "?"
        return start == end ? start : "\(start)..\(end)"
    }

    static let shortRule = ["declining_trend": "DECLINE", "recognition_gap": "GAP", "disengaged": "DISENG",
                            "feedback_drop": "FEEDBACK", "stalled_development": "STALLED", "perfunctory_reviewer": "PERFUNCT"]

    static func summaryTable(_ counts: [JSONValue]) -> String {
        guard !counts.isEmpty else { return "No flags yet." }
        var units: [String: [String: (active: Int64, cleared: Int64, closed: Int64)]] = [:]
        for c in counts {
            let unit = c["unit"]?.stringValue ?? "-", rule = c["rule"]?.stringValue ?? "?"
            let active = (c["open"]?.intValue ?? 0) + (c["acknowledged"]?.intValue ?? 0)
            let closed = (c["resolved"]?.intValue ?? 0) + (c["dismissed"]?.intValue ?? 0)
            units[unit, default: [:]][rule] = (active, c["cleared"]?.intValue ?? 0, closed)
        }
        var table = Table(headers: ["UNIT"] + ruleNames.map { shortRule[$0]! } + ["ACTIVE", "CLEARED", "CLOSED"],
                          numeric: Set(1...(ruleNames.count + 3)))
        var totals = [Int64](repeating: 0, count: ruleNames.count + 3)
        for unit in units.keys.sorted() {
            let row = units[unit]!
            var cells = ruleNames.map { row[$0]?.active ?? 0 }
            cells += [cells.reduce(0, +), row.values.reduce(0) { $0 + $1.cleared }, row.values.reduce(0) { $0 + $1.closed }]
            for i in cells.indices { totals[i] += cells[i] }
            table.rows.append([unit] + cells.map(String.init))
        }
        table.rows.append(["TOTAL"] + totals.map(String.init))
        let legend = ruleNames.map { "\(shortRule[$0]!) \($0)" }.joined(separator: ", ")
        return table.render() + "\n\nRule columns count open and acknowledged flags: " + legend + "."
    }

    /// The readable form of `ShowFlag`: what, who, why (explanation, sparkline, thresholds), history.
    static func describe(_ reply: [String: JSONValue]) -> String {
        let f = reply["flag"] ?? .null, e = reply["evidence"] ?? .null
        var lines: [String] = []
        var status = f["status"]?.cellText ?? "?"
        if f["condition_cleared"]?.boolValue == true { status += ", condition cleared \(String((f["cleared_at"]?.stringValue ?? "").prefix(10)))" }
        lines.append("Flag \(f["id"]?.cellText ?? "?"): \(f["title"]?.cellText ?? "") (\(f["rule"]?.cellText ?? ""))")
        var pairs: [(String, String)] = [
            (f["rule"]?.stringValue == "perfunctory_reviewer" ? "Reviewer" : "Employee",
             [f["nip"]?.stringValue, f["name"]?.stringValue].compactMap { $0 }.joined(separator: " ")),
            ("Unit", f["unit"]?.cellText ?? "-"),
            ("Periods", window(f)),
            ("Severity", "\(f["severity"]?.cellText ?? "?") (ratio \(String(format: "%.2f", reply["ratio"]?.doubleValue ?? 0)) of the threshold)"),
            ("Status", status),
            ("Follow-up", "\(reply["follow_up_name"]?.cellText ?? "-") (\(f["follow_up"]?.cellText ?? "-"))"),
        ]
        let others = reply["concurrent_rules"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !others.isEmpty { pairs.append(("Also holds", others.joined(separator: ", "))) }
        if let resolution = f["resolution"]?.stringValue { pairs.append(("Resolved by", resolution)) }
        lines.append(keyValueLines(pairs))
        lines.append("")
        lines.append("Why: " + (e["explanation"]?.cellText ?? ""))
        lines.append("Mengapa: " + (e["penjelasan"]?.cellText ?? ""))
        let series = e["series"] ?? .null
        if let spark = series["sparkline"]?.stringValue {
            let periods = series["periods"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let values = (series["values"]?.arrayValue ?? []).map { $0.doubleValue.map { String(format: "%.2f", $0) } ?? "-" }
            lines.append("")
            lines.append("\(series["name"]?.cellText ?? "series") (\(series["lower"]?.cellText ?? "")–\(series["upper"]?.cellText ?? "")): "
                         + "\(periods.first ?? "") \(spark) \(periods.last ?? "")")
            if !values.isEmpty { lines.append("  " + zip(periods, values).map { "\($0) \($1)" }.joined(separator: ", ")) }
        }
        let comparisons = e["comparisons"]?.arrayValue ?? []
        if !comparisons.isEmpty {
            lines.append("")
            lines.append("Thresholds:")
            for c in comparisons {
                let relation = c["relation"]?.stringValue == "at_most" ? "≤" : "≥"
                let period = c["period"]?.stringValue.map { " \($0)" } ?? ""
                lines.append("  \(c["quantity"]?.cellText ?? "")\(period): \(number(c["observed"])) \(relation) "
                             + "\(number(c["threshold"])) (\(c["threshold_key"]?.cellText ?? ""))")
            }
        }
        let events = reply["events"]?.arrayValue ?? []
        if !events.isEmpty {
            lines.append("")
            lines.append("History:")
            for ev in events {
                var text = "  \(displayTime(ev["at"]))  \(ev["action"]?.cellText ?? "") by \(ev["actor"]?.cellText ?? "")"
                if let uid = ev["actor_uid"]?.intValue { text += " (uid \(uid))" }
                if let from = ev["from_severity"]?.stringValue, let to = ev["to_severity"]?.stringValue { text += ": \(from) → \(to)" }
                if let note = ev["note"]?.stringValue { text += ": \"\(note)\"" }
                lines.append(text)
            }
        }
        return lines.joined(separator: "\n")
    }

    static func number(_ value: JSONValue?) -> String {
        guard let d = value?.doubleValue else { return value?.cellText ?? "-" }
        return d == d.rounded() && abs(d) < 1e9 ? String(Int(d)) : String(format: "%.2f", d)
    }
}

/// The motivation flag columns of `kinerjactl report cycle` (the `flags` object of each unit).
extension FlagsCommand {
    static func reportCounts(_ unit: JSONValue) -> [String: Int64] {
        guard case .object(let flags)? = unit["flags"] else { return [:] }
        return flags.compactMapValues(\.intValue)
    }

    /// The unit's flags of all rules, or `-` when the daemon sent none.
    static func reportTotal(_ unit: JSONValue) -> String {
        unit["flags"] == nil ? "-" : String(reportCounts(unit).values.reduce(0, +))
    }

    /// Which rules the FLAGS column counts, per unit with any.
    static func reportLegend(_ units: [JSONValue]) -> String {
        let lines = units.compactMap { u -> String? in
            let counts = reportCounts(u)
            guard !counts.isEmpty, u["unit"]?.stringValue != "TOTAL" else { return nil }
            return "  \(u["unit"]?.cellText ?? "?"): " + ruleNames.compactMap { r in counts[r].map { "\(r) \($0)" } }.joined(separator: ", ")
        }
        return "FLAGS: low-motivation flags (not dismissed) whose periods overlap this cycle's"
            + (lines.isEmpty ? "; none." : ", by rule:\n" + lines.joined(separator: "\n"))
    }

    static var reportCSVHeader: [String] { ["flags"] + ruleNames.map { "flags_\($0)" } }

    static func reportCSVFields(_ unit: JSONValue) -> [String] {
        let counts = reportCounts(unit)
        return [String(counts.values.reduce(0, +))] + ruleNames.map { String(counts[$0] ?? 0) }
    }
}
