import Foundation
import GRDB
import KinerjaDomain
import KinerjaPausePoints

/// Opening, listing and inspecting cycles (`kinerjactl cycles open|list|show`).
extension AppDatabase {
    /// Opens the cycle of `period` in one transaction: one assignment per (subject, reviewer, role)
    /// from the stored employees (`AssignmentPlanner`), inserted in batches. Opening a period that
    /// already has a cycle changes nothing and says so (`created == false`). `dueAt`, when given, is
    /// the due date of every assignment (the caller moved it to a working day); otherwise it is
    /// `openedAt` plus the policy's `dueAfter`.
    public func openCycle(period: Period, openedAt: Date, dueAt: Date? = nil, policy: AssignmentPolicy, by: String,
                          appraisers: [ExternalAppraiser] = [], progress: ProgressSink = { _ in }) throws -> OpenCycleOutcome {
        try writer.write { db in
            if let existing = try Self.findCycle(db, .period(period)) {
                let byRole = try Self.countByRole(db, cycle: existing.id)
                let state = existing.status == .open ? "open" : "closed"
                return OpenCycleOutcome(
                    created: false, cycle: existing, byRole: byRole, rekanShortfalls: 0, withoutAtasan: 0,
                    message: "cycle \(period.code) already exists (id \(existing.id), \(state)); nothing changed")
            }
            // The active employees in columns (`PlanMembers`), in NIP order, each with its person id
            // and unit id: no `Employee` values and no dictionary keyed by NIP.
            try StoredKeys.addActiveEmployees(db)
            var members = PlanMembers()
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT e.nip, e.unit_code, e.supervisor_nip, e.kelas_jabatan, e.eselon, e.sub_unit, e.acting_nip, e.acting_kind,
                       p.id, k.id
                FROM employee e JOIN person p ON p.nip = e.nip JOIN unit_key k ON k.code = e.unit_code WHERE e.aktif
                ORDER BY e.nip
                """)
            while let row = try cursor.next() {
                guard let nip = NIP(row[0] as String) else { continue }
                let rank = EmployeeRank(kelasJabatan: row[3], eselon: (row[4] as String?).flatMap(Eselon.init(rawValue:)),
                                        subUnit: row[5])
                let acting = (row[6] as String?).flatMap(NIP.init).map {
                    ActingAppraiser(nip: $0, kind: (row[7] as String?).flatMap(ActingKind.init(rawValue:)) ?? .plt)
                }
                members.append(nip: nip, unit: row[1], supervisor: (row[2] as String?).flatMap(NIP.init), rank: rank,
                               acting: acting, key: row[8], unitKey: row[9])
            }
            guard members.count > 0 else {
                throw CycleStoreError.refused("there are no active employees; import employees before opening a cycle")
            }
            progress(StoreProgress(phase: "planning", done: 0, total: members.count))
            let plan: PreparedPlan
            do {
                plan = try AssignmentPlanner.prepare(members: members, period: period, openedAt: openedAt, policy: policy,
                                                     appraisers: appraisers)
            } catch {
                throw CycleStoreError.refused("\(error)")
            }
            let due = dueAt ?? openedAt.addingTimeInterval(policy.dueAfter.inSeconds)
            try db.execute(sql: """
                INSERT INTO cycle(period, kind, period_start, period_end, status, opened_at, opened_by, due_at,
                                  rekan_per_subject, rekan_cap, rekan_seed)
                VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?)
                """, arguments: [period.code, period.kind.rawValue, period.start.description, period.end.description,
                                 openedAt, by, due, policy.rekanPerSubject, policy.rekanCapPerReviewer,
                                 Int64(bitPattern: policy.seed)])
            let cycleID = db.lastInsertedRowID
            // The outside appraisers as the cycle opens, so reminders and lists name them.
            for a in appraisers {
                try db.execute(sql: """
                    INSERT INTO appraiser(nip, nama, jabatan, email, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(nip) DO UPDATE SET nama = excluded.nama, jabatan = excluded.jabatan, email = excluded.email,
                    updated_at = excluded.updated_at
                    """, arguments: [a.nip.description, a.nama, a.jabatan, a.email, openedAt])
            }
            let total = plan.notes.total
            try CycleAssignmentWriter.write(db, plan: plan, cycle: cycleID, due: due) { written in
                progress(StoreProgress(phase: "writing", done: written, total: total))
            }
            progress(StoreProgress(phase: "writing", done: total, total: total))
            #if DEBUG
            PausePoint.reach("cycle-open.assignments-inserted")
            #endif
            var byRole: [String: Int] = [:]
            for role in ReviewerRole.allCases { byRole[role.rawValue] = plan.notes.byRole[role] ?? 0 }
            // Known without reading back the 150,000 rows just written.
            let info = CycleInfo(
                id: cycleID, period: period, kind: period.kind, status: .open, openedAt: openedAt, openedBy: by, dueAt: due,
                closedAt: nil, closedBy: nil, forced: false, closeReason: nil, assignments: total, submitted: 0, late: 0,
                rekanPerSubject: policy.rekanPerSubject, rekanCapPerReviewer: policy.rekanCapPerReviewer,
                rekanSeed: Int64(bitPattern: policy.seed))
            var outcome = OpenCycleOutcome(
                created: true, cycle: info, byRole: byRole, rekanShortfalls: plan.notes.rekanShortfalls.count,
                withoutAtasan: plan.notes.subjectsWithoutAtasan.count,
                message: "opened cycle \(period.code) (id \(cycleID)) with \(total) assignments for \(plan.notes.subjects) employees")
            outcome.rekanFallbacks = plan.notes.rekanFallbacks.count
            outcome.notes = try Self.openNotes(db, plan: plan.notes)
            return outcome
        }
    }

    /// Lines naming who got fewer or fallback peers, who has no atasan review and whose atasan
    /// review an acting or outside appraiser writes (at most `notesPerKind` names of each).
    static func openNotes(_ db: Database, plan: AssignmentPlanNotes) throws -> [String] {
        var names: [String: String] = [:]
        let wanted = plan.rekanShortfalls.prefix(notesPerKind).map(\.subject) + plan.rekanFallbacks.prefix(notesPerKind).map(\.subject)
            + plan.subjectsWithoutAtasan.prefix(notesPerKind)
        let list = "[" + wanted.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        for row in try Row.fetchAll(db, sql: "SELECT nip, nama FROM employee WHERE nip IN (SELECT value FROM json_each(?))",
                                    arguments: [list]) {
            names[row[0]] = row[1]
        }
        func who(_ nip: NIP) -> String { names[nip.description].map { "\(nip) \($0)" } ?? nip.description }
        func more(_ n: Int) -> String { n > notesPerKind ? "; and \(n - notesPerKind) more" : "" }
        var notes: [String] = []
        if !plan.rekanShortfalls.isEmpty {
            notes.append("\(plan.rekanShortfalls.count) got fewer rekan than wanted: " + plan.rekanShortfalls.prefix(notesPerKind).map {
                "\(who($0.subject)) (\($0.unit), \($0.assigned) of \($0.wanted), \($0.reason == .unitTooSmall ? "only \($0.eligiblePeers) eligible" : "reviewers at their cap"))"
            }.joined(separator: "; ") + more(plan.rekanShortfalls.count))
        }
        if !plan.rekanFallbacks.isEmpty {
            notes.append("\(plan.rekanFallbacks.count) got rekan from outside their sub-unit or level: " + plan.rekanFallbacks.prefix(notesPerKind).map {
                "\(who($0.subject)) (\($0.unit), \($0.fallback) of \($0.preferred + $0.fallback))"
            }.joined(separator: "; ") + more(plan.rekanFallbacks.count))
        }
        if !plan.subjectsWithoutAtasan.isEmpty {
            notes.append("\(plan.subjectsWithoutAtasan.count) have no atasan review (no active atasan, acting or outside appraiser; "
                + "no predikat without it): " + plan.subjectsWithoutAtasan.prefix(notesPerKind).map(who).joined(separator: "; ")
                + more(plan.subjectsWithoutAtasan.count))
        }
        let acting = plan.atasanSources.filter { $0.value == .plt || $0.value == .plh }.count
        let outside = plan.atasanSources.filter { $0.value == .external }.count
        if acting > 0 { notes.append("\(acting) atasan reviews are written by an acting appraiser (Plt./Plh.)") }
        if outside > 0 { notes.append("\(outside) atasan reviews are written by appraisers outside the employee file") }
        return notes
    }

    /// Names listed per kind of note in a cycle-open summary.
    static let notesPerKind = 20

    /// Every cycle, newest period first, with completion counts.
    public func cycles() throws -> [CycleInfo] {
        try writer.read { db in try Self.fetchCycles(db, whereSQL: "", arguments: []) }
    }

    /// One cycle by id or period.
    public func cycle(_ reference: CycleReference) throws -> CycleInfo {
        try writer.read { db in
            guard let c = try Self.findCycle(db, reference) else { throw CycleStoreError.notFound(what: "cycle", id: reference.description) }
            return c
        }
    }

    /// The open cycles, oldest period first.
    public func openCycles() throws -> [CycleInfo] {
        try writer.read { db in try Self.fetchCycles(db, whereSQL: "WHERE c.status = 'open'", arguments: []) }.reversed()
    }

    /// A cycle with its completion per role and per unit; `at` decides what is overdue.
    public func cycleDetail(_ reference: CycleReference, at now: Date) throws -> CycleDetail {
        try writer.read { db in
            guard let c = try Self.findCycle(db, reference) else { throw CycleStoreError.notFound(what: "cycle", id: reference.description) }
            let rows = try Self.cycleRows(db, cycle: c.id)
            func completions(_ column: String, name: String, join: String = "") throws -> [Completion] {
                try Row.fetchAll(db, sql: """
                    SELECT \(name) AS name, x.total, x.submitted, x.late, x.overdue FROM (
                      SELECT \(column) AS k, COUNT(*) AS total, COUNT(submitted_at) AS submitted, SUM(submitted_at > due_at) AS late,
                             SUM(submitted_at IS NULL AND due_at < ?) AS overdue
                      FROM assignment WHERE \(rows.condition) GROUP BY k) x \(join)
                    ORDER BY 1
                    """, arguments: StatementArguments([StoredTime.seconds(now)] + rows.arguments)).map { row in
                    let total: Int = row["total"], submitted: Int = row["submitted"]
                    return Completion(name: row["name"], total: total, submitted: submitted, late: row["late"] ?? 0,
                                      open: total - submitted, overdue: c.status == .open ? (row["overdue"] ?? 0) : 0)
                }
            }
            var roles = try completions("role", name: RoleCode.nameSQL("x.k"))
            let order = Dictionary(uniqueKeysWithValues: ReviewerRole.allCases.enumerated().map { ($1.rawValue, $0) })
            roles.sort { (order[$0.name] ?? 9) < (order[$1.name] ?? 9) }
            return CycleDetail(cycle: c, roles: roles,
                               units: try completions("subject_unit_id", name: "u.code", join: "JOIN unit_key u ON u.id = x.k"))
        }
    }

    /// A cycle's assignments as a range of ids (`condition` with its `arguments`, for `FROM assignment`):
    /// a cycle's rows are inserted by its open, in one transaction, so their ids are consecutive, and
    /// reading the range follows the table's order where going through an index looks up each row
    /// apart (a cycle report at 25,000 employees: 0.1 s against 1.4 s). The cycle test (not indexed,
    /// `+cycle_id`) keeps it exact whatever the ids.
    static func cycleRows(_ db: Database, cycle: Int64) throws -> (condition: String, arguments: [Int64]) {
        let row = try Row.fetchOne(db, sql: "SELECT MIN(id), MAX(id) FROM assignment WHERE cycle_id = ?", arguments: [cycle])
        let low: Int64? = row?[0], high: Int64? = row?[1]
        return ("id BETWEEN ? AND ? AND +cycle_id = ?", [low ?? 0, high ?? -1, cycle])
    }

    static func findCycle(_ db: Database, _ reference: CycleReference) throws -> CycleInfo? {
        switch reference {
        case .id(let id): return try fetchCycles(db, whereSQL: "WHERE c.id = ?", arguments: [id]).first
        case .period(let p): return try fetchCycles(db, whereSQL: "WHERE c.period = ?", arguments: [p.code]).first
        }
    }

    /// A cycle's own row without the counts of its assignments, for the lookups on a request's path (a
    /// reviewer's page, a submission, a link) that need its identity, status and dates only. The
    /// counts read an index entry per assignment of the cycle (about 150,000 for 25,000 employees,
    /// some 40 ms), several times per web request. Its `assignments`, `submitted` and `late` are 0:
    /// never show a cycle found here.
    static func findCycleRow(_ db: Database, _ reference: CycleReference) throws -> CycleInfo? {
        switch reference {
        case .id(let id): return try fetchCycles(db, whereSQL: "WHERE c.id = ?", arguments: [id], counts: false).first
        case .period(let p): return try fetchCycles(db, whereSQL: "WHERE c.period = ?", arguments: [p.code], counts: false).first
        }
    }

    /// Cycles with their counts; each count is answered by an index alone (the unique key's prefix,
    /// and the partial indexes `assignment_open` and `assignment_late`), never by reading the rows.
    /// Without `counts` they are 0 (see `findCycleRow`).
    static func fetchCycles(_ db: Database, whereSQL: String, arguments: StatementArguments, counts: Bool = true) throws -> [CycleInfo] {
        try Row.fetchAll(db, sql: """
            SELECT \(counts ? cycleColumns : "c.*, 0 AS n_total, 0 AS n_open, 0 AS n_late") FROM cycle c \(whereSQL)
            ORDER BY c.period_start DESC, c.kind
            """, arguments: arguments, cached: true).map(cycleInfo)
    }

    static let cycleColumns = """
        c.*, (SELECT COUNT(*) FROM assignment a WHERE a.cycle_id = c.id) AS n_total,
        (SELECT COUNT(*) FROM assignment a WHERE a.cycle_id = c.id AND a.submitted_at IS NULL) AS n_open,
        (SELECT COUNT(*) FROM assignment a WHERE a.cycle_id = c.id AND a.submitted_at > a.due_at) AS n_late
        """

    /// One page of `cycles()`: at most `limit` cycles after `cursor`, in the same order.
    public func cyclePage(after cursor: PageCursor?, limit: Int) throws -> Page<CycleInfo> {
        try writer.read { db in
            // Newest period first; of two periods starting the same day, the kinds in alphabetical order.
            let kindRank = "CASE c.kind WHEN 'annual' THEN 3 WHEN 'monthly' THEN 2 WHEN 'quarterly' THEN 1 ELSE 0 END"
            let query = KeysetQuery(select: Self.cycleColumns, from: "FROM cycle c", conditions: [], arguments: [],
                                    keys: ["c.period_start", kindRank, "c.id"], descending: true)
            return try query.page(db, after: cursor, limit: limit, Self.cycleInfo)
        }
    }

    static func cycleInfo(_ row: Row) -> CycleInfo {
        let period = (try? Period(parsing: row["period"] as String))!
        return CycleInfo(
            id: row["id"], period: period, kind: period.kind, status: CycleInfo.Status(rawValue: row["status"]) ?? .open,
            openedAt: row["opened_at"], openedBy: row["opened_by"], dueAt: row["due_at"], closedAt: row["closed_at"],
            closedBy: row["closed_by"], forced: row["forced"], closeReason: row["force_reason"],
            assignments: row["n_total"], submitted: (row["n_total"] as Int) - (row["n_open"] as Int), late: row["n_late"],
            rekanPerSubject: row["rekan_per_subject"], rekanCapPerReviewer: row["rekan_cap"], rekanSeed: row["rekan_seed"])
    }

    static func countByRole(_ db: Database, cycle: Int64) throws -> [String: Int] {
        var result: [String: Int] = [:]
        for role in ReviewerRole.allCases { result[role.rawValue] = 0 }
        for row in try Row.fetchAll(db, sql: """
            SELECT \(RoleCode.nameSQL("role")), COUNT(*) FROM assignment WHERE cycle_id = ? GROUP BY role
            """, arguments: [cycle]) {
            result[row[0]] = row[1]
        }
        return result
    }
}
