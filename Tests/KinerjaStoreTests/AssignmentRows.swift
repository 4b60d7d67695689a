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
