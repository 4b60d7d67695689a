import ArgumentParser
import Foundation
import KinerjaDomain
import Varlink

/// Streams a CSV file to the daemon in batches (a large file never has to fit in one message): the file
/// is read here with the same parser the daemon uses, its header starts an import, its records go in
/// batches (at most 2,000 records or 512 KiB of JSON per call, under the daemon's message limit;
/// a field is at most `CSVRecord.maxFieldBytes`, so a record alone always fits), and
/// the commit validates everything and applies it in one transaction, reporting progress through
/// Varlink `more` replies. A file that cannot be read at all is reported here, with line and column,
/// like the daemon reports problems; nothing is sent then.
struct ImportUploader {
    let options: GlobalOptions
    let progress: ProgressLine

    static let maxRecordsPerBatch = 2000
    static let maxBytesPerBatch = 512 << 10

    /// Imports `file` as `kind`; `keep` selects records (default all). Returns the summary.
    /// `commit` adds parameters to CommitImport (an employee import's `scope`, `allow_deactivate`).
    func run(kind: String, file: String, cycle: String? = nil, dryRun: Bool, commit: [String: JSONValue] = [:],
             keep: ((CSVRecord, [String]) -> Bool)? = nil) async throws -> [String: JSONValue] {
        let name = (file as NSString).lastPathComponent
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw CLIFailure(message: "kinerjactl: cannot read \(file): \(Self.reason(error))", status: CLIExit.noInput)
        }
        let document: CSVDocument
        do {
            document = try CSVParser.parse(bytes: data)
        } catch {
            throw CLIFailure(message: "\(name): nothing was imported; the file cannot be read:\n  \(error.description)",
                             status: CLIExit.varlinkError)
        }
        var records = document.records
        if let keep {
            records = records.filter { keep($0, document.header.fields) }
            // A selection that happens to be empty is not an import (an empty file still is refused).
            if records.isEmpty {
                return ["kind": .string(kind), "dry_run": .bool(dryRun), "records": .int(0)]
            }
        }

        // A field too large for the daemon is refused here with its place, before anything is staged
        // (sent, it would exceed the control socket's message limit).
        let oversized = records.lazy.compactMap { $0.oversizedField(columnNames: document.header.fields) }
        if let problem = oversized.first {
            throw CLIFailure(message: "\(name): nothing was imported; 1 problem:\n  \(problem.description)", status: CLIExit.varlinkError)
        }

        let connection = ControlConnection(options: options)
        let client = try await connection.connect()
        var importID: String?
        do {
            var begin: [String: JSONValue] = [
                "kind": .string(kind), "header": Self.json(document.header), "dry_run": .bool(dryRun),
                "expected_records": .int(Int64(records.count)),
            ]
            if let cycle { begin["cycle"] = .string(cycle) }
            let started = try await client.call("io.kinerjad.Admin.BeginImport", parameters: begin)
            let id = started["import_id"]?.stringValue ?? ""
            importID = id
            var sent = 0
            var batch: [JSONValue] = []
            var bytes = 0
            func flush() async throws {
                guard !batch.isEmpty else { return }
                _ = try await client.call("io.kinerjad.Admin.StageImport",
                                          parameters: ["import_id": .string(id), "records": .array(batch)])
                sent += batch.count
                batch.removeAll(keepingCapacity: true)
                bytes = 0
                progress.update("\(name): sending records \(ProgressLine.count(sent, of: records.count))")
            }
            for record in records {
                let json = Self.json(record)
                // Its size as sent (escapes included); a batch is sent before it would pass the bound.
                let size = json.serialized().count + 1
                guard size <= Self.maxBytesPerBatch else {
                    throw CLIFailure(message: "\(name): nothing was imported; 1 problem:\n  line \(record.line): the record takes "
                                         + "\(size) bytes to send, at most \(Self.maxBytesPerBatch)", status: CLIExit.varlinkError)
                }
                if !batch.isEmpty && bytes + size > Self.maxBytesPerBatch { try await flush() }
                batch.append(json)
                bytes += size
                if batch.count >= Self.maxRecordsPerBatch { try await flush() }
            }
            try await flush()
            var summary: [String: JSONValue] = [:]
            for try await reply in client.send(VarlinkCallMessage(method: "io.kinerjad.Admin.CommitImport",
                                                                  parameters: commit.merging(["import_id": .string(id)]) { $1 },
                                                                  more: true)) {
                if let error = reply.varlinkError { throw error }
                let phase = reply.parameters["phase"]?.stringValue ?? ""
                let done = Int(reply.parameters["done"]?.intValue ?? 0), total = Int(reply.parameters["total"]?.intValue ?? 0)
                progress.update("\(name): \(phase) \(ProgressLine.count(done, of: total))")
                if !reply.continues { summary = reply.parameters["summary"]?.objectValue ?? [:] }
            }
            importID = nil
            progress.clear()
            await client.close()
            return summary
        } catch {
            progress.clear()
            if let importID {
                _ = try? await client.call("io.kinerjad.Admin.AbortImport", parameters: ["import_id": .string(importID)])
            }
            await client.close()
            if let error = error as? VarlinkError, error.name == "io.kinerjad.Admin.InvalidInput" {
                let problems = error.parameters["problems"]?.arrayValue?.compactMap(\.stringValue) ?? []
                throw CLIFailure(message: "\(name): nothing was imported; \(Self.problemCount(problems)):\n"
                                     + problems.map { "  " + $0 }.joined(separator: "\n"),
                                 status: CLIExit.varlinkError)
            }
            throw connection.mapped(error)
        }
    }

    static func problemCount(_ problems: [String]) -> String {
        if let last = problems.last, last.hasPrefix("…"), let open = last.range(of: "("),
           let close = last.range(of: " in all)") {
            return String(last[open.upperBound..<close.lowerBound]) + " problems"
        }
        return problems.count == 1 ? "1 problem" : "\(problems.count) problems"
    }

    static func json(_ record: CSVRecord) -> JSONValue {
        .object(["line": .int(Int64(record.line)), "fields": .array(record.fields.map { .string($0) })])
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSCocoaErrorDomain, ns.code == NSFileReadNoSuchFileError { return "No such file or directory" }
        return ns.localizedDescription
    }

    /// One line describing an import summary.
    static func describe(_ s: [String: JSONValue], file: String) -> String {
        func n(_ key: String) -> Int { Int(s[key]?.intValue ?? 0) }
        let kind = s["kind"]?.stringValue ?? "?"
        let dry = s["dry_run"]?.boolValue ?? false
        var parts: [String] = []
        switch kind {
        case "employees", "units":
            parts = ["\(n("added")) new", "\(n("changed")) changed"]
            if kind == "employees" { parts += ["\(n("deactivated")) deactivated"] }
            parts += ["\(n("unchanged")) unchanged"]
            if n("units_added") > 0 { parts.append("\(n("units_added")) units added") }
        case "reviews":
            parts = ["\(n("added")) new", "\(n("replaced")) revised", "\(n("late")) late"]
        case "skm":
            parts = ["\(n("added")) responses", "\(n("replaced")) replaced"]
        case "training":
            parts = ["\(n("added")) new", "\(n("replaced")) already stored"]
        default:
            break
        }
        let verb = dry ? "dry run, nothing written: would import" : "imported"
        return "\(file): \(verb) \(n("records")) \(kind) records (" + parts.joined(separator: ", ") + ")"
    }
}
