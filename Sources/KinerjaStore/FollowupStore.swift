import Foundation
import GRDB
import KinerjaDomain

/// Follow-up tasks: created from flags (set-based, idempotent), moved along their life cycle by the
/// follow-up pass, recorded by the atasan (web) or an admin (CLI), listed and shown.
extension AppDatabase {
    static let followupColumns = """
        fu.id, fu.flag_id, f.rule, f.severity, sp.nip AS subject_nip, se.nama AS subject_name, fuu.code AS unit_code,
        apn.nip AS appraiser_nip,
        COALESCE(ae.nama, ap.nama) AS appraiser_name, fu.appraiser_source, fu.recommendation, fu.status, fu.created_at,
        fu.created_on, fu.due_date, COALESCE(json_extract(f.evidence, '$.penjelasan'), '') AS seen, fu.held_on,
        fu.agreed_action, fu.note, fu.next_check, fu.recorded_by, fu.recorded_via, fu.recorded_at, fu.updated_at
        """
    /// A task with its flag, and its people and unit by their NIPs and code (`person`, `unit_key`): the
    /// subject (`sp`, `se` when in the employee file), the unit (`fuu`), the appraiser (`apn`; `ae` an
    /// employee, `ap` an appraiser outside the file).
    static let followupFrom = """
        FROM followup fu JOIN flag f ON f.id = fu.flag_id
        JOIN person sp ON sp.id = fu.subject_id
        LEFT JOIN unit_key fuu ON fuu.id = fu.unit_id
        LEFT JOIN person apn ON apn.id = fu.appraiser_id
        LEFT JOIN employee se ON se.nip = sp.nip
        LEFT JOIN employee ae ON ae.nip = apn.nip
        LEFT JOIN appraiser ap ON ap.nip = apn.nip
        """

    static func followupRecord(_ row: Row) -> FollowupRecord {
        var outcome: FollowupOutcome?
        if let held = (row["held_on"] as String?).flatMap(CalendarDate.init(iso:)),
           let action = (row["agreed_action"] as String?).flatMap(FollowupAgreedAction.init(rawValue:)) {
            outcome = FollowupOutcome(heldOn: held, action: action, note: row["note"] ?? "",
                                      nextCheck: (row["next_check"] as String?).flatMap(CalendarDate.init(iso:)))
        }
        let createdOn = CalendarDate(iso: row["created_on"]) ?? CalendarDate(daysSinceEpoch: 0)
        return FollowupRecord(
            id: row["id"], flagID: row["flag_id"], rule: MotivationRule(rawValue: row["rule"]) ?? .decliningTrend,
            severity: FlagSeverity(rawValue: row["severity"]) ?? .warning, subject: NIP(row["subject_nip"] as String)!,
            subjectName: row["subject_name"], unit: row["unit_code"], appraiser: (row["appraiser_nip"] as String?).flatMap(NIP.init),
            appraiserName: row["appraiser_name"], appraiserSource: row["appraiser_source"],
            recommendation: FollowUpAction(rawValue: row["recommendation"]) ?? .dialogKinerja,
            status: FollowupStatus(rawValue: row["status"]) ?? .open, createdAt: row["created_at"], createdOn: createdOn,
            due: CalendarDate(iso: row["due_date"]) ?? createdOn, seen: row["seen"], outcome: outcome,
            recordedBy: row["recorded_by"], recordedVia: row["recorded_via"], recordedAt: row["recorded_at"], updatedAt: row["updated_at"])
    }

    /// Creates a task for every open or acknowledged flag of a severity in `policy.severities` whose
    /// condition still holds and that has none yet, in one statement: `followup.flag_id` is unique, so
    /// running it again, after a crash or a re-analysis, creates nothing. The atasan is the active
    /// acting appraiser (Plt/Plh), else the active atasan in the file, else whoever was assigned the
    /// subject's latest atasan review (an appraiser outside the file).
    public func createFollowups(_ policy: FollowupPolicy, today: CalendarDate, now: Date) throws -> [FollowupRecord] {
        try writer.write { db in
            let created = try Self.createFollowupTasks(db, policy, today: today, now: now)
            return try Self.followups(db, created: created, after: nil, limit: nil)
        }
    }

