import GRDB

/// Where a listing read in pages goes on: the sort key of the last row read. Opaque to callers; a
/// page query with it returns the rows after that one in the same order.
public struct PageCursor: Sendable, Hashable {
    let values: [DatabaseValue]
}

/// One page of a listing: its rows, the cursor of the next page (`nil` after the last one) and, on
/// the first page only, how many rows match in all.
public struct Page<Element: Sendable>: Sendable {
    public var rows: [Element]
    public var next: PageCursor?
    public var total: Int?

    public init(rows: [Element], next: PageCursor?, total: Int?) {
        self.rows = rows
        self.next = next
        self.total = total
    }
}

/// Keyset pagination: each page is one query ordered by a unique key that starts after the previous
/// page's last key, so a page costs one bounded read however far into the listing it is (no
/// OFFSET), and nothing is held between pages.
struct KeysetQuery {
    /// The selected columns, e.g. `a.*, c.period`.
    var select: String
    /// `FROM …` with its joins.
    var from: String
    var conditions: [String]
    var arguments: [any DatabaseValueConvertible]
    /// Sort key expressions, together unique (end with the primary key); none may be NULL.
    var keys: [String]
    var descending = false
    /// `FROM …` for the first page's count, when a narrower one gives the same number (the joins that
    /// match at most one row each left out); `from` when nil.
    var countFrom: String?
    /// Adds the first key's bound (`keys[0] >= last`) as a term of its own after a cursor, so a plan
    /// that walks an index in the first key's order (an outer loop over it) seeks to the page's start
    /// instead of reading the listing from its beginning; the row-value comparison alone names
    /// several tables' columns and cannot seek.
    var seeksFirstKey = false

    /// The page of at most `limit` rows after `cursor`; counts all matching rows when `cursor` is nil
    /// and `counting`.
    func page<T>(_ db: Database, after cursor: PageCursor?, limit: Int, counting: Bool = true,
                 _ transform: (Row) throws -> T) throws -> Page<T> {
        let total: Int?
        if cursor == nil && counting {
            let count = countStatement()
            total = try Row.fetchOne(db, sql: count.sql, arguments: count.arguments, cached: true)?[0] ?? 0
        } else {
            total = nil
        }
        let statement = pageStatement(after: cursor, limit: limit)
        let rows = try Row.fetchAll(db, sql: statement.sql, arguments: statement.arguments, cached: true)
        let shown = rows.prefix(max(1, limit))
        let next = rows.count > shown.count
            ? PageCursor(values: keys.indices.map { shown.last!["keyset_\($0)"] as DatabaseValue })
            : nil
        return Page(rows: try shown.map(transform), next: next, total: total)
    }

    /// The statement that counts all matching rows (the first page's total).
    func countStatement() -> (sql: String, arguments: StatementArguments) {
        let whereSQL = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return ("SELECT COUNT(*) \(countFrom ?? from) \(whereSQL)", StatementArguments(arguments))
    }

    /// The statement that reads the page after `cursor` (one row more than `limit`, to know whether
    /// another page follows).
    func pageStatement(after cursor: PageCursor?, limit: Int) -> (sql: String, arguments: StatementArguments) {
        var conditions = self.conditions
        var arguments = self.arguments
        if let cursor {
            let placeholders = Array(repeating: "?", count: keys.count).joined(separator: ", ")
            if seeksFirstKey {
                conditions.append("\(keys[0]) \(descending ? "<=" : ">=") ?")
                arguments.append(cursor.values[0])
            }
            conditions.append("(\(keys.joined(separator: ", "))) \(descending ? "<" : ">") (\(placeholders))")
            arguments += cursor.values.map { $0 as any DatabaseValueConvertible }
        }
        let whereSQL = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let keyColumns = keys.enumerated().map { "\($1) AS keyset_\($0)" }.joined(separator: ", ")
        let order = keys.map { $0 + (descending ? " DESC" : "") }.joined(separator: ", ")
        return ("""
            SELECT \(select), \(keyColumns) \(from) \(whereSQL) ORDER BY \(order) LIMIT ?
            """, StatementArguments(arguments + [max(1, limit) + 1]))
    }
}
