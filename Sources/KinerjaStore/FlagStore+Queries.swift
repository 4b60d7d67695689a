import Foundation
import GRDB
import KinerjaDomain

/// Reading flags (list, show, summary, per-unit counts for a cycle report) and the life cycle
/// changes a person makes (open → acknowledged → resolved or dismissed, each change with the
/// admin's uid/name, time and note; history kept).
extension AppDatabase {
    static let flagColumns = """
        f.id, f.identity, f.rule, f.subject_nip, e.nama, f.unit_code, f.window_start, f.window_end, f.severity, f.status,
        f.condition_cleared, f.cleared_at, f.ratio, f.concurrent_rules, f.follow_up, f.resolution, f.created_at, f.updated_at
        """

    /// Flags matching `filter`, most severe first (then unit, rule, NIP), at most `filter.limit`; how
    /// many match in all; and how many open or acknowledged ones were left out because their
    /// condition cleared (0 with `includeCleared`).
    public func flags(_ filter: FlagFilter) throws -> (rows: [FlagRecord], total: Int, hiddenCleared: Int) {
        let page = try flagPage(filter, after: nil, limit: filter.limit)
        return (page.rows, page.total ?? page.rows.count, try hiddenClearedFlags(filter))
    }

    /// An open or acknowledged flag whose pattern no longer holds.
    static let clearedCondition = "f.condition_cleared AND f.status IN ('open', 'acknowledged')"

