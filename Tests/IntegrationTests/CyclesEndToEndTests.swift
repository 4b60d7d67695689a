import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// The whole cycle through the real daemon and kinerjactl (end to end): generate, import,
/// open, import and submit reviews, close (refused, then done), report; the results are checked
/// against a calculation written here, independent of the daemon's code.
@Suite("Cycles end to end", .serialized)
struct CyclesEndToEndTests {
    /// The default result policy (results.* in the reference config), restated here.
    static let weights = ["self": 0.1, "atasan": 0.5, "rekan": 0.2, "bawahan": 0.2]
    static let values = ["berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"]

    struct Expected {
        var weighted: Double?
        var predikat: String?
        var selfMean: Double?
        var atasanMean: Double?
    }

    /// The result of every subject from review rows, by the rules of docs/domain-rules.md.
    static func expectedResults(reviews: [[String: String]], subjects: [String]) -> [String: Expected] {
        var byRole: [String: [String: [Double]]] = [:]
        var hasil: [String: String] = [:]
        for r in reviews {
            let total = values.reduce(0.0) { $0 + Double(r[$1]!)! }
            byRole[r["subject_nip"]!, default: [:]][r["role"]!, default: []].append(total / 7)
            if r["role"] == "atasan" { hasil[r["subject_nip"]!] = r["hasil_kerja"] }
        }
        var result: [String: Expected] = [:]
        for s in subjects {
            var sum = 0.0, weight = 0.0
            var means: [String: Double] = [:]
            for (role, list) in byRole[s] ?? [:] {
                if (role == "rekan" || role == "bawahan") && list.count < 3 { continue }
                let mean = list.reduce(0, +) / Double(list.count)
                means[role] = mean
                sum += weights[role]! * mean
                weight += weights[role]!
            }
            let weighted = weight > 0 ? sum / weight : nil
            let perilaku = weighted.map { $0 + 1e-9 >= 4.25 ? "di_atas" : ($0 + 1e-9 >= 3.0 ? "sesuai" : "di_bawah") }
            var predikat: String?
            if let h = hasil[s], let p = perilaku {
                switch (h, p) {
                case ("di_atas", "di_atas"): predikat = "sangat_baik"
                case ("di_atas", "sesuai"), ("sesuai", "sesuai"), ("sesuai", "di_atas"): predikat = "baik"
                case ("di_atas", "di_bawah"), ("sesuai", "di_bawah"): predikat = "kurang"
                case ("di_bawah", "di_bawah"): predikat = "sangat_kurang"
                default: predikat = "butuh_perbaikan"
                }
            }
            result[s] = Expected(weighted: weighted, predikat: predikat, selfMean: means["self"], atasanMean: means["atasan"])
        }
        return result
    }

