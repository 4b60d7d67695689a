import Foundation
import GRDB
import KinerjaDomain

/// Writes a planned cycle's assignment rows (`PreparedPlan`) in the transaction of its open.
enum CycleAssignmentWriter {
    /// Inserts every assignment of `plan` into cycle `cycle`: the subjects in person id order and each
    /// subject's rows by (role code, reviewer person id), the order of the unique index (cycle_id,
    /// subject_id, role, reviewer_id), so its pages and the table's fill in sequence. Person and unit
    /// ids come from the plan's members (`PlanMembers.key`, `unitKey`); appraisers outside the members
    /// get theirs here, their unit recorded as ''. `progress` hears the rows written every 20,000.
    ///
    /// The rows' reviewer lookup (`assignment_reviewer`) is filed after them, sorted, in one statement:
    /// a row in `assignment_bulk` holds its insert trigger back meanwhile, and goes before this returns
    /// (see `Migrations.registerReviewerLookup`). Filed row by row it took the rows at random pages.
    /// Every write lands at the end of its tree, so the connection's usual page cache serves: the same
    /// rows from Python's sqlite3 took 4.07 s of CPU with 2 MB of cache and 4.04 s with 16 MB at
    /// 250,000 employees.
    static func write(_ db: Database, plan: PreparedPlan, cycle: Int64, due: Date,
                      progress: (Int) -> Void) throws {
        try db.execute(sql: "INSERT INTO assignment_bulk(cycle_id, after_id) VALUES (?, (SELECT coalesce(max(id), 0) FROM assignment))",
                       arguments: [cycle])
        try writeRows(db, plan: plan, cycle: cycle, due: due, progress: progress)
        try fileReviewers(db, cycle: cycle)
    }

    /// Files the rows written since `assignment_bulk`'s row for `cycle` into `assignment_reviewer`, in
    /// key order, and deletes that row. The rows are new, so none of them is filed yet.
    static func fileReviewers(_ db: Database, cycle: Int64) throws {
        try db.execute(sql: """
            INSERT INTO assignment_reviewer(cycle_id, reviewer_id, assignment_id)
              SELECT a.cycle_id, a.reviewer_id, a.id FROM assignment_bulk b JOIN assignment a ON a.id > b.after_id AND a.cycle_id = b.cycle_id
              WHERE b.cycle_id = ? ORDER BY a.reviewer_id, a.id
            """, arguments: [cycle])
        try db.execute(sql: "DELETE FROM assignment_bulk WHERE cycle_id = ?", arguments: [cycle])
    }

    private static func writeRows(_ db: Database, plan: PreparedPlan, cycle: Int64, due: Date,
                                  progress: (Int) -> Void) throws {
        let members = plan.members
        var outsideIDs: [NIP: Int64] = [:]
        var outsideUnit: Int64 = 0
        let outside = plan.outsideAppraisers
        if !outside.isEmpty {
            outsideUnit = try StoredKeys.unitIDs(db, [""])[""]!
            for (nip, id) in try StoredKeys.personIDs(db, outside.map(\.description)) { outsideIDs[NIP(nip)!] = id }
        }
        let cycleValue = cycle.databaseValue, dueValue = StoredTime.seconds(due).databaseValue
        let sources = plan.notes.atasanSources.mapValues { $0.rawValue.databaseValue }
        var insert = BatchInsert(db, """
            INSERT INTO assignment(cycle_id, subject_id, role, reviewer_id, subject_unit_id, reviewer_unit_id, due_at, atasan_source)
            """, columns: 8)
        let subjects = members.nips.indices.sorted { members.key[$0] < members.key[$1] }
        var pairs: [(role: ReviewerRole, reviewer: Int)] = []
        var rows: [(role: UInt8, reviewer: Int64, unit: Int64)] = []
        var written = 0
        for i in subjects {
            plan.reviewers(of: i, into: &pairs)
            rows.removeAll(keepingCapacity: true)
            for (role, r) in pairs {
                if r == PreparedPlan.outsideReviewer {
                    rows.append((role.code, outsideIDs[plan.outsideAtasan(of: i)!]!, outsideUnit))
                } else {
                    rows.append((role.code, members.key[r], members.unitKey[members.unitIndex(r)]))
                }
            }
            rows.sort { ($0.role, $0.reviewer) < ($1.role, $1.reviewer) }
            let subject = members.key[i].databaseValue
            let subjectUnit = members.unitKey[members.unitIndex(i)].databaseValue
            let source = sources[members.nips[i]] ?? .null
            for row in rows {
                try insert.add([cycleValue, subject, Int64(row.role).databaseValue, row.reviewer.databaseValue, subjectUnit,
                                row.unit.databaseValue, dueValue, row.role == ReviewerRole.atasan.code ? source : .null])
                written += 1
                if written % 20_000 == 0 { progress(written) }
            }
        }
        try insert.finish()
    }
}
