import ArgumentParser
import Foundation
import KinerjaDomain
import Varlink

/// Streams a CSV file to the daemon in batches (a large file never has to fit in one message, nor in
/// kinerjactl's memory): the file is read twice, a piece at a time, with the same parser the daemon
/// uses. The first reading checks it and counts its records, keeping none: a file that cannot be read
/// at all is reported here, with line and column, like the daemon reports problems, and nothing is
/// sent then. The second reading sends its header to start an import and its records in batches (at
/// most 2,000 records or 512 KiB of JSON per call, under the daemon's message limit; a field is at most
/// `CSVRecord.maxFieldBytes`, so a record alone always fits), a few calls ahead of the daemon's
/// replies so that encoding here and checking there overlap. The commit validates everything and
/// applies it in one transaction, reporting progress through Varlink `more` replies. Should the
/// second reading fail (the file changed in between), the staged import is aborted: nothing is imported.
struct ImportUploader {
    let options: GlobalOptions
    let progress: ProgressLine

    static let maxRecordsPerBatch = 2000
    static let maxBytesPerBatch = 512 << 10
    /// StageImport calls sent and not yet answered, at most (the daemon answers a connection's calls
    /// in order, one at a time, and reads no more than a few ahead).
    static let callsAhead = 3
    /// Bytes read from the file at a time. A piece's records are held while it is cut into batches
    /// (about 14,000 review records, some 4 MiB of Swift values, for 1 MiB): 256 KiB keeps that near
    /// 1 MiB for the cost of a few hundred more `read` calls for a large file.
    static let readSize = 256 << 10

    /// Imports `file` as `kind`; `keep` selects records (default all). Returns the summary.
    /// `commit` adds parameters to CommitImport (an employee import's `scope`, `allow_deactivate`).
    func run(kind: String, file: String, cycle: String? = nil, dryRun: Bool, commit: [String: JSONValue] = [:],
             keep: ((CSVRecord, [String]) -> Bool)? = nil) async throws -> [String: JSONValue] {
        let name = (file as NSString).lastPathComponent
        // First reading: the header, the records to send, and the first field too large for the daemon
        // (refused here with its place, before anything is staged: sent, it would exceed the control
        // socket's message limit), reported only when the whole file can be read.
        // Opened once and read twice from the start; only a regular file can be (a pipe is read once).
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.cannotRead(file, errno) }
        defer { close(fd) }
        let before = try Self.identity(fd, file)
        guard before.regular else {
            throw CLIFailure(message: "kinerjactl: \(file) is not a regular file (a pipe or a device): an import reads its "
                                 + "file twice, to check all of it before anything is sent; save it to a file first",
                             status: CLIExit.noInput)
        }
        let (header, count, oversized) = try Self.check(fd, file, name: name, keep: keep)
        // A selection that happens to be empty is not an import (an empty file still is refused).
        if keep != nil && count == 0 {
            return ["kind": .string(kind), "dry_run": .bool(dryRun), "records": .int(0)]
        }
        if let problem = oversized {
            throw CLIFailure(message: "\(name): nothing was imported; 1 problem:\n  \(problem.description)", status: CLIExit.varlinkError)
        }

