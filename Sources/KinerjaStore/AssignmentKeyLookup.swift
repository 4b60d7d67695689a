import Foundation
import GRDB
import GRDBSQLite
import KinerjaDomain

/// Resolves the (subject, role, reviewer) keys of imported reviews to their assignments of one cycle,
/// `AppDatabase.reviewChunk` keys a statement (`AppDatabase.assignmentsByKeySQL`), for one transaction.
///
/// The full-size statement is prepared once per import and its values bound and read with SQLite's C
/// API (`PreparedStatement`); each result row carries its key's place, so a slot goes straight into
/// the answer by index. GRDB's cursor, its boxed arguments and a table keyed by the NIPs read back were
/// about a tenth of the daemon's CPU time for a review file at 25,000 employees.
struct AssignmentKeyLookup {
    let db: Database
    private var full: PreparedStatement?
    private var values: [DatabaseValue] = []

    init(_ db: Database) {
        self.db = db
    }

    /// The slot of each of `keys` (at most `reviewChunk`) in cycle `cycle`, in order; nil for a key
    /// the cycle has no assignment for.
    mutating func slots(_ keys: [AssignmentKey], cycle: Int64) throws -> [AssignmentSlot?] {
        precondition(keys.count <= AppDatabase.reviewChunk, "at most \(AppDatabase.reviewChunk) keys a statement")
        values.removeAll(keepingCapacity: true)
        for k in keys {
            values.append(k.subject.description.databaseValue)
            values.append(Int64(k.role.code).databaseValue)
            values.append(k.reviewer.description.databaseValue)
        }
        values.append(cycle.databaseValue)
        let statement: PreparedStatement
        if keys.count == AppDatabase.reviewChunk {
            if full == nil { full = try PreparedStatement(db, AppDatabase.assignmentsByKeySQL(keys.count)) }
            statement = full!
        } else {
            statement = try PreparedStatement(db, AppDatabase.assignmentsByKeySQL(keys.count))
        }
        var slots = [AssignmentSlot?](repeating: nil, count: keys.count)
        try statement.forEachRow(values) { row in
            let place = Int(sqlite3_column_int64(row, 0))
            guard keys.indices.contains(place) else { return }
            let key = keys[place]
            slots[place] = AssignmentSlot(
                subject: key.subject.value, reviewer: key.reviewer.value, role: key.role.code, id: sqlite3_column_int64(row, 1),
                cycle: cycle, due: Date(timeIntervalSince1970: sqlite3_column_double(row, 2)),
                submitted: sqlite3_column_type(row, 3) == SQLITE_NULL ? nil : Date(timeIntervalSince1970: sqlite3_column_double(row, 3)))
        }
        return slots
    }
}

/// The assignment ids an import has resolved so far, as bits in blocks of 4,096 ids made when first
/// needed (a quarter's 1.45 million reviews at 250,000 employees touch about 360 blocks, 185 KiB): tells
/// whether any assignment was named twice without a table of every row, so the spool's `GROUP BY`
/// that names the lines runs only for a file that has such a duplicate.
struct AssignmentIDSet {
    private static let blockWords = 64
    private var blockOf: [Int64: Int] = [:]
    private var words: [UInt64] = []
    private var last: (key: Int64, start: Int)?

    /// Adds `id`; false when it was already in.
    mutating func insert(_ id: Int64) -> Bool {
        let key = id >> 12, bit = Int(id & 4095)
        let start: Int
        if let last, last.key == key {
            start = last.start
        } else if let known = blockOf[key] {
            start = known
        } else {
            start = words.count
            words.append(contentsOf: repeatElement(0, count: Self.blockWords))
            blockOf[key] = start
        }
        last = (key, start)
        let word = start + bit >> 6, mask = UInt64(1) << UInt64(bit & 63)
        guard words[word] & mask == 0 else { return false }
        words[word] |= mask
        return true
    }
}
