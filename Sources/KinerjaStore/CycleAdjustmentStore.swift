import Foundation
import GRDB
import KinerjaDomain

/// How an employee import is applied (`kinerjactl import employees FILE [--scope U,…] [--allow-deactivate N]`).
public struct EmployeeImportOptions: Sendable, Hashable {
    /// Unit codes a partial file covers; nil for the whole city.
    public var scope: Set<String>?
    /// The expected number of deactivations, when the admin names it.
    public var allowDeactivate: Int?
    /// Largest share of the active employees in reach an import may deactivate without `allowDeactivate`.
    public var maxDeactivateShare: Double
    /// Changed employees a page in the open cycles' adjustment (`ImportEvents.page`); tests make it small.
    var adjustmentPage = ImportEvents.batch

    public init(scope: Set<String>? = nil, allowDeactivate: Int? = nil, maxDeactivateShare: Double = 0.05) {
        self.scope = scope
        self.allowDeactivate = allowDeactivate
        self.maxDeactivateShare = maxDeactivateShare
    }
}

extension AppDatabase {
    /// The reviewer of assignment `a` with their name: an employee (`re`), or an appraiser outside the
    /// employee file (`ra`). Two primary-key lookups per row: a union of both tables joined here
    /// instead was built whole (every employee, plus an automatic index) on each call, which made one
    /// reviewer's page cost as much as listing the whole city.
    static let reviewerJoinSQL = reviewerJoinSQL(nip: "a.reviewer_nip")

    /// The open assignments of cycle ?1 whose subject or reviewer is among the NIPs of the JSON array
    /// ?2: the subjects' rows by the unique key (cycle_id, subject_id, …), the reviewers' through
    /// `assignment_reviewer`, each person by `person`'s key (`ReviewerLookupTests`). CROSS JOIN keeps the
    /// NIPs the outer loop: left to itself SQLite read the cycle's whole prefix of both and probed
    /// `person` per row.
    static let affectedAssignmentsSQL = """
        SELECT id, subject_nip, role, reviewer_nip FROM assignment_named
        WHERE id IN (SELECT a.id FROM json_each(?2) j CROSS JOIN person p ON p.nip = j.value
                     CROSS JOIN assignment a ON a.cycle_id = ?1 AND a.subject_id = p.id
                     UNION
                     SELECT x.assignment_id FROM json_each(?2) j CROSS JOIN person p ON p.nip = j.value
                     CROSS JOIN assignment_reviewer x ON x.cycle_id = ?1 AND x.reviewer_id = p.id)
          AND submitted_at IS NULL
        """

    /// `reviewerJoinSQL` for a reviewer NIP found in `nip`.
    static func reviewerJoinSQL(nip: String) -> String {
        "LEFT JOIN employee re ON re.nip = \(nip) LEFT JOIN appraiser ra ON ra.nip = \(nip)"
    }

    /// The reviewer's name (with `reviewerJoinSQL`); an employee's wins over an appraiser's record.
    static let reviewerPlainNameSQL = "coalesce(re.nama, ra.nama)"

    /// The reviewer's name as shown in lists: an acting appraiser's with its title (`Plt. Nama`).
    static let reviewerNameSQL = "CASE WHEN a.atasan_source IN ('Plt.', 'Plh.') THEN a.atasan_source || ' ' || \(reviewerPlainNameSQL) ELSE \(reviewerPlainNameSQL) END"

    /// Applies `CycleAdjustment` to every open cycle after an employee import, inside the import's
    /// transaction: `events` holds the changed employees' moves, departures, leave and new atasan, and
    /// `after` gives employees as they stand after the import (asked only for those the touched
    /// assignments name, and their atasan). Reassigned atasan reviews get their new reviewer (and are
    /// reminded afresh), cancelled assignments are deleted, and each change is kept in
    /// `assignment_change` for the cycle report. With `apply` false nothing is written (a dry run).
    ///
    /// Bounded whatever the number of changed employees: the open assignments they touch are gathered
    /// in the events' spool, a page of changed employees at a time, then adjusted a page of subjects at
    /// a time (the rules look at one subject's assignments together, so pages give what one pass
    /// would), and the per-employee counts tallied there. Returns the first `listing` lines (one per
    /// changed employee and cycle, by cycle and NIP) and how many there are.
    static func adjustOpenCycles(_ db: Database, events: ImportEvents?,
                                 after lookup: (Set<NIP>) throws -> [NIP: Employee], now: Date,
                                 apply: Bool, listing: Int) throws -> (listed: [CycleChange], total: Int) {
        guard let events, events.count > 0 else { return ([], 0) }
        let open = try fetchCycles(db, whereSQL: "WHERE c.status = 'open'", arguments: []).reversed()
        var lines: [CycleChange] = []
        var total = 0
        for cycle in open {
            try events.startCycle()
            try events.forEachPage { page in
                let affected = EmployeeFileCheck.json(page)
                var rows: [CycleAdjustment.OpenAssignment] = []
                for row in try Row.fetchAll(db, sql: Self.affectedAssignmentsSQL, arguments: [cycle.id, affected]) {
                    guard let s = NIP(row[1] as String), let r = NIP(row[3] as String), let role = ReviewerRole(rawValue: row[2]) else { continue }
                    rows.append(.init(id: row[0], key: AssignmentKey(subject: s, reviewer: r, role: role)))
                }
                try events.touch(rows)
            }
            try events.forEachSubjectPage { rows in
                try adjust(db, cycle: cycle.id, rows: rows, events: events, after: lookup, now: now, apply: apply)
            }
            total += try events.changes(cycle: cycle.period.code, limit: max(0, listing - lines.count)) { lines.append($0) }
        }
        return (lines, total)
    }