    /// `createFollowups` without reading the tasks: their ids, `(after, upTo]` (none when equal), to
    /// read a page at a time (`followups(created:after:limit:)`): at 250,000 employees a quarter's
    /// close creates about 10,000 tasks.
    public func createFollowupTasks(_ policy: FollowupPolicy, today: CalendarDate, now: Date) throws -> FollowupIDs {
        try writer.write { db in try Self.createFollowupTasks(db, policy, today: today, now: now) }
    }

    /// The statement, then a `created` event per new task in id order. The writer is held, so the new
    /// ids are the ones above the largest before.
    static func createFollowupTasks(_ db: Database, _ policy: FollowupPolicy, today: CalendarDate, now: Date) throws -> FollowupIDs {
        let largest = "SELECT COALESCE(MAX(id), 0) FROM followup"
        let before = try Int64.fetchOne(db, sql: largest) ?? 0
        try db.execute(sql: followupKeysSQL(policy.severities))
        try db.execute(sql: createFollowupsSQL(policy.severities),
                       arguments: [now, today.description, today.adding(days: policy.dueAfterDays).description, now])
        let created = FollowupIDs(after: before, upTo: try Int64.fetchOne(db, sql: largest) ?? 0, count: db.changesCount)
        if created.count > 0 {
            try db.execute(sql: """
                INSERT INTO followup_event(followup_id, at, actor, action)
                SELECT id, ?, 'motivation-analysis', 'created' FROM followup WHERE id > ? ORDER BY id
                """, arguments: [now, before])
        }
        return created
    }

    /// The tasks of `created` after task `after` (the last page's last id), at most `limit`, in id order.
    public func followups(created: FollowupIDs, after: Int64? = nil, limit: Int = 500) throws -> [FollowupRecord] {
        try writer.read { db in try Self.followups(db, created: created, after: after, limit: limit) }
    }

    static func followups(_ db: Database, created: FollowupIDs, after: Int64?, limit: Int?) throws -> [FollowupRecord] {
        try Row.fetchAll(db, sql: followupsPageSQL, arguments: [max(after ?? created.after, created.after), created.upTo, limit ?? -1])
            .map(followupRecord)
    }

    static let followupsPageSQL = "SELECT \(followupColumns) \(followupFrom) WHERE fu.id > ? AND fu.id <= ? ORDER BY fu.id LIMIT ?"

    /// The statement of `createFollowups`. The subject's latest atasan review (for an appraiser outside
    /// the file) is looked up per task that needs it: the cycles, newest first, each probed in the
    /// unique key (cycle_id, subject_id, role, …). A window over every atasan assignment instead read
    /// the whole table, every cycle the city ever had, on each pass (`FollowupStoreTests`).
    static func createFollowupsSQL(_ severities: [FlagSeverity]) -> String {
        """
        \(followupCandidatesSQL(severities))
        INSERT OR IGNORE INTO followup(flag_id, subject_id, unit_id, appraiser_id, appraiser_source, recommendation,
                                       status, created_at, created_on, due_date, updated_at)
        SELECT c.id, sp.id, u.id, ap.id, CASE WHEN c.appraiser IS NOT NULL THEN c.source END,
               c.follow_up, 'open', ?, ?, ?, ?
        FROM chosen c JOIN person sp ON sp.nip = c.subject_nip LEFT JOIN unit_key u ON u.code = c.unit_code
        LEFT JOIN person ap ON ap.nip = c.appraiser
        ORDER BY c.id
        """
    }

    /// The `person` and `unit_key` rows the new tasks name, added first: a flag's subject and unit are
    /// the results' (or the reviewer's), known already, but an atasan imported since the last cycle
    /// opened is not.
    static func followupKeysSQL(_ severities: [FlagSeverity]) -> String {
        """
        \(followupCandidatesSQL(severities))
        INSERT OR IGNORE INTO person(nip) SELECT subject_nip FROM chosen UNION SELECT appraiser FROM chosen WHERE appraiser IS NOT NULL;
        \(followupCandidatesSQL(severities))
        INSERT OR IGNORE INTO unit_key(code) SELECT DISTINCT unit_code FROM chosen WHERE unit_code IS NOT NULL;
        """
    }

