import ArgumentParser
import Foundation
import KinerjaQR
import Varlink

/// `kinerjactl survey link|poster`.
struct SurveyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "survey",
        abstract: "Public satisfaction survey (SKM) links, posters and response counts.",
        subcommands: [Link.self, Poster.self, Stats.self])

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

    struct Poster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an A4 poster (SVG) inviting the public to a unit's survey, with a QR code of its link.",
            discussion: """
                The poster names the unit, says in Bahasa Indonesia what the survey is (anonymous, about two
                minutes) and carries a QR code of a new survey link of the unit and period, the link also
                written out. Making it is making a link, as `survey link` does: a poster or link made
                earlier for the same unit and period stops working, so make one poster per unit and period
                and copy it. The link is printed (--json: url, file, unit, unit_name, period).
                For a PDF: rsvg-convert -f pdf -o poster.pdf poster.svg (Debian's librsvg2-bin).
                """)
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("The unit's code.", valueName: "unit")) var unit: String
        @Option(name: .long, help: ArgumentHelp("Period code (default: the current period of the first of cycles.kinds).",
                                                valueName: "period"))
        var period: String?
        @Option(name: .long, help: ArgumentHelp("The SVG file to write (replaced if it exists).", valueName: "file"))
        var out: String
        @Option(name: .long, help: ArgumentHelp("Who runs the survey, on the poster's top band.", valueName: "text"))
        var issuer = "Pemerintah Kota Bandung"

        func validate() throws {
            guard out.lowercased().hasSuffix(".svg") else {
                throw ValidationError("--out \(out): the poster is an SVG file, name it ….svg "
                                      + "(for a PDF: rsvg-convert -f pdf -o poster.pdf poster.svg)")
            }
            guard !issuer.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--issuer: empty") }
        }

        func run() async throws {
            try await runCommand {
                // The file first: an unwritable --out fails before the daemon makes (and revokes) links.
                let file = try ReservedFile(out)
                let poster: SurveyPoster
                let reply: [String: JSONValue]
                do {
                    var params: [String: JSONValue] = ["unit": .string(unit), "revoke": .bool(false)]
                    if let period { params["period"] = .string(period) }
                    reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.SurveyLink", params)
                    guard let url = reply["url"]?.stringValue else {
                        throw CLIFailure(message: "kinerjactl: kinerjad made no survey link for \(unit)", status: CLIExit.varlinkError)
                    }
                    let qr: QRCode
                    do { qr = try QRCode(encoding: url, correction: .medium) } catch {
                        throw CLIFailure(message: "kinerjactl: the link \(url): \(error)", status: CLIExit.varlinkError)
                    }
                    poster = SurveyPoster(issuer: issuer, unitName: reply["unit_name"]?.stringValue ?? unit,
                                          period: reply["period"]?.stringValue ?? "", url: url, qr: qr)
                } catch {
                    file.discard()
                    throw error
                }
                try file.commit(poster.svg())
                var shown = reply
                shown["file"] = .string(out)
                shown.removeValue(forKey: "revoked")
                Output(options: global).emit(shown) {
                    print("Wrote the survey poster of \(poster.unitName) (\(unit)), \(poster.period), to \(out)")
                    print("Its link: \(poster.url)")
                    print("Posters and links made earlier for \(unit) and \(poster.period) no longer work.")
                }
            }
        }
    }
}
