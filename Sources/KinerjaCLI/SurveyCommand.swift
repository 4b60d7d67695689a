import ArgumentParser
import Foundation
import Varlink

/// `kinerjactl survey link`.
struct SurveyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "survey",
        abstract: "Public satisfaction survey (SKM) links.",
        subcommands: [Link.self])

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