        let connection = ControlConnection(options: options)
        let client = try await connection.connect()
        var importID: String?
        do {
            var begin: [String: JSONValue] = [
                "kind": .string(kind), "header": Self.json(header), "dry_run": .bool(dryRun),
                "expected_records": .int(Int64(count)),
            ]
            if let cycle { begin["cycle"] = .string(cycle) }
            let started = try await client.call("io.kinerjad.Admin.BeginImport", parameters: begin)
            let id = started["import_id"]?.stringValue ?? ""
            importID = id
            var sender = BatchSender(client: client, id: id)
            var batches = try BatchReader(RecordReader(fd, file, name: name), header: header, keep: keep)
            var sent = 0
            while let batch = try batches.next() {
                try await sender.send(batch)
                sent += batch.count
                progress.update("\(name): sending records \(ProgressLine.count(sent, of: count))")
            }
            let read = batches.read
            // The second reading must have read the file the first one checked: same records, same
            // size and modification time (an edit in between would otherwise go in unchecked).
            guard read == count, try Self.identity(fd, file) == before else { throw Self.changed(name) }
            try await sender.finish()
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
            if error is CLIFailure { throw error }
            throw connection.mapped(error)
        }
    }

    /// StageImport calls kept a few ahead of their replies (`callsAhead`): each is written at once, in
    /// order, and its reply awaited only when the window is full or at the end.
    struct BatchSender {
        let client: VarlinkClient
        let id: String
        private var waiting: [AsyncThrowingStream<VarlinkReplyMessage, any Error>] = []

        init(client: VarlinkClient, id: String) {
            self.client = client
            self.id = id
        }

        mutating func send(_ records: [JSONValue]) async throws {
            waiting.append(client.send(VarlinkCallMessage(method: "io.kinerjad.Admin.StageImport",
                                                          parameters: ["import_id": .string(id), "records": .array(records)])))
            while waiting.count > ImportUploader.callsAhead { try await Self.reply(waiting.removeFirst()) }
        }

        /// Waits for every reply still due.
        mutating func finish() async throws {
            while !waiting.isEmpty { try await Self.reply(waiting.removeFirst()) }
        }

        private static func reply(_ replies: AsyncThrowingStream<VarlinkReplyMessage, any Error>) async throws {
            for try await reply in replies {
                if let error = reply.varlinkError { throw error }
                return
            }
            throw VarlinkConnectionError(code: .closed, path: "", detail: "no reply")
        }
    }

    /// The second reading cut into StageImport batches (at most `maxRecordsPerBatch` records and
    /// `maxBytesPerBatch` bytes of JSON each). `next()` is synchronous and keeps only the piece of the
    /// file being cut: the caller awaits each batch's sending outside it. (Iterating the records inside
    /// the async sending loop kept, in the release build, the records of every piece read while the
    /// replies were awaited: kinerjactl's peak grew by about 50 bytes a record, 115 MB for 1.45
    /// million reviews.)
    struct BatchReader {
        private var reader: RecordReader
        private let header: CSVRecord
        private let keep: ((CSVRecord, [String]) -> Bool)?
        private var piece: [CSVRecord] = []
        private var position = 0
        private var headerSeen = false
        /// Records selected and batched so far.
        private(set) var read = 0

        init(_ reader: RecordReader, header: CSVRecord, keep: ((CSVRecord, [String]) -> Bool)?) {
            self.reader = reader
            self.header = header
            self.keep = keep
        }

        /// The next batch, nil after the last. Throws when the file no longer starts with the header
        /// the first reading saw, or a record alone would pass the byte bound.
        mutating func next() throws -> [JSONValue]? {
            var batch: [JSONValue] = []
            var bytes = 0
            while batch.count < ImportUploader.maxRecordsPerBatch, let record = try nextRecord() {
                if !headerSeen {
                    headerSeen = true
                    guard record.fields == header.fields else { throw ImportUploader.changed(reader.name) }
                    continue
                }
                guard keep?(record, header.fields) ?? true else { continue }
                let json = ImportUploader.json(record)
                // Its size as sent (escapes included); a batch ends before it would pass the bound.
                let size = JSONSerializer.compactByteCount(json) + 1
                guard size <= ImportUploader.maxBytesPerBatch else {
                    throw CLIFailure(message: "\(reader.name): nothing was imported; 1 problem:\n  line \(record.line): the record takes "
                                         + "\(size) bytes to send, at most \(ImportUploader.maxBytesPerBatch)", status: CLIExit.varlinkError)
                }
                if !batch.isEmpty && bytes + size > ImportUploader.maxBytesPerBatch {
                    position -= 1 // this record opens the next batch
                    break
                }
                batch.append(json)
                bytes += size
                read += 1
            }
            return batch.isEmpty ? nil : batch
        }

        private mutating func nextRecord() throws -> CSVRecord? {
            while position == piece.count {
                guard let records = try reader.next() else { return nil }
                piece = records
                position = 0
            }
            defer { position += 1 }
            return piece[position]
        }
    }

    /// The first reading: the header, the number of records `keep` selects, and the first field too
    /// large for the daemon. Synchronous, nothing of the file kept.
    static func check(_ fd: Int32, _ file: String, name: String, keep: ((CSVRecord, [String]) -> Bool)?) throws
        -> (header: CSVRecord, count: Int, oversized: ImportProblem?) {
        var header: CSVRecord?
        var count = 0
        var oversized: ImportProblem?
        var reader = try RecordReader(fd, file, name: name)
        while let records = try reader.next() {
            for record in records {
                guard let fields = header?.fields else { header = record; continue }
                guard keep?(record, fields) ?? true else { continue }
                count += 1
                if oversized == nil { oversized = record.oversizedField(columnNames: fields) }
            }
        }
        // A file read without error has a header (`CSVStreamParser.finish` throws for one without).
        return (header!, count, oversized)
    }

    /// Reads a file from its start a piece at a time through `CSVStreamParser`: each `next()` gives the
    /// records the next piece completes (the header first), nil at the end; nothing of the file is
    /// kept. A file that cannot be read, or read as CSV, is a `CLIFailure` naming why (with line and
    /// column for the CSV).
    ///
    /// A caller loops over `next()` itself: handing each record to an `async` closure instead kept,
    /// in the release build, every record read until the reading ended (kinerjactl's peak grew with
    /// the file: 1.2 GiB for a 156 MB review file).
    struct RecordReader {
        let fd: Int32
        let file: String
        let name: String
        private var parser = CSVStreamParser()
        private var buffer = [UInt8](repeating: 0, count: ImportUploader.readSize)
        private var ended = false

        init(_ fd: Int32, _ file: String, name: String) throws {
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw ImportUploader.cannotRead(file, errno) }
            self.fd = fd
            self.file = file
            self.name = name
        }

        mutating func next() throws -> [CSVRecord]? {
            guard !ended else { return nil }
            do {
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw ImportUploader.cannotRead(file, errno)
                    }
                    if n == 0 {
                        ended = true
                        return try parser.finish()
                    }
                    return try parser.feed(buffer[0..<n])
                }
            } catch let error as CSVError {
                throw CLIFailure(message: "\(name): nothing was imported; the file cannot be read:\n  \(error.description)",
                                 status: CLIExit.varlinkError)
            }
        }
    }

    /// What says a file is still the one read before: its size and modification time.
    struct FileIdentity: Equatable {
        var regular: Bool
        var size: Int64
        var modified: Int64
        var modifiedNanoseconds: Int
    }

    static func identity(_ fd: Int32, _ file: String) throws -> FileIdentity {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw cannotRead(file, errno) }
        return FileIdentity(regular: (info.st_mode & S_IFMT) == S_IFREG, size: Int64(info.st_size),
                            modified: Int64(info.st_mtim.tv_sec), modifiedNanoseconds: Int(info.st_mtim.tv_nsec))
    }

    static func changed(_ name: String) -> CLIFailure {
        CLIFailure(message: "\(name): nothing was imported; the file changed while it was being sent (it is read twice: "
                             + "to check it, then to send it); import it again once nothing writes to it",
                   status: CLIExit.varlinkError)
    }

    static func cannotRead(_ file: String, _ code: Int32) -> CLIFailure {
        CLIFailure(message: "kinerjactl: cannot read \(file): \(String(cString: strerror(code)))", status: CLIExit.noInput)
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