    @Test("generate, import, open twice, reviews, refused close, submit, close, report: results as calculated here")
    func wholeCycle() async throws {
        let daemon = try await DaemonHarness.start()
        let kit = CyclesKit(daemon: daemon)
        let dir = try TemporaryDirectory(prefix: "kinerja-e2e")
        let demo = dir.path("demo")
        let generated = try await kit.ctl(["demo", "generate", "--employees", "150", "--periods", "1", "--seed", "5",
                                           "--out", demo, "--first-period", "2025-Q1"])
        #expect(generated.status == .exited(0), "\(generated.standardErrorText)")
        let manifest = try JSONValue(parsing: String(contentsOfFile: demo + "/demo.json", encoding: .utf8))
        let opened = try #require(manifest["periods"]?[0]?["opened_at"]?.stringValue)

        #expect(try await kit.ctl(["import", "units", demo + "/units.csv"]).status == .exited(0))
        let employees = try await kit.ctl(["--json", "import", "employees", demo + "/employees.csv"])
        #expect(employees.status == .exited(0), "\(employees.standardErrorText)")
        #expect(try JSONValue(parsing: employees.standardOutputText)["added"]?.intValue == 150)

        let open = try await kit.ctl(["cycles", "open", "2025-Q1", "--opened-at", opened])
        #expect(open.status == .exited(0) && open.standardOutputText.contains("opened cycle 2025-Q1"))
        let again = try await kit.ctl(["cycles", "open", "2025-Q1"])
        #expect(again.status == .exited(0) && again.standardOutputText.contains("already exists"), "\(again.standardOutputText)")
        let status = try await kit.call("GetStatus")
        #expect(status["counts"]?["open_cycles"]?.intValue == 1)

        // Hold back one atasan review; import the rest.
        let text = try String(contentsOfFile: demo + "/reviews-2025-Q1.csv", encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let heldIndex = try #require(lines.firstIndex { $0.contains(",atasan,") })
        let held = TestCSV.records(lines[0] + "\n" + lines[heldIndex])[0]
        lines.remove(at: heldIndex)
        try lines.joined(separator: "\n").write(toFile: dir.path("reviews.csv"), atomically: true, encoding: .utf8)
        let imported = try await kit.ctl(["--json", "reviews", "import", dir.path("reviews.csv"), "--cycle", "2025-Q1"])
        #expect(imported.status == .exited(0), "\(imported.standardErrorText)")

        // Past the due date the held review is overdue, and closing is refused with it listed.
        let cycle = try await kit.call("GetCycle", ["cycle": "2025-Q1"])
        let due = try #require(cycle["cycle"]?["due_at"]?.stringValue)
        let overdue = try await kit.ctl(["--json", "reviews", "overdue", "--role", "atasan", "--at", "2099-01-01T00:00:00Z"])
        let overdueRows = try JSONValue(parsing: overdue.standardOutputText).arrayValue ?? []
        #expect(overdueRows.count == 1 && overdueRows.first?["reviewer"]?.stringValue == held["reviewer_nip"])
        #expect(overdueRows.first?["id"]?.intValue != nil)
        let refused = try await kit.ctl(["cycles", "close", "2025-Q1"])
        #expect(refused.status == .exited(1))
        #expect(refused.standardErrorText.contains("1 required assignments are still open"), "\(refused.standardErrorText)")
        #expect(refused.standardErrorText.contains(held["reviewer_nip"]!))

        // The atasan submits it late, by command.
        let scores = Self.values.map { held[$0]! }.joined(separator: ",")
        let submit = try await kit.ctl(["reviews", "submit", "--reviewer", held["reviewer_nip"]!, "--subject", held["subject_nip"]!,
                                        "--role", "atasan", "--scores", scores, "--hasil-kerja", held["hasil_kerja"]!,
                                        "--submitted-at", "2025-05-01T09:00:00+07:00"])
        #expect(submit.status == .exited(0), "\(submit.standardErrorText)")
        // Shown as the daemon wrote it, in cycles.time_zone: 2025-04-15T08:00:00+07:00 as 2025-04-15 08:00:00 +07:00.
        let shownDue = due.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "+", with: " +")
        #expect(submit.standardOutputText.contains("after the due date \(shownDue)"), "\(submit.standardOutputText)")

        let close = try await kit.ctl(["cycles", "close", "2025-Q1", "--closed-at", "2025-05-02T08:00:00+07:00"])
        #expect(close.status == .exited(0), "\(close.standardErrorText)")
        #expect(try await kit.call("GetStatus")["counts"]?["open_cycles"]?.intValue == 0)

        // Independent calculation.
        let people = TestCSV.records(try String(contentsOfFile: demo + "/employees.csv", encoding: .utf8))
        let active = people.filter { $0["aktif"] == "true" }
        let expected = Self.expectedResults(reviews: TestCSV.records(text), subjects: active.map { $0["nip"]! })
        for person in active {
            let e = try await kit.call("GetEmployee", ["nip": .string(person["nip"]!)])
            let h = try #require(e["history"]?[0], "\(person["nip"]!)")
            let want = expected[person["nip"]!]!
            #expect(h["predikat"]?.stringValue == want.predikat, "\(person["nip"]!)")
            if let w = want.weighted {
                #expect(abs((h["weighted_mean"]?.doubleValue ?? -1) - w) < 1e-9, "\(person["nip"]!)")
            } else {
                #expect(h["weighted_mean"] == nil)
            }
            if let s = want.selfMean { #expect(abs((h["self_mean"]?.doubleValue ?? -1) - s) < 1e-9) }
        }
        // The report's distribution per unit equals the one calculated here.
        let report = try await kit.ctl(["report", "cycle", "2025-Q1", "--format", "json"])
        #expect(report.status == .exited(0), "\(report.standardErrorText)")
        let json = try JSONValue(parsing: report.standardOutputText)
        for unit in json["units"]?.arrayValue ?? [] {
            let code = unit["unit"]!.stringValue!
            for p in unit["predikat"]?.arrayValue ?? [] {
                let want = active.filter { $0["unit_kerja"] == code && expected[$0["nip"]!]!.predikat == p["predikat"]!.stringValue }.count
                #expect(p["count"]?.intValue == Int64(want), "\(code) \(p["predikat"]!)")
            }
        }
        let reply = try await kit.call("CycleReport", ["cycle": "2025-Q1"])
        #expect(reply["total"]?["employees"]?.intValue == Int64(active.count))
        let table = try await kit.ctl(["report", "cycle", "2025-Q1"])
        #expect(table.standardOutputText.contains("Legend:") && table.standardOutputText.contains("TOTAL"))
        let csv = try await kit.ctl(["report", "cycle", "1", "--format", "csv", "--unit", "DISDIK"])
        let rows = TestCSV.records(csv.standardOutputText)
        #expect(rows.map { $0["unit"] } == ["DISDIK", "TOTAL"], "\(csv.standardOutputText)")

        let list = try await kit.ctl(["--json", "cycles", "list"])
        let cycles = try JSONValue(parsing: list.standardOutputText).arrayValue ?? []
        #expect(cycles.count == 1 && cycles[0]["id"]?.intValue == 1 && cycles[0]["status"]?.stringValue == "closed")
        let person = try await kit.ctl(["employee", held["subject_nip"]!])
        #expect(person.status == .exited(0) && person.standardOutputText.contains("2025-Q1"))
        _ = try await kit.call("ListReviews", ["subject": .string(held["subject_nip"]!)])
        _ = try await kit.call("ListCycles")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("demo load replays every period through the real paths; the planted patterns show in the results")
    func demoLoad() async throws {
        let daemon = try await DaemonHarness.start()
        let kit = CyclesKit(daemon: daemon)
        let dir = try TemporaryDirectory(prefix: "kinerja-demo")
        let demo = dir.path("demo")
        #expect(try await kit.ctl(["demo", "generate", "--employees", "200", "--periods", "3", "--seed", "3", "--out", demo,
                                   "--first-period", "2025-Q2"]).status == .exited(0))
        let load = try await kit.ctl(["demo", "load", demo])
        #expect(load.status == .exited(0), "\(load.standardErrorText)")
        let cycles = try await kit.call("ListCycles")["cycles"]?.arrayValue ?? []
        #expect(cycles.map { $0["period"]?.stringValue } == ["2025-Q4", "2025-Q3", "2025-Q2"])
        #expect(cycles.allSatisfy { $0["status"]?.stringValue == "closed" && $0["forced"]?.boolValue == false })
        let planted = TestCSV.records(try String(contentsOfFile: demo + "/planted.csv", encoding: .utf8))
        #expect(Set(planted.map { $0["rule"]! }).count == 6)
        func history(_ nip: String) async throws -> [JSONValue] {
            try await kit.call("GetEmployee", ["nip": .string(nip)])["history"]?.arrayValue ?? []
        }
        for p in planted {
            let h = try await history(p["nip"]!)
            switch p["rule"]! {
            case "declining_trend":
                let means = h.compactMap { $0["weighted_mean"]?.doubleValue }
                #expect(means.count == 3 && zip(means, means.dropFirst()).allSatisfy { $0 - $1 >= 0.25 }, "\(p) \(means)")
            case "recognition_gap":
                #expect(h.allSatisfy { ($0["self_mean"]?.doubleValue ?? 0) - ($0["atasan_mean"]?.doubleValue ?? 9) >= 0.75 }, "\(p)")
            case "disengaged":
                #expect(h.allSatisfy { $0["self_late"]?.boolValue == true }, "\(p)")
            case "feedback_drop":
                let rekan = h.map { $0["rekan_mean"]?.doubleValue }
                #expect(rekan[1] != nil && rekan[2] != nil && rekan[1]! - rekan[2]! >= 0.5, "\(p) \(rekan)")
            case "stalled_development":
                #expect(h.allSatisfy { $0["predikat"]?.stringValue == "butuh_perbaikan" }, "\(p)")
                #expect(try await kit.call("GetEmployee", ["nip": .string(p["nip"]!)])["training"]?.arrayValue?.isEmpty == true)
            case "perfunctory_reviewer":
                let given = try await kit.call("ListReviews", ["reviewer": .string(p["nip"]!), "role": "self"])
                #expect(given["assignments"]?.arrayValue?.allSatisfy { $0["mean"]?.doubleValue == 4 && $0["comment"] == nil } == true)
            default:
                Issue.record("unknown rule \(p)")
            }
        }
        // An unplanted employee without a planned follow-up: steady, self equal to atasan.
        let followups = TestCSV.records(try String(contentsOfFile: demo + "/followups.csv", encoding: .utf8))
        #expect(!followups.isEmpty, "three periods: the second close creates follow-ups")
        let planters = Set(planted.map { $0["nip"]! } + followups.map { $0["nip"]! })
        let people = TestCSV.records(try String(contentsOfFile: demo + "/employees.csv", encoding: .utf8))
        for person in people.prefix(40) where person["aktif"] == "true" && !planters.contains(person["nip"]!) {
            let h = try await history(person["nip"]!)
            let means = Set(h.compactMap { $0["weighted_mean"]?.doubleValue.map { ($0 * 1e6).rounded() } })
            #expect(means.count <= 1, "\(person["nip"]!) \(means)")
            #expect(h.allSatisfy { $0["self_late"]?.boolValue == false })
        }
        #expect(try await daemon.stop() == .exited(0))
    }
}