    /// One page of `adjustOpenCycles`: `rows`, every touched open assignment of their subjects.
    private static func adjust(_ db: Database, cycle: Int64, rows: [CycleAdjustment.OpenAssignment], events: ImportEvents,
                               after lookup: (Set<NIP>) throws -> [NIP: Employee], now: Date, apply: Bool) throws {
        // Everyone the rules look at: the assignments' people (the changed employees among them), the subjects' atasan.
        let people = Set(rows.map(\.key.subject)).union(rows.map(\.key.reviewer))
        let changed = try events.events(of: people)
        var after = try lookup(people)
        let atasan = Set(rows.compactMap { after[$0.key.subject] }.flatMap { [$0.supervisor, $0.acting?.nip].compactMap { $0 } })
        for (nip, e) in try lookup(atasan.subtracting(after.keys)) { after[nip] = e }
        let subjects = "[" + Set(rows.map(\.key.subject)).map { "\"\($0)\"" }.joined(separator: ",") + "]"
        var existing = Set<AssignmentKey>()
        for row in try Row.fetchAll(db, sql: """
            SELECT subject_nip, reviewer_nip FROM assignment_named
            WHERE cycle_id = ? AND role_code = \(ReviewerRole.atasan.code)
              AND subject_id IN (SELECT p.id FROM person p WHERE p.nip IN (SELECT value FROM json_each(?)))
            """, arguments: [cycle, subjects]) {
            if let s = NIP(row[0] as String), let r = NIP(row[1] as String) {
                existing.insert(AssignmentKey(subject: s, reviewer: r, role: .atasan))
            }
        }
        let changes = CycleAdjustment.changes(open: rows, existing: existing, after: after, events: changed)
        guard !changes.isEmpty else { return }
        if apply {
            let people = try StoredKeys.personIDs(db, Set(changes.flatMap { c in
                [c.employee, c.assignment.key.subject, c.assignment.key.reviewer, c.newReviewer].compactMap { $0?.description }
            }))
            for c in changes {
                let k = c.assignment.key
                if let reviewer = c.newReviewer {
                    let unit = after[reviewer]?.unit ?? ""
                    try db.execute(sql: """
                        UPDATE assignment SET reviewer_id = ?, reviewer_unit_id = ?, atasan_source = ? WHERE id = ?
                        """, arguments: [try StoredKeys.personIDs(db, [reviewer.description])[reviewer.description],
                                         try StoredKeys.unitIDs(db, [unit])[unit], c.newSource?.rawValue, c.assignment.id])
                    try db.execute(sql: "DELETE FROM outbox_stage WHERE assignment_id = ?", arguments: [c.assignment.id])
                } else {
                    try db.execute(sql: "DELETE FROM assignment WHERE id = ?", arguments: [c.assignment.id])
                }
                try db.execute(sql: """
                    INSERT INTO assignment_change(cycle_id, employee_id, event, detail, subject_id, role, reviewer_id, new_reviewer_id,
                                                  changed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [cycle, people[c.employee.description], c.event.rawValue, changed[c.employee]!.1,
                                     people[k.subject.description], k.role.code, people[k.reviewer.description],
                                     c.newReviewer.flatMap { people[$0.description] }, StoredTime.seconds(now)])
            }
        }
        try events.tally(CycleAdjustment.summary(changes, events: changed), names: { after[$0]?.nama ?? "" })
    }

    /// Per changed employee, what imports did to the cycle's assignments (for the cycle report): the
    /// cycle's rows from `assignment_change_subject`'s cycle prefix, grouped by the employee's NIP.
    public func assignmentChanges(cycle: Int64) throws -> [CycleChange] {
        try writer.read { db in
            guard let c = try Self.findCycle(db, .id(cycle)) else { return [] }
            return try Row.fetchAll(db, sql: """
                SELECT p.nip, COALESCE(e.nama, '') AS nama, x.event, x.detail,
                       SUM(x.new_reviewer_id IS NOT NULL) AS reassigned, SUM(x.new_reviewer_id IS NULL) AS cancelled
                FROM assignment_change x JOIN person p ON p.id = x.employee_id LEFT JOIN employee e ON e.nip = p.nip
                WHERE x.cycle_id = ? GROUP BY p.nip, x.event, x.detail ORDER BY p.nip, MIN(x.id)
                """, arguments: [cycle]).compactMap { row in
                guard let nip = NIP(row["nip"] as String) else { return nil }
                return CycleChange(cycle: c.period.code, nip: nip, nama: row["nama"], event: row["event"], detail: row["detail"],
                                   reassigned: row["reassigned"], cancelled: row["cancelled"])
            }
        }
    }
}

/// What an employee import did to an open cycle's assignments for one changed employee.
public struct CycleChange: Sendable, Hashable, Encodable {
    public var cycle: String
    public var nip: NIP
    public var nama: String
    /// transfer, left, leave or atasan_change.
    public var event: String
    public var detail: String
    public var reassigned: Int
    public var cancelled: Int
    /// `2025-Q3: 199001012015031004 Budi Santoso moved from DLHK to BKPSDM: 1 review reassigned, 4 cancelled`.
    public var message: String

    public init(cycle: String, nip: NIP, nama: String, event: String, detail: String, reassigned: Int, cancelled: Int) {
        self.cycle = cycle
        self.nip = nip
        self.nama = nama
        self.event = event
        self.detail = detail
        self.reassigned = reassigned
        self.cancelled = cancelled
        message = "\(cycle): \(nip) \(nama) \(detail): \(reassigned) review\(reassigned == 1 ? "" : "s") reassigned, "
            + "\(cancelled) cancelled"
    }
}
