import Foundation
import GRDB
import KinerjaDomain

/// The merge of a valid staged employee file into the stored employees (the rule of
/// `EmployeeMergeRules`), streamed: the file's rows and the stored employees are read in NIP order in
/// bounded batches and compared side by side, the rows that change written as they are found, and the
/// summary (counts, the first ten of each kind, deactivations per unit) counted on the way; the open
/// cycles' events go to an `ImportEvents` spool as they are found. Memory: a batch of each side,
/// whatever the size of the city or of the change.
struct EmployeeMerge {
    let staged: EmployeeSpool
    /// Unit key (lowercased) → the unit code the file's rows get.
    let unitCodes: [String: String]
    /// The scope's unit codes, lowercased; nil for the whole city.
    let scope: Set<String>?
    /// Whether the events of the open cycles are collected (an open cycle exists).
    let collectEvents: Bool
    /// The events' page (`ImportEvents.page`).
    var eventsPage = ImportEvents.batch

    static let batch = 2_048

    struct Result {
        var added = 0, changed = 0, unchanged = 0, deactivated = 0
        var details: [String] = []
        var deactivatedByUnit: [String: Int] = [:]
        /// The changed employees' events (moves, departures, leave, new atasan), for the open cycles;
        /// nil unless the events are collected.
        var events: ImportEvents?
        private var addedDetails: [String] = [], changedDetails: [String] = [], deactivatedDetails: [String] = []

        mutating func add(_ e: Employee) {
            added += 1
            if addedDetails.count < 10 { addedDetails.append("new \(e.nip) \(e.nama) (\(e.unit))") }
        }

        mutating func change(_ e: Employee, _ fields: [EmployeeField]) {
            changed += 1
            if changedDetails.count < 10 {
                changedDetails.append("changed \(e.nip) \(e.nama): " + fields.map(\.rawValue).joined(separator: ", "))
            }
        }

        mutating func deactivate(_ e: Employee, _ reason: EmployeeMergeRules.DeactivationReason) {
            deactivated += 1
            deactivatedByUnit[e.unit, default: 0] += 1
            if deactivatedDetails.count < 10 {
                deactivatedDetails.append("deactivated \(e.nip) \(e.nama) (\(e.unit), \(reason.rawValue))")
            }
        }

        /// Deactivations per unit, sorted by code.
        var byUnit: [(unit: String, count: Int)] { deactivatedByUnit.keys.sorted().map { ($0, deactivatedByUnit[$0]!) } }

        mutating func finish() {
            details = addedDetails + changedDetails + deactivatedDetails
            if deactivated > 0 {
                details.append("deactivated by unit: " + byUnit.map { "\($0.unit) \($0.count)" }.joined(separator: ", "))
            }
        }
    }

    /// Compares and (unless `dryRun`) writes; `progress` gets the rows looked at.
    func run(_ db: Database, dryRun: Bool, now: Date, progress: (Int) -> Void) throws -> Result {
        var result = Result()
        if collectEvents { result.events = try ImportEvents(page: eventsPage) }
        var stored = StoredEmployees(db: db)
        var upsert = dryRun ? nil : EmployeeUpsert(db, now: now)
        // A load larger than what is stored (a first import) writes the employees without their
        // secondary indexes and builds them after, by a sort.
        let storedCount = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM employee") ?? 0
        let deferred = !dryRun && DeferredIndexes.worthIt(incoming: staged.recordCount, stored: storedCount)
            ? try DeferredIndexes.drop(on: "employee", in: db) : nil
        var seen = 0
        func absent(_ old: Employee) throws {
            guard EmployeeMergeRules.deactivatesAbsent(old, scope: scope) else { return }
            var after = old
            after.aktif = false
            result.deactivate(after, .absentFromFile)
            try write(old, after)
        }
        func write(_ old: Employee?, _ new: Employee) throws {
            if let events = result.events, let old, let event = CycleAdjustment.event(old: old, new: new) {
                try events.record(new.nip, event)
            }
            try upsert?.add(new)
        }
        // Sorted (`+nip` keeps the index out): read through the index, the rows came from the file at
        // random, a page read per row once the spool outgrew its cache.
        try staged.spool.read("SELECT \(EmployeeSpool.employeeSQL) FROM staged ORDER BY +nip", batchSize: Self.batch,
                              decode: { EmployeeSpool.employee($0, units: unitCodes) }) { batch in
            for new in batch {
                // Stored employees before this NIP are absent from the file.
                while let old = try stored.peek(), old.nip < new.nip {
                    try absent(old)
                    stored.advance()
                }
                if let old = try stored.peek(), old.nip == new.nip {
                    stored.advance()
                    switch EmployeeMergeRules.outcome(old: old, new: new) {
                    case .unchanged: result.unchanged += 1
                    case .deactivated:
                        result.deactivate(new, .markedInactive)
                        try write(old, new)
                    case .changed(let fields):
                        result.change(new, fields)
                        try write(old, new)
                    }
                } else {
                    result.add(new)
                    try write(nil, new)
                }
            }
            seen += batch.count
            progress(seen)
        }
        while let old = try stored.peek() {
            try absent(old)
            stored.advance()
        }
        try upsert?.finish()
        try deferred?.restore(in: db)
        try result.events?.flush()
        result.finish()
        return result
    }
}

