import ArgumentParser
import Foundation
import KinerjaDomain
import Varlink

/// `kinerjactl reviews submit|import|list|overdue|override|link`.
struct ReviewsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reviews",
        abstract: "Submit, import and list 360 reviews.",
        discussion: """
            A review names its assignment by id, or by reviewer NIP, subject NIP and role (self, atasan,
            rekan, bawahan) in a cycle (default: the only open one). Scores are the seven BerAKHLAK values
            in order: berorientasi_pelayanan, akuntabel, kompeten, harmonis, loyal, adaptif, kolaboratif,
            each 1–5. The atasan also gives hasil_kerja: di_atas, sesuai or di_bawah. Rekan and bawahan
            scores are never shown per reviewer.
            """,
        subcommands: [Submit.self, Import.self, List.self, Overdue.self, Override.self, Link.self])

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Submit (or revise) one review.")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Option(name: .long, help: ArgumentHelp("The assignment's id.", valueName: "id")) var assignment: Int64?
        @Option(name: .long, help: ArgumentHelp("Cycle id or period (with --reviewer, --subject, --role).", valueName: "cycle"))
        var cycle: String?
        @Option(name: .long, help: ArgumentHelp("Reviewer NIP.", valueName: "nip")) var reviewer: String?
        @Option(name: .long, help: ArgumentHelp("Subject NIP.", valueName: "nip")) var subject: String?
        @Option(name: .long, help: ArgumentHelp("self, atasan, rekan or bawahan.", valueName: "role")) var role: String?
        @Option(name: .long, help: ArgumentHelp("Seven scores 1–5, comma-separated, in BerAKHLAK order.", valueName: "s1,…,s7"))
        var scores: String
        @Option(name: .long, help: ArgumentHelp("Optional comment.", valueName: "text")) var comment: String?
        @Option(name: .customLong("hasil-kerja"), help: ArgumentHelp("di_atas, sesuai or di_bawah (atasan only).", valueName: "rating"))
        var hasilKerja: String?
        @Option(name: .customLong("submitted-at"), help: ArgumentHelp("Submission time (ISO 8601); default now.", valueName: "time"))
        var submittedAt: String?

        func parsedScores() throws -> [Int] {
            let parts = scores.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 7, parts.allSatisfy({ $0 != nil && (1...5).contains($0!) }) else {
                throw ValidationError("--scores needs seven whole numbers 1–5 separated by commas, e.g. 4,4,5,4,4,3,4")
            }
            return parts.map { $0! }
        }

        func validate() throws {
            _ = try parsedScores()
            let key = [reviewer, subject, role].compactMap { $0 }
            guard assignment != nil || key.count == 3 else {
                throw ValidationError("name the assignment with --assignment ID, or with --reviewer, --subject and --role")
            }
            if !key.isEmpty && key.count != 3 { throw ValidationError("--reviewer, --subject and --role go together") }
        }

        func run() async throws {
            try await runCommand {
                var values: [String: JSONValue] = [:]
                for (v, s) in zip(BerAKHLAKValue.allCases, try parsedScores()) { values[v.rawValue] = .int(Int64(s)) }
                var params: [String: JSONValue] = ["scores": .object(values)]
                if let assignment { params["assignment_id"] = .int(assignment) }
                for (key, value) in [("cycle", cycle), ("reviewer", reviewer), ("subject", subject), ("role", role),
                                     ("comment", comment), ("hasil_kerja", hasilKerja), ("submitted_at", submittedAt)] {
                    if let value { params[key] = .string(value) }
                }
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.SubmitReview", params)
                Output(options: global).emit(reply) {
                    let a = reply["assignment"] ?? .null
                    let verb = reply["revised"]?.boolValue == true ? "Revised" : "Submitted"
                    print("\(verb) the \(a["role"]?.cellText ?? "") review of \(a["subject"]?.cellText ?? "") by "
                          + "\(a["reviewer"]?.cellText ?? "") (assignment \(a["id"]?.cellText ?? ""), cycle \(a["cycle"]?.cellText ?? ""))"
                          + (a["late"]?.boolValue == true ? "; after the due date \(displayTime(a["due_at"]))" : ""))
                }
            }
        }
    }

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a reviewer's personal link to the web form (or revoke it).",
            discussion: """
                Each call makes a new link and the reviewer's earlier link of that cycle stops working: the
                daemon keeps only a hash of it, so a link cannot be shown twice. It works until the cycle
                closes (or web.link_lifetime). The URL starts with web.public_base_url.
                """)
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Option(name: .long, help: ArgumentHelp("Reviewer NIP.", valueName: "nip")) var reviewer: String
        @Option(name: .long, help: ArgumentHelp("Cycle id or period (default: the only open one).", valueName: "cycle"))
        var cycle: String?
        @Flag(name: .long, help: "Revoke the reviewer's links of the cycle instead.") var revoke = false

        func run() async throws {
            try await runCommand {
                var params: [String: JSONValue] = ["reviewer": .string(reviewer), "revoke": .bool(revoke)]
                if let cycle { params["cycle"] = .string(cycle) }
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.ReviewLink", params)
                Output(options: global).emit(reply) {
                    if let url = reply["url"]?.stringValue {
                        print(url)
                    } else {
                        print("Revoked \(reply["revoked"]?.cellText ?? "0") link(s) of \(reviewer) in cycle \(reply["cycle"]?.cellText ?? "")")
                    }
                }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import reviews from a CSV file.",
            discussion: """
                Columns: assignment_id, or reviewer_nip, subject_nip and role; the seven BerAKHLAK scores;
                optional comment, hasil_kerja (atasan rows) and submitted_at (ISO 8601). The whole file
                is validated first; every problem is listed with its line, column and reason and then
                nothing is imported (exit 1).
                """)
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @OptionGroup var options: ImportCommand.FileOptions
        @Option(name: .long, help: ArgumentHelp("Cycle for rows named by NIPs and role (default: the only open one).",
                                                valueName: "cycle"))
        var cycle: String?

        func run() async throws {
            try await ImportCommand.run(kind: "reviews", options, global, cycle: cycle)
        }
    }

    struct ListOptions: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("Cycle id or period.", valueName: "cycle")) var cycle: String?
        @Option(name: .long, help: ArgumentHelp("Unit code.", valueName: "unit")) var unit: String?
        @Option(name: .long, help: ArgumentHelp("self, atasan, rekan or bawahan.", valueName: "role")) var role: String?
        @Option(name: .long, help: ArgumentHelp("Most rows shown (default 1000).", valueName: "n")) var limit: Int?

        func parameters() -> [String: JSONValue] {
            var params: [String: JSONValue] = [:]
            for (key, value) in [("cycle", cycle), ("unit", unit), ("role", role)] { if let value { params[key] = .string(value) } }
            if let limit { params["limit"] = .int(Int64(limit)) }
            return params
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List assignments and their reviews.")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @OptionGroup var filter: ListOptions
        @Option(name: .long, help: ArgumentHelp("Reviewer NIP.", valueName: "nip")) var reviewer: String?
        @Option(name: .long, help: ArgumentHelp("Subject NIP.", valueName: "nip")) var subject: String?
        @Option(name: .long, help: ArgumentHelp("submitted, open or overdue.", valueName: "status")) var status: String?

        func run() async throws {
            try await runCommand {
                var params = filter.parameters()
                for (key, value) in [("reviewer", reviewer), ("subject", subject), ("status", status)] {
                    if let value { params[key] = .string(value) }
                }
                try await ReviewsCommand.printAssignments("io.kinerjad.Admin.ListReviews", params, global: global,
                                                          empty: "No assignments match.")
            }
        }
    }

    struct Overdue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List open assignments past their due date, in open cycles.",
            discussion: "--unit filters on the reviewer's unit.")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @OptionGroup var filter: ListOptions
        @Option(name: .long, help: ArgumentHelp("Overdue at this time (ISO 8601); default now.", valueName: "time")) var at: String?

        func run() async throws {
            try await runCommand {
                var params = filter.parameters()
                if let at { params["at"] = .string(at) }
                try await ReviewsCommand.printAssignments("io.kinerjad.Admin.ListOverdue", params, global: global,
                                                          empty: "Nothing is overdue.")
            }
        }
    }

    struct Override: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the atasan's override of a perilaku rating (with the reason).")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("Cycle id or period.", valueName: "cycle")) var cycle: String
        @Argument(help: ArgumentHelp("Subject NIP.", valueName: "nip")) var nip: String
        @Option(name: .long, help: ArgumentHelp("di_atas, sesuai or di_bawah.", valueName: "rating")) var rating: String
        @Option(name: .long, help: ArgumentHelp("Why (required, recorded).", valueName: "text")) var reason: String

        func run() async throws {
            try await runCommand {
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.SetPerilakuOverride", [
                    "cycle": .string(cycle), "subject": .string(nip), "rating": .string(rating), "reason": .string(reason),
                ])
                Output(options: global).emit(reply) {
                    print("Perilaku rating of \(reply["subject"]?.cellText ?? "") in \(reply["cycle"]?.cellText ?? "") set to \(reply["rating"]?.cellText ?? "")")
                }
            }
        }
    }

    /// Streams the assignments `method` lists and prints them as they arrive.
    static func printAssignments(_ method: String, _ params: [String: JSONValue], global: GlobalOptions, empty: String) async throws {
        let printer = ListPrinter(
            options: global,
            headers: ["ID", "CYCLE", "ROLE", "REVIEWER", "REVIEWER NAME", "SUBJECT", "UNIT", "DUE", "SUBMITTED", "MEAN"],
            numeric: [0, 9]
        ) { a in
            var submitted = displayTime(a["submitted_at"])
            if a["late"]?.boolValue == true { submitted += " (late)" }
            if a["source"]?.stringValue == "web" { submitted += " (web)" }
            return [a["id"]?.cellText ?? "", a["cycle"]?.cellText ?? "", a["role"]?.cellText ?? "",
                    a["reviewer"]?.cellText ?? "", a["reviewer_name"]?.cellText ?? "", a["subject"]?.cellText ?? "",
                    a["unit"]?.cellText ?? "", day(a["due_at"]), submitted, a["mean"]?.cellText ?? "-"]
        }
        var total = 0
        try await ControlConnection(options: global).stream(method, params) { reply, _ in
            total = Int(reply["total"]?.intValue ?? 0)
            printer.add(reply["assignments"]?.arrayValue ?? [])
        }
        printer.finish(empty: empty)
        if !global.json && !global.quiet && total > printer.count { print("(\(printer.count) of \(total) shown; use --limit)") }
    }
}
