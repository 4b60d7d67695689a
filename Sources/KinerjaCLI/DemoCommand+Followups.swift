import Foundation
import KinerjaDemo
import KinerjaDomain
import Varlink

extension DemoCommand.Load {
    /// One line of `followups.csv` (see `DemoCSV.followups`): a follow-up the data set plans, with the
    /// outcome its atasan records (none when `heldOn` is nil).
    struct PlannedFollowup: Sendable, Hashable {
        var line: Int
        var nip: String
        var rule: String
        var period: String
        var heldOn: String?
        var action: String
        var note: String
        var nextCheck: String?
    }

    /// The planned follow-ups of a data set; none when it has no `followups.csv` (written before the
    /// demo planned follow-ups). A file that cannot be read names the file, line and column.
    static func followupPlan(_ file: String) throws -> [PlannedFollowup] {
        guard FileManager.default.fileExists(atPath: file) else { return [] }
        let document: CSVDocument
        do {
            document = try CSVParser.parse(try String(contentsOfFile: file, encoding: .utf8))
        } catch {
            throw CLIFailure(message: "kinerjactl: \(file) is unreadable: \(error)", status: CLIExit.noInput)
        }
        let header = document.header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        let expected = DemoCSV.followupHeader.split(separator: ",").map(String.init)
        guard header == expected else {
            throw CLIFailure(message: "kinerjactl: \(file), line 1: the columns are \(header.joined(separator: ",")), expected "
                                 + DemoCSV.followupHeader, status: CLIExit.noInput)
        }
        return try document.records.map { record in
            guard record.fields.count == expected.count else {
                throw CLIFailure(message: "kinerjactl: \(file), line \(record.line): \(record.fields.count) fields, expected \(expected.count)",
                                 status: CLIExit.noInput)
            }
            let f = record.fields
            return PlannedFollowup(line: record.line, nip: f[0], rule: f[1], period: f[2], heldOn: f[4].isEmpty ? nil : f[4],
                                   action: f[5], note: f[6], nextCheck: f[7].isEmpty ? nil : f[7])
        }
    }

    /// What recording a period's planned outcomes came to.
    struct FollowupRecording {
        var recorded = 0
        var notHeld = 0
        /// Planned follow-ups whose task never appeared (NIP and rule).
        var missing: [String] = []
        /// Outcomes dated after today, not recorded.
        var future = 0

        var summary: String {
            var text = "follow-ups: \(recorded) outcome(s) recorded, \(notHeld) left never held"
            if future > 0 { text += ", \(future) dated after today not recorded" }
            if !missing.isEmpty {
                text += "; warning: no task for \(missing.count) planned follow-up(s) (\(missing.prefix(5).joined(separator: ", "))"
                    + (missing.count > 5 ? ", …" : "") + "), is followup.min_severity above warning?"
            }
            return text
        }
    }

    /// After the close that creates the planned follow-ups' tasks: waits (up to `patience`) until the
    /// motivation analysis that the close started has created them, then records each planned outcome
    /// with `RecordFollowup`, the same method as `kinerjactl followups record` and the atasan's page.
    /// `today` (YYYY-MM-DD in the data set's zone): an outcome dated later is left out.
    static func recordFollowups(_ planned: [PlannedFollowup], connection: ControlConnection, today: String,
                                patience: Duration = .seconds(120)) async throws -> FollowupRecording {
        var result = FollowupRecording()
        guard !planned.isEmpty else { return result }
        let wanted = Set(planned.map { "\($0.nip)/\($0.rule)" })
        var tasks: [String: (id: Int64, status: String)] = [:]
        let clock = ContinuousClock(), deadline = clock.now + patience
        while true {
            tasks = [:]
            try await connection.stream("io.kinerjad.Admin.ListFollowups", ["status": "all", "limit": .int(100_000)]) { reply, _ in
                for f in reply["followups"]?.arrayValue ?? [] {
                    guard let nip = f["nip"]?.stringValue, let rule = f["rule"]?.stringValue, let id = f["id"]?.intValue else { continue }
                    tasks["\(nip)/\(rule)"] = (id, f["status"]?.stringValue ?? "")
                }
            }
            if wanted.isSubset(of: Set(tasks.keys)) || clock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        for p in planned {
            guard let task = tasks["\(p.nip)/\(p.rule)"] else {
                result.missing.append("\(p.nip) \(p.rule)")
                continue
            }
            guard let heldOn = p.heldOn else {
                result.notHeld += 1
                continue
            }
            guard heldOn <= today else {
                result.future += 1
                continue
            }
            guard FollowupStatus(rawValue: task.status)?.awaitsOutcome ?? false else { continue }
            var params: [String: JSONValue] = ["id": .int(task.id), "held_on": .string(heldOn), "action": .string(p.action),
                                               "note": .string(p.note)]
            if let next = p.nextCheck { params["next_check"] = .string(next) }
            do {
                _ = try await connection.call("io.kinerjad.Admin.RecordFollowup", params)
            } catch let failure as CLIFailure {
                let reason = failure.message.hasPrefix("kinerjactl: ") ? String(failure.message.dropFirst(12)) : failure.message
                throw CLIFailure(message: "kinerjactl: followups.csv, line \(p.line): recording the outcome of follow-up \(task.id) "
                                     + "(\(p.nip), \(p.rule)) failed: \(reason)", status: failure.status)
            }
            result.recorded += 1
        }
        return result
    }
}