/// The stored employees in NIP order, read in keyset batches. A row written while the merge runs is
/// never read back: an employee the merge adds or changes has a NIP at or below the last one read,
/// or the stored rows were all read already.
private struct StoredEmployees {
    let db: Database
    private var buffer: [Employee] = []
    private var position = 0
    private var lastNIP: String?
    private var exhausted = false

    init(db: Database) { self.db = db }

    mutating func peek() throws -> Employee? {
        if position == buffer.count, !exhausted {
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM employee WHERE nip > ? ORDER BY nip LIMIT \(EmployeeMerge.batch)",
                                        arguments: [lastNIP ?? ""])
            buffer = rows.map(AppDatabase.employee)
            position = 0
            exhausted = rows.count < EmployeeMerge.batch
            lastNIP = rows.last.map { $0["nip"] } ?? lastNIP
        }
        return position < buffer.count ? buffer[position] : nil
    }

    mutating func advance() { position += 1 }
}

/// The upsert of whole employee rows, in multi-row statements.
struct EmployeeUpsert {
    private var insert: BatchInsert
    private let stamp: DatabaseValue

    init(_ db: Database, now: Date) {
        stamp = now.databaseValue
        insert = BatchInsert(
            db, """
                INSERT INTO employee(nip, nama, jabatan, unit_code, supervisor_nip, email, telepon, status, aktif, updated_at,
                                     jenis_jabatan, kelas_jabatan, eselon, sub_unit, acting_nip, acting_kind, inactive_reason)
                """,
            columns: 17,
            tail: """
                ON CONFLICT(nip) DO UPDATE SET nama = excluded.nama, jabatan = excluded.jabatan,
                unit_code = excluded.unit_code, supervisor_nip = excluded.supervisor_nip, email = excluded.email,
                telepon = excluded.telepon, status = excluded.status, aktif = excluded.aktif,
                updated_at = excluded.updated_at, jenis_jabatan = excluded.jenis_jabatan,
                kelas_jabatan = excluded.kelas_jabatan, eselon = excluded.eselon, sub_unit = excluded.sub_unit,
                acting_nip = excluded.acting_nip, acting_kind = excluded.acting_kind,
                inactive_reason = excluded.inactive_reason
                """)
    }

    mutating func add(_ e: Employee) throws {
        func text(_ s: String?) -> DatabaseValue { s?.databaseValue ?? .null }
        try insert.add([e.nip.description.databaseValue, e.nama.databaseValue, e.jabatan.databaseValue,
                        e.unit.databaseValue, text(e.supervisor?.description), text(e.email), text(e.telepon),
                        e.status.rawValue.databaseValue, e.aktif.databaseValue, stamp,
                        text(e.rank.jenisJabatan?.rawValue), e.rank.kelasJabatan?.databaseValue ?? .null,
                        text(e.rank.eselon?.rawValue), text(e.rank.subUnit), text(e.acting?.nip.description),
                        text(e.acting?.kind.rawValue), text(e.inactiveReason?.rawValue)])
    }

    mutating func finish() throws { try insert.finish() }
}
