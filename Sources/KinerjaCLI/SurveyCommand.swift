import ArgumentParser
import Foundation
import Varlink

/// `kinerjactl survey link`.
struct SurveyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "survey",
        abstract: "Public satisfaction survey (SKM) links and response counts.",
        subcommands: [Link.self, Stats.self])

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a unit's survey responses per day and source (web, import), and its IKM.",
            discussion: """
                A flood of answers through a survey link shows as one day with many web responses. Imported
                files count on the day of their import. Needs read access (counts only, no personal data).
                """)
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("The unit's code.", valueName: "unit")) var unit: String
        @Option(name: .long, help: ArgumentHelp("Period code (default: the current period of the first of cycles.kinds).",
                                                valueName: "period"))
        var period: String?

        func run() async throws {
            try await runCommand {
                var params: [String: JSONValue] = ["unit": .string(unit)]
                if let period { params["period"] = .string(period) }
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.SurveyStats", params)
                Output(options: global).emit(reply) { print(Self.text(reply)) }
            }
        }

        static func text(_ reply: [String: JSONValue]) -> String {
            var lines = ["\(reply["unit_name"]?.cellText ?? "") (\(reply["unit"]?.cellText ?? "")), period \(reply["period"]?.cellText ?? ""): "
                         + "\(reply["respondents"]?.cellText ?? "0") responses (\(reply["web"]?.cellText ?? "0") web, "
                         + "\(reply["import"]?.cellText ?? "0") imported); IKM \(reply["ikm"]?.cellText ?? "-"), mutu \(reply["mutu"]?.cellText ?? "-")"]
            let days = reply["days"]?.arrayValue ?? []
            if !days.isEmpty {
                var table = Table(headers: ["DAY", "WEB", "IMPORT", "TOTAL"], numeric: [1, 2, 3])
                for d in days {
                    table.rows.append(["day", "web", "import", "total"].map { d[$0]?.cellText ?? "" })
                }
                lines += ["", table.render()]
            }
            return lines.joined(separator: "\n")
        }
    }

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a unit's public survey link (or revoke it).",
            discussion: """
                Responses through the link count in the unit's IKM for the period, like imported ones. Each
                call makes a new link; the earlier one of that unit and period stops working.
                """)
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("The unit's code.", valueName: "unit")) var unit: String
        @Option(name: .long, help: ArgumentHelp("Period code (default: the current period of the first of cycles.kinds).",
                                                valueName: "period"))
        var period: String?
        @Flag(name: .long, help: "Revoke the unit's links of the period instead.") var revoke = false

        func run() async throws {
            try await runCommand {
                var params: [String: JSONValue] = ["unit": .string(unit), "revoke": .bool(revoke)]
                if let period { params["period"] = .string(period) }
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.SurveyLink", params)
                Output(options: global).emit(reply) {
                    if let url = reply["url"]?.stringValue {
                        print(url)
                    } else {
                        print("Revoked \(reply["revoked"]?.cellText ?? "0") link(s) of \(unit) for \(reply["period"]?.cellText ?? "")")
                    }
                }
            }
        }
    }
}
