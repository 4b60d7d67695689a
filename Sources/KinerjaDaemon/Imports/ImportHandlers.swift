import Foundation
import KinerjaDomain
import KinerjaStore
import Logging
import Varlink

/// Streamed imports over io.kinerjad.Admin: BeginImport (the header), StageImport (records in
/// batches), CommitImport (validate everything, then apply in one transaction, with `more` progress).
extension AdminService {
    static let importHandlers: [String: Handler] = [
        "BeginImport": { service, call, reply in try await reply.reply(try await service.beginImport(call)) },
        "StageImport": { service, call, reply in try await reply.reply(try service.stageImport(call)) },
        "CommitImport": { service, call, reply in
            defer { releaseFreedMemory() }  // after the staged import and its transaction are gone
            try await service.commitImport(call, reply: reply)
        },
        "AbortImport": { service, call, reply in
            let id = call.parameters["import_id"]?.stringValue ?? ""
            let dropped = service.runtime.imports.abort(id)
            if dropped { service.runtime.logger.info("Staged import \(id) aborted", metadata: ["import": "\(id)", "peer": "\(call.peerDescription)"]) }
            try await reply.reply(["dropped": .bool(dropped)])
        },
        "ListImports": { service, _, reply in try await reply.reply(service.listImports()) },
    ]

    static let maxRecordsPerStage = 5000

    func beginImport(_ call: VarlinkCall) async throws -> [String: JSONValue] {
        let p = call.parameters
        let kindText = p["kind"]?.stringValue ?? ""
        guard let kind = ImportStaging.Kind(rawValue: kindText.lowercased()) else {
            throw AdminError.invalidInput(["kind: '\(kindText)' is not one of "
                + ImportStaging.Kind.allCases.map(\.rawValue).joined(separator: ", ")])
        }
        let header = try record(p["header"], path: "header")
        let config = runtime.config
        let cap = config.imports.problemCap
        let schema: CSVSchema
        switch kind {
        case .units: schema = UnitImport.schema
        case .employees: schema = EmployeeImport.schema
        case .skm: schema = SKMImport.schema
        case .training: schema = TrainingImport.schema
        case .reviews: schema = ReviewImport.schema
        }
        let columns: CSVColumnMap
        switch schema.bind(header: header) {
        case .success(let map): columns = map
        case .failure(let failure): throw AdminError.invalidInput(ControlEncoding.problemLines(failure))
        }
        var accumulator: ImportStaging.Accumulator
        let horizon = DateHorizon(now: runtime.now(), timeZone: config.cycles.zone)
        switch kind {
        case .units: accumulator = .units(UnitImport.Accumulator(columns: columns, problemCap: cap))
        case .employees: accumulator = .employees(try EmployeeSpool(columns: columns, problemCap: cap))
        case .skm:
            let units = try await runtime.withDatabase { db in try db.units().map(\.code) }
            var skm = SKMImport.Accumulator(columns: columns, knownUnits: units, problemCap: cap)
            skm.horizon = horizon
            accumulator = .skm(skm)
        case .training:
            let nips = try await runtime.withDatabase { db in try db.employeeNIPs() }
            var training = TrainingImport.Accumulator(columns: columns, knownEmployees: nips, problemCap: cap)
            training.horizon = horizon
            accumulator = .training(training)
        case .reviews:
            // Duplicates are found by the store, which resolves every row to its assignment.
            var reviews = ReviewImport.Accumulator(columns: columns, timeZone: config.cycles.zone, problemCap: cap,
                                                   findsDuplicates: false)
            reviews.horizon = horizon
            if reviews.problemCount > 0, case .failure(let failure) = reviews.finish() {
                throw AdminError.invalidInput(ControlEncoding.problemLines(failure))
            }
            let cycle = try cycleReference(call, "cycle")
            do {
                accumulator = .reviews(reviews, try StagedReviews(), cycle: cycle)
            } catch {
                throw AdminError.operationFailed("cannot open the staging area for the review import: \(error)")
            }
        }
        var limit = ImportLimit(maxRecords: config.imports.maxRecords)
        if kind == .reviews {
            let open = try await runtime.withDatabase { db in try db.openCycles().reduce(0) { $0 + $1.assignments } }
            limit = ImportLimit(maxRecords: config.imports.maxRecords, openAssignments: open)
        }
        let expected = p["expected_records"]?.intValue.map { Int(clamping: $0) }
        if let expected, expected > 0, expected <= limit.records { accumulator.reserveCapacity(expected) }
        let id: String
        do {
            let owner = ImportStaging.Owner(connection: call.connection, caller: call.peerDescription, began: runtime.now())
            id = try runtime.imports.begin(kind: kind, accumulator: accumulator, dryRun: p["dry_run"]?.boolValue ?? false,
                                           owner: owner, limits: config.imports, limit: limit, expected: expected)
        } catch {
            throw Self.refusal(error)
        }
        let names = columns.numbers.sorted { $0.value < $1.value }.map(\.key)
        return ["import_id": .string(id), "columns": .array(names.map { .string($0) })]
    }