    /// The flags wanting a task (`candidate`) and each one's appraiser and its source (`chosen`).
    static func followupCandidatesSQL(_ severities: [FlagSeverity]) -> String {
        """
        WITH candidate AS (
            SELECT f.id, f.subject_nip, f.unit_code, f.follow_up FROM flag f
            WHERE f.status IN ('open', 'acknowledged') AND f.condition_cleared = 0
              AND f.severity IN (\(severities.map { "'\($0.rawValue)'" }.joined(separator: ", ")))
              AND NOT EXISTS (SELECT 1 FROM followup x WHERE x.flag_id = f.id)
        ), chosen AS (
            SELECT c.*, CASE WHEN pl.nip IS NOT NULL THEN pl.nip WHEN su.nip IS NOT NULL THEN su.nip
                             ELSE (SELECT r.nip FROM person sp CROSS JOIN cycle cy
                                   CROSS JOIN assignment a ON a.cycle_id = cy.id AND a.subject_id = sp.id AND a.role = \(ReviewerRole.atasan.code)
                                   CROSS JOIN person r ON r.id = a.reviewer_id
                                   WHERE sp.nip = c.subject_nip ORDER BY cy.period_end DESC, a.id DESC LIMIT 1) END AS appraiser,
                   CASE WHEN pl.nip IS NOT NULL THEN e.acting_kind WHEN su.nip IS NOT NULL THEN 'supervisor' ELSE 'appraiser' END AS source
            FROM candidate c
            LEFT JOIN employee e ON e.nip = c.subject_nip
            LEFT JOIN employee pl ON pl.nip = e.acting_nip AND pl.aktif AND pl.nip <> c.subject_nip
            LEFT JOIN employee su ON su.nip = e.supervisor_nip AND su.aktif AND su.nip <> c.subject_nip
        )
        """
    }

