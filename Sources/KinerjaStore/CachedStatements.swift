import GRDB

/// Fetches through the connection's statement cache: compiled once per connection and kept, instead
/// of compiled for each call. For the statements the web front runs hundreds of times a second:
/// compiling one (parsing, planning, and GRDB's authorizer recording every column it reads) cost
/// more than running it. Only for statements whose text comes in a few shapes (the cache is never
/// emptied): not for `IN` lists of any length.
extension Row {
    static func fetchAll(_ db: Database, sql: String, arguments: StatementArguments = [], cached: Bool) throws -> [Row] {
        try fetchAll(db, SQLRequest<Row>(sql: sql, arguments: arguments, cached: cached))
    }

    static func fetchOne(_ db: Database, sql: String, arguments: StatementArguments = [], cached: Bool) throws -> Row? {
        try fetchOne(db, SQLRequest<Row>(sql: sql, arguments: arguments, cached: cached))
    }
}

extension Database {
    /// `execute(sql:arguments:)`, through the statement cache when `cached` (see `Row.fetchAll(_:sql:arguments:cached:)`).
    func execute(sql: String, arguments: StatementArguments, cached: Bool) throws {
        if cached {
            try cachedStatement(sql: sql).execute(arguments: arguments)
        } else {
            try execute(sql: sql, arguments: arguments)
        }
    }
}

extension AppDatabase {
    /// `IN` lists up to this long are compiled once per length and cached; longer ones (imports) are
    /// compiled each time.
    static let cachedListLength = 100
}
