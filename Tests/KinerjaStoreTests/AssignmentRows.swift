import GRDB
@testable import KinerjaStore

/// Assignment rows written straight into the compact table for a test, described as the tests think
/// of them (NIPs, unit codes, the role's name, times as dates); stored as the store stores them
/// (person and unit ids, the role's code, Unix seconds).
enum AssignmentRows {
    @discardableResult
    static func insert(_ db: Database, id: Int64? = nil, cycle: Int64, subject: String, role: String, reviewer: String,
                       subjectUnit: String, reviewerUnit: String, due: any DatabaseValueConvertible,
                       submitted: (any DatabaseValueConvertible)? = nil, atasanSource: String? = nil) throws -> Int64 {
        let people = try StoredKeys.personIDs(db, [subject, reviewer])
        let units = try StoredKeys.unitIDs(db, [subjectUnit, reviewerUnit])
        try db.execute(sql: """
            INSERT INTO assignment(id, cycle_id, subject_id, role, reviewer_id, subject_unit_id, reviewer_unit_id, due_at,
                                   submitted_at, atasan_source)
            VALUES (?, ?, ?, \(RoleCode.codeSQL("?")), ?, ?, ?, unixepoch(?), unixepoch(?), ?)
            """, arguments: [id, cycle, people[subject], role, people[reviewer], units[subjectUnit], units[reviewerUnit], due,
                             submitted, atasanSource])
        return db.lastInsertedRowID
    }

    /// A review of `assignment` (times as dates, stored as Unix seconds; the source's text by id).
    static func insertReview(_ db: Database, assignment: Int64, scores: [Int], comment: String? = nil,
                             at: any DatabaseValueConvertible, source: String) throws {
        try db.execute(sql: """
            INSERT INTO review(assignment_id, \(BerAKHLAKColumns.list), comment, submitted_at, recorded_at, source_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, unixepoch(?), unixepoch(?), ?)
            """, arguments: StatementArguments([assignment] + scores.map { $0 as any DatabaseValueConvertible }
                                                + [comment, at, at, try ReviewSource.id(db, source)]))
    }

    /// A database migrated up to `version` (at least `v12-compact-rows`) holding one open cycle of four
    /// compact assignment rows, to test what a later migration fills from rows already stored: ids 1
    /// to 4 are (subject person, role code, reviewer person, due seconds, submitted seconds) (1, 3, 1,
    /// 1000, open), (2, 3, 2, 1000, 900), (1, 0, 2, 2000, open), (2, 1, 1, 1000, open).
    static func fourRowDatabase(upTo version: String) throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try Migrations.migrator.migrate(queue, upTo: version)
        try queue.write { d in
            try d.execute(sql: """
                INSERT INTO cycle(id, period, kind, period_start, period_end, status, opened_at, opened_by, due_at,
                                  rekan_per_subject, rekan_cap, rekan_seed)
                VALUES (1, '2025-Q1', 'quarterly', '2025-01-01', '2025-03-31', 'open', '2025-04-01 01:00:00', 't',
                        '2025-04-15 01:00:00', 2, 3, 7);
                INSERT INTO person(id, nip) VALUES (1, '198001012005011001'), (2, '198001012005011002');
                INSERT INTO unit_key(id, code) VALUES (1, 'DLHK');
                INSERT INTO assignment(cycle_id, subject_id, role, reviewer_id, subject_unit_id, reviewer_unit_id, due_at, submitted_at)
                VALUES (1, 1, 3, 1, 1, 1, 1000, NULL), (1, 2, 3, 2, 1, 1, 1000, 900), (1, 1, 0, 2, 1, 1, 2000, NULL),
                       (1, 2, 1, 1, 1, 1, 1000, NULL);
                """)
        }
        return queue
    }

    /// A result row of `cycle` for `subject` in `unit` (NIP and unit code, stored as their ids); `values`
    /// names the other columns (a predikat by its name, stored as its code).
    static func insertResult(_ db: Database, cycle: Int, subject: String, unit: String,
                             _ values: KeyValuePairs<String, (any DatabaseValueConvertible)?> = [:]) throws {
        let person = try StoredKeys.personIDs(db, [subject])[subject]
        let unitID = try StoredKeys.unitIDs(db, [unit])[unit]
        var columns = ["cycle_id", "subject_id", "unit_id"], placeholders = ["?", "?", "?"]
        var arguments: [(any DatabaseValueConvertible)?] = [cycle, person, unitID]
        for (column, value) in values {
            columns.append(column)
            placeholders.append(column == "predikat" ? PredikatCode.codeSQL("?") : "?")
            arguments.append(value)
        }
        try db.execute(sql: "INSERT INTO result(\(columns.joined(separator: ", "))) VALUES (\(placeholders.joined(separator: ", ")))",
                       arguments: StatementArguments(arguments))
    }
}