    /// How many flags matching `filter` but for their condition `flagPage` leaves out because it
    /// cleared; 0 with `includeCleared`.
    public func hiddenClearedFlags(_ filter: FlagFilter) throws -> Int {
        guard !filter.includeCleared else { return 0 }
        return try writer.read { db in
            let (conditions, arguments) = Self.flagConditions(filter, cleared: true)
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM flag f WHERE " + conditions.joined(separator: " AND "),
                                    arguments: StatementArguments(arguments)) ?? 0
        }
    }

    /// The filter's conditions; `cleared`: only the flags left out for a cleared condition, else
    /// without them unless `includeCleared`.
    static func flagConditions(_ filter: FlagFilter, cleared: Bool = false) -> ([String], [any DatabaseValueConvertible]) {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        let statuses = (filter.statuses ?? [.open, .acknowledged]).map(\.rawValue).sorted()
        conditions.append("f.status IN (" + statuses.map { _ in "?" }.joined(separator: ",") + ")")
        arguments += statuses
        if let unit = filter.unit { conditions.append("f.unit_code = ? COLLATE NOCASE"); arguments.append(unit) }
        if let rule = filter.rule { conditions.append("f.rule = ?"); arguments.append(rule.rawValue) }
        if let severity = filter.severity { conditions.append("f.severity = ?"); arguments.append(severity.rawValue) }
        if let nip = filter.nip { conditions.append("f.subject_nip = ?"); arguments.append(nip.description) }
        if cleared {
            conditions.append(clearedCondition)
        } else if !filter.includeCleared {
            conditions.append("NOT (\(clearedCondition))")
        }
        return (conditions, arguments)
    }

    /// The listing's order: most severe first, then unit, rule, NIP. The same expressions as the index
    /// `flag_listing` (`Migrations.registerFlagListing`), which SQLite matches by their text.
    static let flagListingOrder = ["CASE f.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END", "COALESCE(f.unit_code, '')",
                                   "f.rule", "f.subject_nip", "f.id"]

    /// One page of `flags(_:)` (`filter.limit` is not applied): at most `limit` rows after `cursor`.
    public func flagPage(_ filter: FlagFilter, after cursor: PageCursor?, limit: Int) throws -> Page<FlagRecord> {
        try writer.read { db in try Self.flagQuery(filter).page(db, after: cursor, limit: limit, Self.flagRecord) }
    }

    /// `flagPage`'s query. The work list (open and acknowledged flags, no other filter) is read in
    /// `flag_listing`'s order and a page stops at its last row (a following page seeks to its severity
    /// first); SQLite, left to itself, takes `flag_status` for the status filter and sorts every
    /// matching flag on each page (115–170 ms at 21,942 flags). A narrower filter (a unit, a rule, a
    /// severity, a NIP, other statuses) is left to the planner: it seeks `flag_status` or the NIP and
    /// sorts the few rows, where a walk of the listing would read every flag, resolved and cleared
    /// ones too, to find them. The total counts `flag_status` alone: the employee join matches at
    /// most one row per flag.
    static func flagQuery(_ filter: FlagFilter) -> KeysetQuery {
        let (conditions, arguments) = flagConditions(filter)
        let workList = filter.statuses == nil && filter.unit == nil && filter.rule == nil && filter.severity == nil && filter.nip == nil
        return KeysetQuery(
            select: flagColumns,
            from: "FROM flag f \(workList ? "INDEXED BY flag_listing " : "")LEFT JOIN employee e ON e.nip = f.subject_nip",
            conditions: conditions, arguments: arguments, keys: flagListingOrder, countFrom: "FROM flag f",
            seeksFirstKey: workList)
    }

    /// One flag with its evidence and history.
    public func flag(id: Int64) throws -> FlagDetail {
        try writer.read { db in try Self.flagDetail(db, id: id) }
    }

    static func flagDetail(_ db: Database, id: Int64) throws -> FlagDetail {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT \(flagColumns), f.evidence FROM flag f LEFT JOIN employee e ON e.nip = f.subject_nip WHERE f.id = ?
            """, arguments: [id]) else { throw FlagStoreError.notFound(id: id) }
        let evidence = try evidenceDecoder().decode(FlagEvidence.self, from: Data((row["evidence"] as String).utf8))
        let events = try Row.fetchAll(db, sql: """
            SELECT action, at, actor_uid, actor, note, from_status, to_status, from_severity, to_severity
            FROM flag_event WHERE flag_id = ? ORDER BY at, id
            """, arguments: [id]).map { e in
            FlagEventRecord(action: e[0], at: e[1], actorUID: e[2], actor: e[3], note: e[4],
                            fromStatus: (e[5] as String?).flatMap(FlagStatus.init(rawValue:)),
                            toStatus: (e[6] as String?).flatMap(FlagStatus.init(rawValue:)),
                            fromSeverity: (e[7] as String?).flatMap(FlagSeverity.init(rawValue:)),
                            toSeverity: (e[8] as String?).flatMap(FlagSeverity.init(rawValue:)))
        }
        return FlagDetail(flag: flagRecord(row), evidence: evidence, events: events)
    }

    static func flagRecord(_ row: Row) -> FlagRecord {
        let start = (try? Period(parsing: row["window_start"] as String))
        let end = (try? Period(parsing: row["window_end"] as String))
        let window = PeriodWindow(start: start ?? end!, end: end ?? start!)
        return FlagRecord(
            id: row["id"], identity: row["identity"], rule: MotivationRule(rawValue: row["rule"]) ?? .decliningTrend,
            nip: NIP(row["subject_nip"] as String)!, name: row["nama"], unit: row["unit_code"], window: window,
            severity: FlagSeverity(rawValue: row["severity"]) ?? .info, status: FlagStatus(rawValue: row["status"]) ?? .open,
            conditionCleared: row["condition_cleared"], clearedAt: row["cleared_at"], ratio: row["ratio"],
            concurrentRules: (row["concurrent_rules"] as String).split(separator: ",").compactMap { MotivationRule(rawValue: String($0)) },
            followUp: FollowUpAction(rawValue: row["follow_up"]) ?? .dialogKinerja,
            resolution: (row["resolution"] as String?).flatMap(FlagResolution.init(rawValue:)),
            createdAt: row["created_at"], updatedAt: row["updated_at"])
    }

    /// Flags per unit and rule, by status, sorted by unit then rule.
    public func flagSummary() throws -> [FlagCount] {
        try writer.read { db in
            var counts: [String: FlagCount] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT COALESCE(unit_code, '-'), rule, status, COUNT(*), SUM(condition_cleared) FROM flag GROUP BY 1, 2, 3
                """) {
                guard let rule = MotivationRule(rawValue: row[1]), let status = FlagStatus(rawValue: row[2]) else { continue }
                let unit: String = row[0]
                var c = counts[unit + "/" + rule.rawValue] ?? FlagCount(unit: unit, rule: rule)
                let n: Int = row[3]
                switch status {
                case .open: c.open += n
                case .acknowledged: c.acknowledged += n
                case .resolved: c.resolved += n
                case .dismissed: c.dismissed += n
                }
                if status.isActive { c.conditionCleared += row[4] as Int? ?? 0 }
                counts[unit + "/" + rule.rawValue] = c
            }
            return counts.values.sorted { ($0.unit, $0.rule) < ($1.unit, $1.rule) }
        }
    }

    /// Flags (all but dismissed ones) whose window overlaps `period`, per unit and rule: the
    /// motivation column of a cycle report. `unit` limits to one unit (any case).
    public func flagCounts(overlapping period: Period, unit: String? = nil) throws -> [String: [MotivationRule: Int]] {
        try writer.read { db in
            var arguments: [any DatabaseValueConvertible] = [period.end.description, period.start.description]
            var unitFilter = ""
            if let unit { unitFilter = " AND unit_code = ? COLLATE NOCASE"; arguments.append(unit) }
            var result: [String: [MotivationRule: Int]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT unit_code, rule, COUNT(*) FROM flag
                WHERE status <> 'dismissed' AND window_start_date <= ? AND window_end_date >= ? AND unit_code IS NOT NULL\(unitFilter)
                GROUP BY unit_code, rule
                """, arguments: StatementArguments(arguments)) {
                if let rule = MotivationRule(rawValue: row[1]) { result[row[0], default: [:]][rule] = row[2] }
            }
            return result
        }
    }

    /// A person acknowledges, resolves or dismisses a flag, with a note (required) and, to resolve,
    /// what was done. Refused with `FlagStoreError.invalidTransition` when the status does not allow
    /// it; the change and its event are one transaction. Returns the flag as changed.
    public func changeFlag(id: Int64, action: FlagAction, resolution: FlagResolution? = nil, note: String,
                           by actor: FlagActor, at now: Date) throws -> FlagDetail {
        let trimmed = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw FlagStoreError.invalidInput("note: a note is required (what was seen, decided or done)") }
        guard trimmed.count <= 2000 else { throw FlagStoreError.invalidInput("note: at most 2000 characters, found \(trimmed.count)") }
        if action == .resolve && resolution == nil {
            throw FlagStoreError.invalidInput("action: resolving needs the action taken (\(FlagResolution.spellings))")
        }
        return try writer.write { db in
            guard let text = try String.fetchOne(db, sql: "SELECT status FROM flag WHERE id = ?", arguments: [id]) else {
                throw FlagStoreError.notFound(id: id)
            }
            let status = FlagStatus(rawValue: text) ?? .open
            let target: FlagStatus
            do {
                target = try action.transition(from: status)
            } catch let error as FlagTransitionError {
                throw FlagStoreError.invalidTransition(id: id, error)
            }
            try db.execute(sql: "UPDATE flag SET status = ?, resolution = ?, updated_at = ? WHERE id = ?",
                           arguments: [target.rawValue, action == .resolve ? resolution?.rawValue : nil, now, id])
            try Self.addFlagEvent(db, flag: id, at: now, actor: actor, action: target.rawValue, note: trimmed,
                                  fromStatus: status, toStatus: target)
            return try Self.flagDetail(db, id: id)
        }
    }
}
