import ArgumentParser
import Foundation
import KinerjaDomain
import Varlink

/// `kinerjactl followups`: follow-up tasks for the atasan of flagged employees.
struct FollowupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "followups",
        abstract: "Follow-up tasks: list, show, record the outcome of a dialog (admin only).",
        discussion: """
            A flag at or above followup.min_severity becomes one task for the employee's atasan (or
            Plt/Plh, or the appraiser named in config), due followup.due_after later. The atasan is
            mailed a personal link to record the outcome; an admin can record it here instead. A task
            goes open → held → closed (at its next check date), or overdue → escalated (the unit head
            and the BKPSDM digest are told).

            Examples:
              kinerjactl followups --status overdue
              kinerjactl followups show 7
              kinerjactl followups record 7 --held-on 2026-12-03 --action mentoring --note "mentor: Ibu Rina" --next-check 2027-03-01
            """,
        subcommands: [List.self, Show.self, Record.self, Catalogue.self],
        defaultSubcommand: List.self)

    static let statuses = FollowupStatus.allCases.map(\.rawValue) + ["awaiting", "all"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List follow-ups, soonest due first (the default: those awaiting an outcome).",
            discussion: "--json prints an array of follow-up objects (id, flag_id, nip, appraiser_nip, status, due_date, …).")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Option(name: .long, help: ArgumentHelp("open, held, closed, overdue, escalated, awaiting (the default) or all.", valueName: "status"))
        var status: String?
        @Option(name: .long, help: ArgumentHelp("Only this unit.", valueName: "unit")) var unit: String?
        @Option(name: .long, help: ArgumentHelp("Only those this atasan holds.", valueName: "nip")) var appraiser: String?
        @Option(name: .long, help: ArgumentHelp("Only those about this employee.", valueName: "nip")) var nip: String?
        @Option(name: .long, help: "Most rows shown.") var limit = 1000

        func validate() throws {
            if let status, !FollowupsCommand.statuses.contains(status.lowercased()) {
                throw ValidationError("unknown status '\(status)'; expected one of \(FollowupsCommand.statuses.joined(separator: ", "))")
            }
            guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 100000") }
        }

        func run() async throws {
            try await runCommand {
                var params: [String: JSONValue] = ["limit": .int(Int64(limit))]
                for (key, value) in [("status", status), ("unit", unit), ("appraiser", appraiser), ("nip", nip)] {
                    if let value { params[key] = .string(value) }
                }
                let printer = ListPrinter(
                    options: global, headers: ["ID", "STATUS", "DUE", "NIP", "NAME", "UNIT", "ATASAN", "RULE", "RECOMMENDED"]
                ) { f in
                    [f["id"]?.cellText ?? "-", f["status"]?.cellText ?? "-", f["due_date"]?.cellText ?? "-", f["nip"]?.cellText ?? "-",
                     f["name"]?.cellText ?? "-", f["unit"]?.cellText ?? "-",
                     f["appraiser_name"]?.cellText ?? f["appraiser_nip"]?.cellText ?? "-", f["rule"]?.cellText ?? "-",
                     f["recommendation"]?.cellText ?? "-"]
                }
                var total = 0
                try await ControlConnection(options: global).stream("io.kinerjad.Admin.ListFollowups", params) { reply, _ in
                    total = Int(reply["total"]?.intValue ?? 0)
                    printer.add(reply["followups"]?.arrayValue ?? [])
                }
                printer.finish(empty: "No follow-ups match.")
                if !global.json && !global.quiet && total > printer.count {
                    print("\n\(printer.count) of \(total) follow-ups shown (--limit).")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a follow-up: what was seen, the recommendation, the outcome and the history.")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("The follow-up's id.", valueName: "id")) var id: Int64

        func run() async throws {
            try await runCommand {
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.ShowFollowup", ["id": .int(id)])
                Output(options: global).emit(reply) { print(FollowupsCommand.describe(reply)) }
            }
        }
    }

    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the outcome of a follow-up: when the dialog was held and what was agreed (admin only).")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("The follow-up's id.", valueName: "id")) var id: Int64
        @Option(name: .long, help: ArgumentHelp("The day the dialog was held (YYYY-MM-DD).", valueName: "date")) var heldOn: String
        @Option(name: .long, help: ArgumentHelp("What was agreed: \(FollowupAgreedAction.spellings).", valueName: "action"))
        var action: String
        @Option(name: .long, help: "A short note (at most 500 characters).") var note = ""
        @Option(name: .long, help: ArgumentHelp("The day to check again (YYYY-MM-DD, after --held-on).", valueName: "date"))
        var nextCheck: String?

        func run() async throws {
            try await runCommand {
                var params: [String: JSONValue] = ["id": .int(id), "held_on": .string(heldOn), "action": .string(action), "note": .string(note)]
                if let nextCheck { params["next_check"] = .string(nextCheck) }
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.RecordFollowup", params)
                let f = reply["followup"] ?? .null
                Output(options: global).emit(f) {
                    print("Follow-up \(f["id"]?.cellText ?? "?") (\(f["nip"]?.cellText ?? "?")) is now \(f["status"]?.cellText ?? "?").")
                }
            }
        }
    }

    static func describe(_ reply: [String: JSONValue]) -> String {
        let f = reply["followup"] ?? .null
        func v(_ key: String) -> String { f[key]?.cellText ?? "-" }
        var lines = [
            "Follow-up \(v("id")) (flag \(v("flag_id")), \(v("rule")), \(v("severity"))): \(v("status"))",
            "  employee:     \(v("name")) (\(v("nip"))), unit \(v("unit"))",
            "  atasan:       \(v("appraiser_name")) (\(v("appraiser_nip")), \(v("appraiser_source")))",
            "  recommended:  \(v("recommendation")), due \(v("due_date"))",
            "  seen:         \(v("seen"))",
        ]
        if f["held_on"]?.stringValue != nil {
            lines.append("  held on:      \(v("held_on")): \(v("action")); next check \(v("next_check")); recorded by \(v("recorded_by")) via \(v("recorded_via"))")
            lines.append("  note:         \(v("note"))")
        }
        for t in reply["trainings"]?.arrayValue ?? [] {
            lines.append("  training:     \(t["title"]?.cellText ?? "") (\(t["code"]?.cellText ?? ""), \(t["mode"]?.cellText ?? ""), "
                         + "\(t["hours"]?.cellText ?? "") JP): \(t["reason"]?.cellText ?? "")"
                         + (t["attended_on"]?.stringValue.map { "; attended \($0)" } ?? ""))
        }
        lines.append("History:")
        for e in reply["events"]?.arrayValue ?? [] {
            lines.append("  \(e["at"]?.cellText ?? "?")  \(e["action"]?.cellText ?? "?")  \(e["actor"]?.cellText ?? "?")"
                         + (e["note"]?.stringValue.map { "  \($0)" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}

extension FollowupsCommand {
    struct Catalogue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the training catalogue with a CSV file (admin only).",
            discussion: """
                Columns: code, title, provider, mode (klasikal, e-learning, coaching), hours (JP), builds
                (BerAKHLAK values or competencies, separated by ;). A file with problems changes nothing;
                each problem names its line and field. Follow-ups about stalled development or recommending
                training get the courses that build the employee's weakest values.

                Example line: KOM-01,Komunikasi Efektif,BPSDM Jabar,klasikal,16,Kolaboratif;Harmonis
                """)
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("The CSV file.", valueName: "file")) var file: String
        @Flag(name: .long, help: "Only check the file.") var dryRun = false

        func run() async throws {
            try await runCommand {
                let document = try CSVParser.parse(try String(contentsOfFile: file, encoding: .utf8))
                func record(_ r: CSVRecord) -> JSONValue {
                    .object(["line": .int(Int64(r.line)), "fields": .array(r.fields.map { .string($0) })])
                }
                let reply = try await ControlConnection(options: global).call(
                    "io.kinerjad.Admin.ImportTrainingCatalogue",
                    ["header": record(document.header), "records": .array(document.records.map(record)), "dry_run": .bool(dryRun)])
                Output(options: global).emit(reply) {
                    print("\(reply["courses"]?.cellText ?? "0") course(s) " + (dryRun ? "checked; nothing changed." : "in the training catalogue."))
                }
            }
        }
    }
}