    static func followups(_ db: Database, ids: [Int64]) throws -> [FollowupRecord] {
        var result: [FollowupRecord] = []
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            result += try Row.fetchAll(db, sql: "SELECT \(followupColumns) \(followupFrom) WHERE fu.id IN (\(marks)) ORDER BY fu.id",
                                       arguments: StatementArguments(chunk)).map(followupRecord)
        }
        return result
    }

    /// Moves tasks along by the calendar on `today` (open → overdue → escalated, held → closed), with
    /// an event each; set-based per transition, idempotent.
    public func advanceFollowups(_ policy: FollowupPolicy, today: CalendarDate, now: Date) throws -> [FollowupTransition] {
        try writer.write { db in try Self.advanceFollowups(db, policy, today: today, now: now) }
    }

    static func advanceFollowups(_ db: Database, _ policy: FollowupPolicy, today: CalendarDate, now: Date) throws -> [FollowupTransition] {
        let escalateBefore = today.adding(days: -policy.escalateAfterDays).description
        let steps: [(from: FollowupStatus, to: FollowupStatus, condition: String, argument: String)] = [
            (.open, .escalated, "due_date < ?", escalateBefore),
            (.overdue, .escalated, "due_date < ?", escalateBefore),
            (.open, .overdue, "due_date < ?", today.description),
            (.held, .closed, "(next_check IS NULL OR next_check <= ?)", today.description),
        ]
        var transitions: [FollowupTransition] = []
        let event = try db.cachedStatement(sql: "INSERT INTO followup_event(followup_id, at, actor, action) VALUES (?, ?, 'followup-pass', ?)")
        for step in steps {
            let moved = try Int64.fetchAll(db, sql: """
                UPDATE followup SET status = ?, updated_at = ? WHERE status = ? AND \(step.condition) RETURNING id
                """, arguments: [step.to.rawValue, now, step.from.rawValue, step.argument])
            for id in moved { try event.execute(arguments: [id, now, step.to.rawValue]) }
            transitions += try Self.followups(db, ids: moved.sorted()).map { FollowupTransition(followup: $0, from: step.from, to: step.to) }
        }
        return transitions
    }

    /// Records the outcome of a task that awaits one (open, overdue or escalated): it becomes held.
    public func recordFollowupOutcome(id: Int64, _ outcome: FollowupOutcome, by actor: String, via: String,
                                      now: Date) throws -> FollowupRecordResult {
        try writer.write { db in
            guard let text = try String.fetchOne(db, sql: "SELECT status FROM followup WHERE id = ?", arguments: [id]) else {
                return .notFound
            }
            let status = FollowupStatus(rawValue: text) ?? .closed
            guard status.awaitsOutcome else { return .notAwaiting(status) }
            try db.execute(sql: """
                UPDATE followup SET status = 'held', held_on = ?, agreed_action = ?, note = ?, next_check = ?, recorded_by = ?,
                                    recorded_via = ?, recorded_at = ?, updated_at = ? WHERE id = ?
                """, arguments: [outcome.heldOn.description, outcome.action.rawValue, outcome.note, outcome.nextCheck?.description,
                                 actor, via, now, now, id])
            try db.execute(sql: "INSERT INTO followup_event(followup_id, at, actor, action, note) VALUES (?, ?, ?, 'held', ?)",
                           arguments: [id, now, actor, "\(outcome.action.rawValue) via \(via), was \(status.rawValue)"])
            return .recorded(try Self.followups(db, ids: [id])[0])
        }
    }

    /// One page of tasks, soonest due first.
    public func followupPage(_ filter: FollowupFilter, after cursor: PageCursor?, limit: Int) throws -> Page<FollowupRecord> {
        try writer.read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if filter.statuses.count < FollowupStatus.allCases.count {
                conditions.append("fu.status IN (\(filter.statuses.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")))")
            }
            if let unit = filter.unit {
                conditions.append("fu.unit_id IN (SELECT id FROM unit_key WHERE code = ? COLLATE NOCASE)")
                arguments.append(unit)
            }
            // By the person's id: `followup_appraiser` and `followup_subject` (`PersonKeyPlanTests`).
            if let a = filter.appraiser { conditions.append("fu.appraiser_id = (SELECT id FROM person WHERE nip = ?)"); arguments.append(a.description) }
            if let s = filter.subject { conditions.append("fu.subject_id = (SELECT id FROM person WHERE nip = ?)"); arguments.append(s.description) }
            let query = KeysetQuery(select: Self.followupColumns, from: Self.followupFrom, conditions: conditions, arguments: arguments,
                                    keys: ["fu.due_date", "fu.id"])
            return try query.page(db, after: cursor, limit: limit, Self.followupRecord)
        }
    }

    /// One task and its history; nil when there is none.
    public func followup(id: Int64) throws -> (FollowupRecord, [FollowupEvent])? {
        try writer.read { db in
            guard let record = try Self.followups(db, ids: [id]).first else { return nil }
            let events = try Row.fetchAll(db, sql: "SELECT at, actor, action, note FROM followup_event WHERE followup_id = ? ORDER BY id",
                                          arguments: [id]).map { FollowupEvent(at: $0["at"], actor: $0["actor"], action: $0["action"], note: $0["note"]) }
            return (record, events)
        }
    }

    /// A unit's name, for the follow-up page.
    public func unitName(_ code: String?) throws -> String? {
        guard let code else { return nil }
        return try writer.read { db in try String.fetchOne(db, sql: "SELECT name FROM unit WHERE code = ?", arguments: [code]) }
    }

    // MARK: Links

    /// Stores the personal links a follow-up message carries (`tokens`: task id → token SHA-256), in
    /// one transaction committed before the message is handed to the mail system, without revoking
    /// earlier ones (a message sent again after an unknown outcome carries new links while the first
    /// copy's still open). A task id that names no task gets none. Returns the ids of
    /// the tasks whose link was stored.
    public func addFollowupLinks(tokens: [Int64: Data], now: Date) throws -> Set<Int64> {
        try writer.write { db in
            var stored = Set<Int64>()
            for (id, hash) in tokens.sorted(by: { $0.key < $1.key }) {
                guard try Int.fetchOne(db, sql: "SELECT 1 FROM followup WHERE id = ?", arguments: [id]) != nil else { continue }
                try db.execute(sql: "INSERT INTO followup_link(followup_id, token_sha256, created_at) VALUES (?, ?, ?)",
                               arguments: [id, hash, now])
                stored.insert(id)
            }
            return stored
        }
    }

    /// The task a link opens, or nil for an unknown or revoked token. A closed task's link still opens
    /// its (read-only) page; a deleted flag takes its task and links with it.
    public func followupLink(tokenHash: Data) throws -> FollowupRecord? {
        try writer.read { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT followup_id FROM followup_link WHERE token_sha256 = ? AND revoked_at IS NULL",
                                              arguments: [tokenHash]) else { return nil }
            return try Self.followups(db, ids: [id]).first
        }
    }
}
