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

    /// The page of at most `limit` rows after `cursor`; counts all matching rows when `cursor` is nil
    /// and `counting`.
    func page<T>(_ db: Database, after cursor: PageCursor?, limit: Int, counting: Bool = true,
                 _ transform: (Row) throws -> T) throws -> Page<T> {
        var conditions = self.conditions
        var arguments = self.arguments
        let total: Int?
        if cursor == nil && counting {
            let whereSQL = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            total = try Row.fetchOne(db, sql: "SELECT COUNT(*) \(from) \(whereSQL)", arguments: StatementArguments(arguments),
                                     cached: true)?[0] ?? 0
        } else {
            total = nil
        }
        if let cursor {
            let placeholders = Array(repeating: "?", count: keys.count).joined(separator: ", ")
            conditions.append("(\(keys.joined(separator: ", "))) \(descending ? "<" : ">") (\(placeholders))")
            arguments += cursor.values.map { $0 as any DatabaseValueConvertible }
        }
        let whereSQL = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let keyColumns = keys.enumerated().map { "\($1) AS keyset_\($0)" }.joined(separator: ", ")
        let order = keys.map { $0 + (descending ? " DESC" : "") }.joined(separator: ", ")
        let rows = try Row.fetchAll(db, sql: """
            SELECT \(select), \(keyColumns) \(from) \(whereSQL) ORDER BY \(order) LIMIT ?
            """, arguments: StatementArguments(arguments + [max(1, limit) + 1]), cached: true)
        let shown = rows.prefix(max(1, limit))
        let next = rows.count > shown.count
            ? PageCursor(values: keys.indices.map { shown.last!["keyset_\($0)"] as DatabaseValue })
            : nil
        return Page(rows: try shown.map(transform), next: next, total: total)
    }
}