    func stageImport(_ call: VarlinkCall) throws -> [String: JSONValue] {
        let id = call.parameters["import_id"]?.stringValue ?? ""
        guard let items = call.parameters["records"]?.arrayValue else { throw AdminError.invalidInput(["records: an array is required"]) }
        guard items.count <= Self.maxRecordsPerStage else {
            throw AdminError.invalidInput(["records: at most \(Self.maxRecordsPerStage) per call, found \(items.count)"])
        }
        let records = try items.enumerated().map { try record($1, path: "records[\($0)]") }
        do {
            let (count, problems) = try runtime.imports.stage(id, records: records, now: runtime.now())
            return ["records": .int(Int64(count)), "problems": .int(Int64(problems))]
        } catch {
            throw Self.refusal(error)
        }
    }

    func commitImport(_ call: VarlinkCall, reply: VarlinkReplySink) async throws {
        let id = call.parameters["import_id"]?.stringValue ?? ""
        let entry: ImportStaging.Entry
        do {
            entry = try runtime.imports.take(id)
        } catch {
            throw Self.refusal(error)
        }
        let options = try employeeImportOptions(call, kind: entry.kind)
        let (stream, continuation) = AsyncStream.makeStream(of: StoreProgress.self, bufferingPolicy: .bufferingNewest(4))
        let apply = ApplyImport(runtime: runtime), by = call.peerDescription
        let work = Task { () throws -> ImportSummary in
            defer { continuation.finish() }
            return try await apply(entry, id: id, by: by, options: options, progress: { continuation.yield($0) })
        }
        for await step in stream where call.more {
            // A client that went away does not stop the transaction; its outcome is logged by ApplyImport.
            try? await reply.reply(["phase": .string(step.phase), "done": .int(Int64(step.done)), "total": .int(Int64(step.total))],
                                   continues: true)
        }
        let summary = try await work.value
        try await reply.reply(["phase": .string("done"), "done": .int(Int64(summary.records)),
                               "total": .int(Int64(summary.records)), "summary": try encoding.value(summary)])
    }

    /// `scope` and `allow_deactivate` of a CommitImport, which only an employee import takes.
    func employeeImportOptions(_ call: VarlinkCall, kind: ImportStaging.Kind) throws -> EmployeeImportOptions {
        let p = call.parameters
        var options = EmployeeImportOptions(maxDeactivateShare: runtime.config.imports.maxDeactivateShare)
        if let items = p["scope"]?.arrayValue {
            let units = items.compactMap { $0.stringValue?.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard kind == .employees else { throw AdminError.invalidInput(["scope: only an employee import takes a scope"]) }
            guard !units.isEmpty else { throw AdminError.invalidInput(["scope: name at least one unit code"]) }
            options.scope = Set(units)
        }
        if let n = p["allow_deactivate"]?.intValue {
            guard kind == .employees else { throw AdminError.invalidInput(["allow_deactivate: only an employee import deactivates"]) }
            guard n >= 0 else { throw AdminError.invalidInput(["allow_deactivate: must be 0 or more, found \(n)"]) }
            options.allowDeactivate = Int(n)
        }
        return options
    }

    /// A record from the call; a field over `CSVRecord.maxFieldBytes` is refused with its line and
    /// column (a client sends such a file's records to no avail: the field cannot be imported).
    func record(_ value: JSONValue?, path: String) throws -> CSVRecord {
        guard let line = value?["line"]?.intValue, line >= 1, let fields = value?["fields"]?.arrayValue else {
            throw AdminError.invalidInput(["\(path): a record needs line (≥ 1) and fields"])
        }
        let record = CSVRecord(line: Int(line), fields: fields.map { $0.stringValue ?? "" })
        if let problem = record.oversizedField() { throw AdminError.invalidInput([problem.description]) }
        return record
    }

    /// ListImports: the imports staged now.
    func listImports() -> [String: JSONValue] {
        ["imports": .array(runtime.imports.list().map { i in
            .object([
                "import_id": .string(i.id), "kind": .string(i.kind.rawValue), "records": .int(Int64(i.records)),
                "problems": .int(Int64(i.problems)), "dry_run": .bool(i.dryRun), "committing": .bool(i.committing),
                "began_by": .string(i.owner.caller), "began_at": encoding.time(i.owner.began), "last_used": encoding.time(i.lastUsed),
            ])
        })]
    }

    /// Imports begun on a connection go with it: nobody else can commit them, and they would hold one
    /// of `imports.max_staged` until `imports.staging_timeout`.
    public func connectionClosed(_ connection: VarlinkConnectionID) async {
        for id in runtime.imports.drop(connection: connection) {
            runtime.logger.info("Staged import \(id) dropped: its connection closed", metadata: ["import": "\(id)"])
        }
    }

    static func refusal(_ error: ImportStaging.Refusal) -> VarlinkError {
        switch error {
        case .unknown(let id):
            return AdminError.notFound("import", id)
        case .busy(let id):
            return AdminError.invalidInput(["import \(id) is being committed or staged by another call"])
        case .tooMany(let limit):
            return AdminError.operationFailed("\(limit) imports are already staged (imports.max_staged); commit or abort one first")
        case .tooLarge(let limit):
            return AdminError.invalidInput(["the import exceeds \(limit.explanation)"])
        case .failed(let id, let reason):
            return AdminError.operationFailed("import \(id) was dropped: its records could not be staged (\(reason))")
        }
    }
}
