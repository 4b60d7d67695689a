import Foundation
import GRDB
import GRDBSQLite

/// An on-disk staging area for one import: the checked values of a file's records between its first
/// batch and its commit, so a staged import costs the daemon a few KiB of memory whatever its size.
///
/// Each spool is a private temporary SQLite database (SQLite's empty file name): SQLite creates its file
/// in its temporary directory (`SQLITE_TMPDIR`, `TMPDIR`, then /var/tmp, /usr/tmp, /tmp) only when the
/// page cache spills, and unlinks it as soon as it is opened, so nothing is left behind when the spool
/// is closed, dropped, or the process is killed. It is written without a journal and without syncs
/// (a spool that dies with the process is simply gone) and keeps a small page cache.
///
/// The caller names its tables (`schema`: `CREATE TABLE` / `CREATE INDEX` statements), appends rows in
/// batches (`append`, one transaction and a few multi-row statements per batch, through `BatchInsert`),
/// may add indexes or run set-based SQL (`execute`), and reads rows back with a cursor in bounded
/// batches (`read`). Calls are serialized on the spool's own connection; `read` may be called while a
/// transaction on another database is open (its body writes there).
public final class ImportSpool: Sendable {
    /// A value bound to a statement of the spool.
    public enum Value: Sendable, Equatable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)

        var databaseValue: DatabaseValue {
            switch self {
            case .null: return .null
            case .integer(let v): return v.databaseValue
            case .real(let v): return v.databaseValue
            case .text(let v): return v.databaseValue
            }
        }
    }

    private let queue: DatabaseQueue

    /// Opens a new, empty spool and runs `schema` (its tables and indexes) on it. `cacheKiB` bounds the
    /// page cache (the memory the spool may use); beyond it pages go to the temporary file.
    public init(schema: [String], cacheKiB: Int = 2048) throws {
        var configuration = Configuration()
        configuration.label = "import-spool"
        queue = try ImportSpoolError.mapping { try DatabaseQueue(path: "", configuration: configuration) }
        try spooling { db in
            try db.execute(sql: "PRAGMA journal_mode = OFF")
            try db.execute(sql: "PRAGMA synchronous = OFF")
            try db.execute(sql: "PRAGMA temp_store = FILE")
            try db.execute(sql: "PRAGMA cache_size = -\(max(64, cacheKiB))")
            for statement in schema { try db.execute(sql: statement) }
        }
    }

    /// Appends rows to `table` (its `columns`, in order) in one transaction: `fill` adds each row
    /// through the appender. Returns the rows added. When `fill` or the spool throws, the batch is
    /// rolled back only as far as SQLite can without a journal (pages already spilled to the file
    /// keep what they got), so a caller drops the whole import then, as the staging does.
    @discardableResult
    public func append(to table: String, columns: [String], rowsPerStatement: Int? = nil,
                       _ fill: (inout Appender) throws -> Void) throws -> Int {
        try spooling { db in
            var count = 0
            try db.inTransaction {
                var appender = Appender(BatchInsert(db, "INSERT INTO \(table)(\(columns.joined(separator: ", ")))",
                                                    columns: columns.count, rowsPerStatement: rowsPerStatement))
                try CallerError.passing { try fill(&appender) }
                try appender.finish()
                count = appender.count
                return .commit
            }
            return count
        }
    }

    /// Runs SQL that returns no rows (an index created after the rows were appended, a set-based
    /// update); returns the rows it changed.
    @discardableResult
    public func execute(_ sql: String, _ arguments: [Value] = []) throws -> Int {
        try spooling { db in
            try db.execute(sql: sql, arguments: StatementArguments(arguments.map(\.databaseValue)))
            return db.changesCount
        }
    }

    /// The first column of the first row of `sql`, as an integer (`nil` when there is no row or it is NULL).
    public func integer(_ sql: String, _ arguments: [Value] = []) throws -> Int64? {
        try spooling { db in
            try Int64.fetchOne(db, sql: sql, arguments: StatementArguments(arguments.map(\.databaseValue)))
        }
    }

    /// Reads the rows of `sql` with one cursor, decoding each with `decode` and handing them to `body`
    /// in batches of at most `batchSize` (the last may be smaller; none when there is no row). Only one
    /// batch is held at a time; `body` must not call the spool (its connection is busy with the cursor):
    /// to write back between batches, read in keyset pages (`WHERE line > ? ORDER BY line LIMIT ?`).
    /// Returns the rows read.
    @discardableResult
    public func read<T>(_ sql: String, _ arguments: [Value] = [], batchSize: Int,
                        decode: (borrowing Row) throws -> T, _ body: ([T]) throws -> Void) throws -> Int {
        precondition(batchSize > 0, "a batch holds at least one row")
        return try spooling { db in
            let query = try SpoolQuery(db, sql, arguments)
            var batch: [T] = []
            batch.reserveCapacity(batchSize)
            var count = 0
            try query.forEach { row in
                batch.append(try decode(row))
                count += 1
                if batch.count == batchSize {
                    try CallerError.passing { try body(batch) }
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { try CallerError.passing { try body(batch) } }
            return count
        }
    }

    /// Runs `work` on the spool's connection. An error of the spool's own database becomes an
    /// `ImportSpoolError` naming where its file lives and the free space there (a full /var/tmp is the
    /// likely cause; SQLite may report a failed spill as a malformed database); an error of the
    /// caller's closures (`fill`, `body`: they may write to the main database) passes unchanged.
    private func spooling<T>(_ work: (Database) throws -> T) throws -> T {
        do {
            return try ImportSpoolError.mapping { try queue.inDatabase(work) }
        } catch let error as CallerError {
            throw error.error
        }
    }

    /// Closes the spool; its temporary file is gone with it. Later calls throw.
    public func close() throws {
        try queue.close()
    }

    /// Adds the rows of one `append` call: the values of a row in column order, then `endRow()`.
    public struct Appender {
        private var insert: BatchInsert
        private var row: [DatabaseValue]
        /// Rows ended so far.
        public private(set) var count = 0

        init(_ insert: BatchInsert) {
            self.insert = insert
            row = []
            row.reserveCapacity(insert.columns)
        }

        public mutating func add(_ value: Int64?) { row.append(value.map { $0.databaseValue } ?? .null) }
        public mutating func add(_ value: Int?) { row.append(value.map { Int64($0).databaseValue } ?? .null) }
        public mutating func add(_ value: Double?) { row.append(value.map { $0.databaseValue } ?? .null) }
        public mutating func add(_ value: String?) { row.append(value.map { $0.databaseValue } ?? .null) }
        public mutating func add(_ value: Value) { row.append(value.databaseValue) }

        /// Ends the row being added (it must have one value per column).
        public mutating func endRow() throws {
            try insert.add(row)
            row.removeAll(keepingCapacity: true)
            count += 1
        }

        mutating func finish() throws {
            precondition(row.isEmpty, "a row was started but not ended")
            try insert.finish()
        }
    }

    /// One row of a `read` cursor, read in place (valid only inside `decode`).
    public struct Row: ~Copyable {
        let handle: OpaquePointer

        public func isNull(_ column: Int) -> Bool { sqlite3_column_type(handle, CInt(column)) == SQLITE_NULL }
        public func integer(_ column: Int) -> Int64 { sqlite3_column_int64(handle, CInt(column)) }
        public func optionalInteger(_ column: Int) -> Int64? { isNull(column) ? nil : integer(column) }
        public func real(_ column: Int) -> Double { sqlite3_column_double(handle, CInt(column)) }
        /// The column as text ("" for NULL).
        public func text(_ column: Int) -> String {
            guard let bytes = sqlite3_column_text(handle, CInt(column)) else { return "" }
            let count = Int(sqlite3_column_bytes(handle, CInt(column)))
            return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
        }
        public func optionalText(_ column: Int) -> String? { isNull(column) ? nil : text(column) }
    }
}

/// A statement of the spool stepped through its rows with SQLite's C API (GRDB's `Row` copies each row).
private final class SpoolQuery {
    private let db: Database
    private let handle: OpaquePointer
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    init(_ db: Database, _ sql: String, _ arguments: [ImportSpool.Value]) throws {
        self.db = db
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(db.sqliteConnection, sql, -1, 0, &handle, nil)
        guard code == SQLITE_OK, let handle else { throw Self.error(db, code, sql) }
        self.handle = handle
        for (i, value) in arguments.enumerated() {
            let index = CInt(i + 1), code: CInt
            switch value {
            case .null: code = sqlite3_bind_null(handle, index)
            case .integer(let v): code = sqlite3_bind_int64(handle, index, v)
            case .real(let v): code = sqlite3_bind_double(handle, index, v)
            case .text(let v): code = sqlite3_bind_text(handle, index, v, -1, Self.transient)
            }
            guard code == SQLITE_OK else { throw Self.error(db, code, sql) }
        }
    }

    deinit { sqlite3_finalize(handle) }

    /// Steps through the rows, handing each to `row` in place.
    func forEach(_ row: (borrowing ImportSpool.Row) throws -> Void) throws {
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw Self.error(db, code, String(cString: sqlite3_sql(handle))) }
            try row(ImportSpool.Row(handle: handle))
        }
    }

    private static func error(_ db: Database, _ code: CInt, _ sql: String) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
    }
}

