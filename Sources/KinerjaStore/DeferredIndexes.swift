import GRDB

/// A table's secondary indexes taken out for a bulk load and built again after it, in the caller's
/// transaction (a crash or an error rolls the drop back with the rows).
///
/// Rows written in key order land at the end of the table's own B-tree, but each secondary index
/// (an employee's unit) may take them at random places. Once an index outgrows SQLite's page
/// cache, every row reads and dirties a page of its own, and the cache spills the same pages to the
/// WAL again and again: a first import of 250,000 employees spent 16 times as long in its inserts as
/// one of 25,000. `CREATE INDEX` sorts the keys instead and writes each page once. Worth it only when
/// the load is most of the table: rebuilding costs a pass over every row, loaded or not.
struct DeferredIndexes {
    /// The indexes taken out: name and the SQL that made them, as SQLite keeps it.
    private(set) var dropped: [(name: String, sql: String)] = []

    /// Whether a load of `incoming` rows into a table of `stored` rows is a bulk load: the rows
    /// certainly new (`incoming - stored`, had every stored row a match) outnumber the stored ones.
    /// A routine import of the whole file, with a few hundred new people, writes through the index.
    static func worthIt(incoming: Int, stored: Int) -> Bool {
        incoming > 1_000 && incoming - stored > stored
    }

    /// Drops `table`'s secondary indexes that are not unique (made by `CREATE INDEX`): the primary
    /// key's, the UNIQUE constraints' and any `CREATE UNIQUE INDEX` stay, since the load's conflicts
    /// are found, and its duplicates refused, through them.
    static func drop(on table: String, in db: Database) throws -> DeferredIndexes {
        var deferred = DeferredIndexes()
        for row in try Row.fetchAll(db, sql: """
            SELECT m.name, m.sql FROM sqlite_master m JOIN pragma_index_list(?1) l ON l.name = m.name
            WHERE m.type = 'index' AND m.tbl_name = ?1 AND m.sql IS NOT NULL AND NOT l."unique" ORDER BY m.name
            """, arguments: [table]) {
            deferred.dropped.append((row[0], row[1]))
        }
        for index in deferred.dropped {
            try db.execute(sql: "DROP INDEX \(index.name.quotedDatabaseIdentifier)")
        }
        return deferred
    }

    /// Builds the dropped indexes again, from the SQL that made them.
    func restore(in db: Database) throws {
        for index in dropped {
            try db.execute(sql: index.sql)
        }
    }
}
