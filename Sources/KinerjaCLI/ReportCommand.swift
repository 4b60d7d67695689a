import ArgumentParser
import Foundation
import KinerjaDomain
import Varlink

/// `kinerjactl report cycle ID [--unit U] [--format table|csv|json]`.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Reports on cycles and follow-ups.", subcommands: [Cycle.self, Followups.self])

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    struct Cycle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Completion, predikat distribution per unit (with a bar chart), distribution breaches and IKM.",
            discussion: """
                The bar of each unit shows its predikat distribution (legend below the chart). Breaches are
                units whose share of a predikat exceeds the cap for their organisation's predikat
                (results.distribution). IKM and mutu come from the SKM responses of periods that overlap
                the cycle's period.
                """)
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("Cycle id or period.", valueName: "cycle")) var cycle: String
        @Option(name: .long, help: ArgumentHelp("Only this unit.", valueName: "unit")) var unit: String?
        @Option(name: .long, help: ArgumentHelp("table, csv or json.", valueName: "format")) var format: Format = .table

        func run() async throws {
            try await runCommand {
                var params: [String: JSONValue] = ["cycle": .string(cycle)]
                if let unit { params["unit"] = .string(unit) }
                var reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.CycleReport", params)
                // Who has no predikat and what changed during the cycle: for admins only; others see the counts.
                if let detail = try? await ControlConnection(options: global).call("io.kinerjad.Admin.ListWithoutPredikat", params) {
                    reply["without_predikat_list"] = detail["employees"]
                    reply["changes"] = detail["changes"]
                }
                if global.json || format == .json {
                    print(JSONValue.object(reply).serializedString(.init(sortedKeys: true, prettyPrinted: true)))
                } else if format == .csv {
                    print(ReportCommand.csv(reply), terminator: "")
                } else if !global.quiet {
                    print(ReportCommand.table(reply))
                }
            }
        }
    }

    static let order = Predikat.allCases.reversed().map(\.rawValue)
    static let short = ["sangat_baik": "SB", "baik": "B", "butuh_perbaikan": "BP", "kurang": "K", "sangat_kurang": "SK"]
    static let barGlyphs = ["sangat_baik": "█", "baik": "▓", "butuh_perbaikan": "▒", "kurang": "░", "sangat_kurang": "·"]

    static func counts(_ unit: JSONValue) -> [String: Int] {
        var result: [String: Int] = [:]
        for p in unit["predikat"]?.arrayValue ?? [] {
            if let name = p["predikat"]?.stringValue { result[name] = Int(p["count"]?.intValue ?? 0) }
        }
        return result
    }

    /// A bar of `width` cells split by predikat with largest remainders, so it always fills exactly.
    static func bar(_ counts: [String: Int], width: Int = 30) -> String {
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return String(repeating: " ", count: width) }
        let exact = order.map { Double(counts[$0] ?? 0) * Double(width) / Double(total) }
        var cells = exact.map { Int($0) }
        var left = width - cells.reduce(0, +)
        for i in exact.indices.sorted(by: { exact[$0] - Double(cells[$0]) > exact[$1] - Double(cells[$1]) }) where left > 0 {
            cells[i] += 1
            left -= 1
        }
        return zip(order, cells).map { String(repeating: barGlyphs[$0]!, count: $1) }.joined()
    }

    static func table(_ reply: [String: JSONValue]) -> String {
        let c = reply["cycle"] ?? .null
        let total = reply["total"] ?? .null
        var lines: [String] = []
        lines.append("Cycle \(c["period"]?.cellText ?? "") (\(c["kind"]?.cellText ?? ""), \(c["status"]?.cellText ?? "")): "
                     + "\(total["assignments"]?.cellText ?? "0") assignments, \(percent(total["submitted"], of: total["assignments"])) submitted, "
                     + "\(total["late"]?.cellText ?? "0") late; \(total["results"]?.cellText ?? "0") results")
        if c["forced"]?.boolValue == true { lines.append("Closed by force; reason: \(c["close_reason"]?.cellText ?? "")") }
        lines.append("")
        var table = Table(headers: ["UNIT", "EMPL", "DONE", "LATE"] + order.map { short[$0]! } + ["IKM", "MUTU", "FLAGS", "PREDIKAT DISTRIBUTION"],
                          numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9, 11])
        let units = (reply["units"]?.arrayValue ?? []) + [total]
        for u in units {
            let n = counts(u)
            table.rows.append([u["unit"]?.cellText ?? "", u["employees"]?.cellText ?? "", percent(u["submitted"], of: u["assignments"]),
                               u["late"]?.cellText ?? ""] + order.map { String(n[$0] ?? 0) }
                              + [u["ikm"]?.cellText ?? "-", u["mutu"]?.cellText ?? "-", FlagsCommand.reportTotal(u), bar(n)])
        }
        lines.append(table.render())
        lines.append("")
        lines.append("Legend: " + order.map { "\(barGlyphs[$0]!) \(short[$0]!) \(Predikat(rawValue: $0)!.name)" }.joined(separator: "  "))
        lines.append(FlagsCommand.reportLegend(units))
        lines.append("")
        lines += distributionLines(reply)
        lines += withoutPredikatLines(reply)
        let changes = reply["changes"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
        if !changes.isEmpty {
            lines.append("")
            lines.append("Changes during the cycle (transfers, departures, leave):")
            for c in changes { lines.append("  " + c) }
        }
        return lines.joined(separator: "\n")
    }

    /// Breaches, and which units were not checked and why: "no unit exceeds its caps" is said only
    /// of units that were checked.
    static func distributionLines(_ reply: [String: JSONValue]) -> [String] {
        var lines: [String] = []
        let breaches = reply["breaches"]?.arrayValue ?? []
        let unchecked = reply["caps_unchecked"]?.arrayValue ?? []
        let checked = Int(reply["caps_checked"]?.intValue ?? 0)
        if reply["cycle"]?["status"]?.stringValue != "closed" {
            lines.append("Distribution: not checked while the cycle is open (predikat come at close).")
        } else if !breaches.isEmpty {
            lines.append("Distribution breaches (\(breaches.count)):")
            for b in breaches { lines.append("  " + (b["message"]?.stringValue ?? "")) }
        } else if checked == 0 {
            lines.append("Distribution: no unit was checked against the caps.")
        } else {
            lines.append("Distribution: none of the \(checked) checked unit\(checked == 1 ? "" : "s") exceeds its caps.")
        }
        if !unchecked.isEmpty {
            lines.append("Not checked (\(unchecked.count)):")
            for u in unchecked { lines.append("  \(u["unit"]?.stringValue ?? ""): \(u["reason"]?.stringValue ?? "")") }
        }
        return lines
    }

    /// The count of employees without a predikat by reason, and for admins each of them.
    static func withoutPredikatLines(_ reply: [String: JSONValue]) -> [String] {
        guard let n = reply["without_predikat"]?.intValue, n > 0 else { return [] }
        var lines = ["", "Without a predikat: \(n)"]
        if let list = reply["without_predikat_list"]?.arrayValue {
            for e in list {
                lines.append("  \(e["nip"]?.stringValue ?? "") \(e["nama"]?.stringValue ?? "") (\(e["unit"]?.stringValue ?? "")): "
                             + (e["reason"]?.stringValue ?? ""))
            }
        } else {
            let reasons = reply["without_predikat_reasons"]?.objectValue ?? [:]
            for (code, count) in reasons.sorted(by: { $0.key < $1.key }) { lines.append("  \(code): \(count.cellText)") }
        }
        return lines
    }

    static func csv(_ reply: [String: JSONValue]) -> String {
        let header = ["unit", "name", "organisation_predikat", "employees", "assignments", "submitted", "late", "completion",
                      "results"] + order + ["ikm", "mutu", "respondents"] + FlagsCommand.reportCSVHeader
        var out = CSVWriter.spreadsheetLine(header) + "\n"
        for u in (reply["units"]?.arrayValue ?? []) + [reply["total"] ?? .null] {
            let n = counts(u)
            var fields = ["unit", "name", "organisation_predikat", "employees", "assignments", "submitted", "late"]
                .map { u[$0]?.cellText ?? "" }
            fields.append(String(format: "%.4f", u["completion"]?.doubleValue ?? 0))
            fields.append(u["results"]?.cellText ?? "0")
            fields += order.map { String(n[$0] ?? 0) }
            fields += [u["ikm"]?.doubleValue.map { String(format: "%.2f", $0) } ?? "", u["mutu"]?.stringValue ?? "",
                       u["respondents"]?.cellText ?? "0"]
            fields += FlagsCommand.reportCSVFields(u)
            out += CSVWriter.spreadsheetLine(fields) + "\n"
        }
        return out
    }
}

