import ArgumentParser
import Foundation
import KinerjaDomain
import Varlink

extension ReportCommand {
    /// `kinerjactl report followups [--since PERIOD] [--format table|csv|json]`.
    struct Followups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "followups",
            abstract: "What followed the follow-ups, per action agreed and unit, beside those never held.",
            discussion: """
                Per unit and action agreed (and for all units): follow-ups, held by the due date, median
                days to the dialog, the share whose flag's condition cleared within one and two closed
                periods, and the mean change of the perilaku mean and of the predikat (rank 0-4) from the
                period the task was made on to the next closed one; the row "not held" is the same for follow-ups
                never held. Cells smaller than followup.report_minimum show their count only. The bar is
                the share cleared within two periods. The figures describe what followed; they do not
                show that an action caused it.
                """)
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Option(name: .long, help: ArgumentHelp("Only follow-ups created since the start of this period (e.g. 2026-Q1).", valueName: "period"))
        var since: String?
        @Option(name: .long, help: ArgumentHelp("table, csv or json.", valueName: "format")) var format: Format = .table

        func run() async throws {
            try await runCommand {
                var params: [String: JSONValue] = [:]
                if let since { params["since"] = .string(since) }
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.FollowupReport", params)
                if global.json || format == .json {
                    print(JSONValue.object(reply).serializedString(.init(sortedKeys: true, prettyPrinted: true)))
                } else if format == .csv {
                    print(Followups.csv(reply), terminator: "")
                } else if !global.quiet {
                    print(Followups.table(reply))
                }
            }
        }

        static let labels = Dictionary(uniqueKeysWithValues: FollowupAgreedAction.allCases.map { ($0.rawValue, $0.label) })
            .merging([FollowupEffect.notHeld: "Tidak dilaksanakan"]) { a, _ in a }

        static func share(_ v: JSONValue?) -> String { v?.doubleValue.map { String(format: "%.0f%%", $0 * 100) } ?? "-" }
        static func signed(_ v: JSONValue?) -> String { v?.doubleValue.map { String(format: "%+.2f", $0) } ?? "-" }

        static func fields(_ c: JSONValue) -> [String] {
            let suppressed = c["suppressed"]?.boolValue == true
            func figure(_ s: String) -> String { suppressed ? "·" : s }
            return [c["unit"]?.stringValue ?? "Semua unit", labels[c["group"]?.stringValue ?? ""] ?? c["group"]?.cellText ?? "",
                    c["flags"]?.cellText ?? "0", figure(c["held_on_time"]?.cellText ?? "-"),
                    figure(c["median_days"]?.doubleValue.map { String(format: "%.1f", $0) } ?? "-"),
                    figure(share(c["cleared_within_one"])), figure(share(c["cleared_within_two"])),
                    figure(signed(c["mean_perilaku_change"])), figure(signed(c["mean_predikat_change"]))]
        }

        static let headers = ["UNIT", "ACTION", "FOLLOW-UPS", "ON TIME", "MEDIAN DAYS", "CLEARED ≤1", "CLEARED ≤2", "Δ PERILAKU", "Δ PREDIKAT"]

        static func table(_ reply: [String: JSONValue]) -> String {
            let cells = reply["cells"]?.arrayValue ?? []
            guard !cells.isEmpty else { return "No follow-ups" + (reply["since"]?.stringValue.map { " since \($0)" } ?? "") + "." }
            var table = Table(headers: headers + [""], numeric: [2, 3, 4, 5, 6, 7, 8])
            for c in cells {
                let bar = c["cleared_within_two"]?.doubleValue.map { v in
                    let filled = Int((v * 20).rounded())
                    return String(repeating: "█", count: filled) + String(repeating: "·", count: 20 - filled)
                } ?? ""
                table.rows.append(fields(c) + [bar])
            }
            let minimum = reply["minimum"]?.cellText ?? "?"
            return [
                "Follow-ups" + (reply["since"]?.stringValue.map { " created since the start of \($0)" } ?? ", all") + ":", "",
                table.render(), "",
                "· : fewer than \(minimum) follow-ups in the cell; only the count is shown.",
                "The bar is CLEARED ≤2: the share whose condition cleared within two closed periods.",
                "These figures describe what followed each kind of action; they do not show that the action caused it.",
            ].joined(separator: "\n")
        }

        static func csv(_ reply: [String: JSONValue]) -> String {
            var out = CSVWriter.spreadsheetLine(["unit", "group", "follow_ups", "suppressed", "held_on_time", "median_days", "cleared_within_one",
                                                 "cleared_within_two", "mean_perilaku_change", "mean_predikat_change"]) + "\n"
            for c in reply["cells"]?.arrayValue ?? [] {
                let keys = ["median_days", "cleared_within_one", "cleared_within_two", "mean_perilaku_change", "mean_predikat_change"]
                out += CSVWriter.spreadsheetLine([c["unit"]?.stringValue ?? "", c["group"]?.stringValue ?? "", c["flags"]?.cellText ?? "0",
                                                  c["suppressed"]?.boolValue == true ? "yes" : "no",
                                                  c["held_on_time"]?.intValue.map(String.init) ?? ""]
                                                 + keys.map { c[$0]?.doubleValue.map { String($0) } ?? "" }) + "\n"
            }
            return out
        }
    }
}
