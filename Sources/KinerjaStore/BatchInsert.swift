import GRDB

/// Multi-row `INSERT … VALUES (…), (…), …` with one cached prepared statement per batch size:
/// rows are bound in batches of `rowsPerStatement`, so 150,000 rows cost 300 statement executions,
/// not 150,000 (and never a statement compiled per row).
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

    private mutating func flush() throws {
        let rows = pending.count / columns
        let sql = rows == rowsPerStatement ? fullSQL : Self.sql(head: head, tail: tail, columns: columns, rows: rows)
        let statement = try db.cachedStatement(sql: sql)
        statement.setUncheckedArguments(StatementArguments(pending))
        try statement.execute()
        changes += db.changesCount
        pending.removeAll(keepingCapacity: true)
    }
}
