import GRDB

extension Migrations {
    /// `employee_name (nip, nama)`: the subjects' names of the reminder digests from one index.
    ///
    /// The reminder read-ahead (`ReminderQueries.owedRowsSQL`) reads every owed review's subject name
    /// by NIP, in ascending order, a few thousand reviewers' rows at a time. Through `employee`'s key
    /// and row that is two trees for a name, and the row's tree (every column of the employee file) is
    /// 4.6 times the size of this index: at 250,000 employees the rows of eight batches touched most of
    /// `employee` (11,659 pages) for each read-ahead, 1.26 million page reads for one preview against
    /// 0.75 million from this index (Python's sqlite3 on the preview's own queries). The query names
    /// the index (`INDEXED BY`): without statistics SQLite prefers the key (`ReminderQueryPlanTests`).
    static func registerReminderNames(_ m: inout DatabaseMigrator) {
        m.registerMigration("v17-reminder-names") { db in
            try db.execute(sql: "CREATE INDEX employee_name ON employee(nip, nama)")
        }
    }
}