/// An error of the caller's closure inside a spool call, carried past the spool's own error mapping.
private struct CallerError: Error {
    let error: any Error

    static func passing<T>(_ work: () throws -> T) throws -> T {
        do { return try work() } catch { throw CallerError(error: error) }
    }
}

/// The spool's database could not be created, written or read: almost always its temporary
/// directory's file system is full. The message names the directory and its free space.
public struct ImportSpoolError: Error, CustomStringConvertible {
    /// Where SQLite puts the file (its own choice: `SQLITE_TMPDIR`, `TMPDIR`, then the first writable
    /// of /var/tmp, /usr/tmp, /tmp, the working directory).
    public let directory: String
    /// Free space there when the error happened, in KiB (nil when it cannot be read).
    public let freeKiB: UInt64?
    public let underlying: String

    public var description: String {
        "the import's staging file in \(directory) could not be written or read"
            + (freeKiB.map { " (\($0) KiB free there)" } ?? "") + ": \(underlying). Nothing was imported; an import "
            + "needs free space there of about twice its file's size"
    }

    static func mapping<T>(_ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let error as DatabaseError {
            let directory = temporaryDirectory()
            var stats = statvfs()
            let free = statvfs(directory, &stats) == 0 ? UInt64(stats.f_bavail) * UInt64(stats.f_frsize) / 1024 : nil
            throw ImportSpoolError(directory: directory, freeKiB: free, underlying: error.message ?? "\(error)")
        }
    }

    /// SQLite's choice of directory for temporary files on Unix (os_unix.c, unixTempFileDir).
    static func temporaryDirectory() -> String {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [environment["SQLITE_TMPDIR"], environment["TMPDIR"], "/var/tmp", "/usr/tmp", "/tmp"].compactMap { $0 }
        for path in candidates {
            var info = stat()
            if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, access(path, W_OK | X_OK) == 0 { return path }
        }
        return FileManager.default.currentDirectoryPath
    }
}