/// `kinerjactl employee NIP`: an employee and their history across periods.
struct EmployeeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "employee",
        abstract: "Show an employee: ratings, predikat, 360 means (self vs atasan) across periods, and training.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @Argument(help: ArgumentHelp("The employee's NIP.", valueName: "nip")) var nip: String

    func run() async throws {
        try await runCommand {
            let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.GetEmployee", ["nip": .string(nip)])
            Output(options: global).emit(reply) {
                let e = reply["employee"] ?? .null
                print(keyValueLines([
                    ("NIP", e["nip"]?.cellText ?? ""), ("Nama", e["nama"]?.cellText ?? ""), ("Jabatan", e["jabatan"]?.cellText ?? ""),
                    ("Unit", e["unit"]?.cellText ?? ""), ("Atasan", e["supervisor"]?.cellText ?? "-"),
                    ("Status", "\(e["status"]?.cellText ?? "")" + (e["aktif"]?.boolValue == false ? ", inactive" : "")),
                    ("Email", e["email"]?.cellText ?? "-"),
                ]))
                var history = Table(headers: ["PERIOD", "STATUS", "SELF", "ATASAN", "GAP", "REKAN", "BAWAHAN", "360", "PERILAKU",
                                              "HASIL", "PREDIKAT", "SELF-ASSESSMENT"], numeric: [2, 3, 4, 5, 6, 7])
                func mean(_ v: JSONValue?) -> String { v?.doubleValue.map { String(format: "%.2f", $0) } ?? "-" }
                for h in reply["history"]?.arrayValue ?? [] {
                    let gap = (h["self_mean"]?.doubleValue).flatMap { s in h["atasan_mean"]?.doubleValue.map { String(format: "%+.2f", s - $0) } } ?? "-"
                    func hidden(_ key: String, _ count: String) -> String {
                        if h[key]?.doubleValue != nil { return mean(h[key]) }
                        let n = h[count]?.intValue ?? 0
                        return n > 0 ? "(\(n) hidden)" : "-"
                    }
                    var rating = h["perilaku_rating"]?.cellText ?? "-"
                    if h["override_rating"]?.stringValue != nil { rating += " (override)" }
                    var selfState = h["self_submitted_at"]?.stringValue.map { String($0.prefix(10)) } ?? "missing"
                    if h["self_late"]?.boolValue == true && h["self_submitted_at"]?.stringValue != nil { selfState += " late" }
                    if h["status"]?.stringValue == "open" && h["self_submitted_at"]?.stringValue == nil { selfState = "open" }
                    history.rows.append([h["period"]?.cellText ?? "", h["status"]?.cellText ?? "", mean(h["self_mean"]),
                                         mean(h["atasan_mean"]), gap, hidden("rekan_mean", "rekan_count"),
                                         hidden("bawahan_mean", "bawahan_count"), mean(h["weighted_mean"]), rating,
                                         h["hasil_kerja"]?.cellText ?? "-", h["predikat"]?.cellText ?? "-", selfState])
                }
                print("")
                print(history.rows.isEmpty ? "No cycles yet." : history.render())
                let training = reply["training"]?.arrayValue ?? []
                print("")
                if training.isEmpty {
                    print("No training recorded.")
                } else {
                    var t = Table(headers: ["DATE", "HOURS", "COURSE"], numeric: [1])
                    for r in training {
                        t.rows.append([r["date"]?.cellText ?? "", r["hours"]?.doubleValue.map { String(format: "%g", $0) } ?? "",
                                       r["course"]?.cellText ?? ""])
                    }
                    print(t.render())
                }
            }
        }
    }
}
