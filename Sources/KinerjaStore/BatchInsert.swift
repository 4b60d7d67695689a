import Foundation
import GRDB
import GRDBSQLite

/// Multi-row `INSERT … VALUES (…), (…), …` with one prepared statement per batch size: rows are
/// bound in batches of `rowsPerStatement`, so 150,000 rows cost 300 statement executions, not 150,000
/// (and never a statement compiled per row).
///
/// The values are bound with SQLite's C API on the connection GRDB hands out (`sqliteConnection`):
/// GRDB's `StatementArguments` converts each value through a key path, which was a third of a cycle
/// open's CPU time at 25,000 employees (148,000 rows of 8 values).
struct BatchInsert {
    let db: Database
    let head: String
    let tail: String
    let columns: Int
    let rowsPerStatement: Int
    private let fullSQL: String
    private var pending: [DatabaseValue] = []
    private(set) var rowCount = 0
    /// Rows changed by the executed statements (inserted, or updated by an upsert tail).
    private(set) var changes = 0

    /// `head` is `INSERT INTO t(a, b, c)`; `tail` an optional `ON CONFLICT …` clause.
    init(_ db: Database, _ head: String, columns: Int, tail: String = "", rowsPerStatement: Int? = nil) {
        self.db = db
        self.head = head
        self.tail = tail
        self.columns = columns
        // Stay well under SQLite's 32,766 bound parameters per statement.
        self.rowsPerStatement = rowsPerStatement ?? max(1, min(500, 8_000 / columns))
        fullSQL = Self.sql(head: head, tail: tail, columns: columns, rows: self.rowsPerStatement)
        pending.reserveCapacity(self.rowsPerStatement * columns)
    }

    static func sql(head: String, tail: String, columns: Int, rows: Int) -> String {
        let group = "(" + Array(repeating: "?", count: columns).joined(separator: ",") + ")"
        return head + " VALUES " + Array(repeating: group, count: rows).joined(separator: ",") + " " + tail
    }

    /// Adds one row (exactly `columns` values).
    mutating func add(_ values: [DatabaseValue]) throws {
        precondition(values.count == columns, "a row needs \(columns) values")
        pending.append(contentsOf: values)
        rowCount += 1
        if pending.count == rowsPerStatement * columns { try flush() }
    }

    /// Executes what is pending.
    mutating func finish() throws {
        if !pending.isEmpty { try flush() }
    }

    private var fullStatement: PreparedStatement?

    private mutating func flush() throws {
        let rows = pending.count / columns
        let statement: PreparedStatement
        if rows == rowsPerStatement {
            if fullStatement == nil { fullStatement = try PreparedStatement(db, fullSQL) }
            statement = fullStatement!
        } else {
            statement = try PreparedStatement(db, Self.sql(head: head, tail: tail, columns: columns, rows: rows))
        }
        try statement.execute(pending)
        changes += db.changesCount
        pending.removeAll(keepingCapacity: true)
    }
}

/// One statement prepared on the connection of `db`, finalized when released; used only inside the
/// transaction closure that made it.
final class PreparedStatement {
    let db: Database
    let sql: String
    private let handle: OpaquePointer
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    init(_ db: Database, _ sql: String) throws {
        self.db = db
        self.sql = sql
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(db.sqliteConnection, sql, -1, 0, &handle, nil)
        guard code == SQLITE_OK, let handle else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                                sql: sql)
        }
        self.handle = handle
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds `values` to the parameters in order and runs the statement to its end.
    func execute(_ values: [DatabaseValue]) throws {
        try bind(values)
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else { throw error(code) }
    }

    /// Binds `values` to the parameters in order and hands each row of the result to `row`, read in
    /// place with SQLite's column functions (valid only inside `row`).
    func forEachRow(_ values: [DatabaseValue], _ row: (OpaquePointer) throws -> Void) throws {
        try bind(values)
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw error(code) }
            try row(handle)
        }
    }

    private func bind(_ values: [DatabaseValue]) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (i, value) in values.enumerated() {
            let index = CInt(i + 1)
            let code: CInt
            switch value.storage {
            case .null: code = sqlite3_bind_null(handle, index)
            case .int64(let v): code = sqlite3_bind_int64(handle, index, v)
            case .double(let v): code = sqlite3_bind_double(handle, index, v)
            case .string(let v): code = sqlite3_bind_text(handle, index, v, -1, Self.transient)
            case .blob(let v): code = v.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, CInt($0.count), Self.transient) }
            }
            guard code == SQLITE_OK else { throw error(code) }
        }
    }

    private func error(_ code: CInt) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
    }
}
