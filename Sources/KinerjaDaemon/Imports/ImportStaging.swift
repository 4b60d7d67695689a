import Foundation
import KinerjaDomain
import KinerjaPausePoints
import KinerjaStore
import Synchronization
import Varlink

/// Streamed imports held in memory between `BeginImport` and `CommitImport`: large files reach the
/// daemon in batches, so no call carries a whole file.
///
/// Each import keeps its kind's accumulator, which checks records as they arrive and keeps only the
/// validated values (not the text). Employee and review imports keep even those on disk
/// (`EmployeeSpool`, `StagedReviews`: a private temporary database that goes with the import), so a
/// 250,000-employee file or a quarter's 1.5 million reviews cost the daemon a few MiB. Nothing touches the database until the commit, which validates the rest and
/// applies all of it in one transaction. Imports are limited in number and size (config `imports:`), dropped
/// when idle past `imports.staging_timeout`, and dropped at once when the connection that began
/// them closes (only that connection could have committed them).
public final class ImportStaging: Sendable {
    /// The kinds of file that can be imported.
    public enum Kind: String, Sendable, CaseIterable {
        case units, employees, skm, training, reviews
    }

    enum Accumulator: Sendable {
        case units(UnitImport.Accumulator)
        /// Staged on disk (a reference: adding does not copy it).
        case employees(EmployeeSpool)
        case skm(SKMImport.Accumulator)
        case training(TrainingImport.Accumulator)
        /// The checks run as records arrive; the checked reviews go to the on-disk spool, not to memory.
        case reviews(ReviewImport.Accumulator, StagedReviews, cycle: CycleReference?)
        /// Held by the table while the real accumulator is out being added to.
        case empty

        /// Adds records in place. `self` is emptied before the payload is changed, so the payload is
        /// referenced once and its arrays grow where they are instead of being copied on write.
        mutating func add(_ records: [CSVRecord]) throws {
            switch self {
            case .units(var a): self = .empty; a.add(records); self = .units(a)
            case .employees(let a): a.add(records)
            case .skm(var a): self = .empty; a.add(records); self = .skm(a)
            case .training(var a): self = .empty; a.add(records); self = .training(a)
            case .reviews(var a, let spool, let c):
                self = .empty
                let checked = a.check(records)
                self = .reviews(a, spool, cycle: c)
                try spool.append(checked)
            case .empty: break
            }
        }

        mutating func reserveCapacity(_ count: Int) {
            switch self {
            case .units, .employees, .reviews, .empty: break
            case .skm(var a): self = .empty; a.reserveCapacity(count); self = .skm(a)
            case .training(var a): self = .empty; a.reserveCapacity(count); self = .training(a)
            }
        }

        var problemCount: Int {
            switch self {
            case .units(let a): return a.problemCount
            case .employees(let a): return a.problemCount
            case .skm(let a): return a.problemCount
            case .training(let a): return a.problemCount
            case .reviews(let a, _, _): return a.problemCount
            case .empty: return 0
            }
        }

        var columns: CSVColumnMap {
            switch self {
            case .units(let a): return a.columns
            case .employees(let a): return a.columns
            case .skm(let a): return a.columns
            case .training(let a): return a.columns
            case .reviews(let a, _, _): return a.columns
            case .empty: return CSVColumnMap(numbers: [:], width: 0)
            }
        }
    }

    struct Entry: Sendable {
        var kind: Kind
        var accumulator: Accumulator
        var dryRun: Bool
        var records = 0
        /// The most records this import may have (see `ImportLimit`).
        var limit: ImportLimit
        var lastUsed: Date
        /// Set while a commit runs, so the import cannot be staged into or committed twice.
        var committing = false
        /// Who began it, and when, on which connection.
        var owner: Owner
    }

    /// Who began an import: on which connection (it is dropped when that closes), the caller as
    /// audit lines name them, and when.
    struct Owner: Sendable {
        var connection: VarlinkConnectionID?
        var caller: String
        var began: Date
    }

    /// An import as `ListImports` shows it.
    struct Summary: Sendable {
        var id: String
        var kind: Kind
        var records: Int
        var problems: Int
        var dryRun: Bool
        var committing: Bool
        var owner: Owner
        var lastUsed: Date
    }

    /// Why a staging call is refused.
    enum Refusal: Error {
        case unknown(String)
        case busy(String)
        case tooMany(limit: Int)
        case tooLarge(ImportLimit)
        /// The staged records could not be kept (the spool's disk); the import is dropped.
        case failed(id: String, reason: String)
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    /// Registers a new import; returns its id. Drops idle imports first.
    /// `expected`: the records the client announced; more than `limit` is refused before any is sent.
    func begin(kind: Kind, accumulator: Accumulator, dryRun: Bool, owner: Owner, limits: DaemonConfig.Imports,
               limit: ImportLimit, expected: Int? = nil) throws(Refusal) -> String {
        if let expected, expected > limit.records { throw .tooLarge(limit) }
        let now = owner.began
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        let id = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        let timeout = limits.stagingTimeout
        let result: Result<String, Refusal> = entries.withLock { entries in
            entries = entries.filter { $0.value.committing || now.timeIntervalSince($0.value.lastUsed) < timeout.inSeconds }
            guard entries.count < limits.maxStaged else { return .failure(.tooMany(limit: limits.maxStaged)) }
            entries[id] = Entry(kind: kind, accumulator: accumulator, dryRun: dryRun, limit: limit, lastUsed: now, owner: owner)
            return .success(id)
        }
        return try result.get()
    }

    /// Adds records to an import; returns (records so far, problems so far).
    func stage(_ id: String, records: [CSVRecord], now: Date) throws(Refusal) -> (Int, Int) {
        // Take the accumulator out while the records are checked, so other imports are not held up
        // and it is referenced once (it grows in place); the table keeps a busy placeholder.
        let taken: Result<Entry, Refusal> = entries.withLock { entries in
            guard let entry = entries[id] else { return .failure(.unknown(id)) }
            guard !entry.committing else { return .failure(.busy(id)) }
            guard entry.records + records.count <= entry.limit.records else { return .failure(.tooLarge(entry.limit)) }
            var placeholder = entry
            placeholder.accumulator = .empty
            placeholder.committing = true
            entries[id] = placeholder
            return .success(entry)
        }
        var entry = try taken.get()
        do {
            try entry.accumulator.add(records)
        } catch {
            entries.withLock { $0[id] = nil }
            throw .failed(id: id, reason: "\(error)")
        }
        entry.records += records.count
        entry.lastUsed = now
        entry.committing = false
        let done = entry
        #if DEBUG
        PausePoint.reach("imports.staged")
        #endif
        // Put back only over its placeholder: an import aborted while this batch was being checked
        // stays dropped (its spool goes with `entry`), instead of coming back when the batch is done.
        let kept = entries.withLock { entries in
            guard entries[id] != nil else { return false }
            entries[id] = done
            return true
        }
        guard kept else { throw .unknown(id) }
        return (done.records, done.accumulator.problemCount)
    }

    /// Takes an import for its commit (it is gone afterwards, whatever the outcome).
    func take(_ id: String) throws(Refusal) -> Entry {
        let result: Result<Entry, Refusal> = entries.withLock { entries in
            guard let entry = entries[id] else { return .failure(.unknown(id)) }
            guard !entry.committing else { return .failure(.busy(id)) }
            entries[id] = nil
            return .success(entry)
        }
        return try result.get()
    }

    /// Drops an import; false when there was none.
    func abort(_ id: String) -> Bool {
        entries.withLock { $0.removeValue(forKey: id) != nil }
    }

    /// Drops the imports begun on `connection` (not one being committed: its transaction decides);
    /// returns their ids.
    func drop(connection: VarlinkConnectionID) -> [String] {
        entries.withLock { entries in
            let gone = entries.filter { $0.value.owner.connection == connection && !$0.value.committing }.map(\.key)
            for id in gone { entries[id] = nil }
            return gone.sorted()
        }
    }

    /// The imports staged now, oldest first.
    func list() -> [Summary] {
        entries.withLock { entries in
            entries.map { id, e in
                Summary(id: id, kind: e.kind, records: e.records, problems: e.accumulator.problemCount, dryRun: e.dryRun,
                        committing: e.committing, owner: e.owner, lastUsed: e.lastUsed)
            }
        }.sorted { ($0.owner.began, $0.id) < ($1.owner.began, $1.id) }
    }

    /// Imports staged now.
    public var count: Int { entries.withLock { $0.count } }
}

/// The most records one import may have: `imports.max_records`, except that a review import may have
/// as many as the open cycles have assignments (each row answers one assignment, a second row for the
/// same one is refused), so the largest instansi's quarter is never refused by a limit sized for a
/// city. The limit is known when the import begins, so a client that announces more records
/// (`expected_records`) is refused before it sends any.
struct ImportLimit: Sendable, Equatable {
    var records: Int
    /// The open cycles' assignments, when they raised the limit above `imports.max_records`.
    var openAssignments: Int?

    init(maxRecords: Int, openAssignments: Int? = nil) {
        if let openAssignments, openAssignments > maxRecords {
            records = openAssignments
            self.openAssignments = openAssignments
        } else {
            records = maxRecords
        }
    }

    var explanation: String {
        if let openAssignments { return "\(openAssignments) records: the open cycles' assignments, above imports.max_records" }
        return "imports.max_records (\(records) records)"
    }
}
