import Foundation
import GRDB
import KinerjaDomain
import KinerjaPausePoints

/// Writing the analysis' findings as flags: new flags inserted, open ones given the
/// latest evidence, severity changes and cleared conditions recorded; all in one transaction.
extension AppDatabase {
    /// The JSON form of evidence in the `flag` table (sorted snake_case keys, so equal evidence is
    /// equal text and a re-run writes nothing).
    static func evidenceEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        return encoder
    }

    static func evidenceDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// Applies one analysis run's findings, in one transaction. Idempotent: the same findings again
    /// change nothing.
    ///
    /// - A finding whose identity has no flag becomes a new open flag (event `created`).
    /// - An open or acknowledged flag found again gets the finding's evidence, window end, ratio,
    ///   severity and follow-up when any of them changed; a severity change is an event
    ///   (`escalated`/`deescalated`), and a flag whose condition had cleared is marked as holding
    ///   again (`condition_returned`).
    /// - A resolved or dismissed flag is left as it is, even when its pattern continues.
    /// - An open or acknowledged flag not found any more is marked `condition_cleared` (event
    ///   `condition_cleared`) and stays open until a person resolves or dismisses it.
    /// - Except a leftover of loading history: an open flag (nobody acknowledged it) cleared by a
    ///   later closed period of the same kind whose recorded close time is before the flag was
    ///   raised. Such a flag exists only because the analysis ran between two replayed closes; had
    ///   the periods closed when their records say, it would never have been raised. The analysis
    ///   dismisses it (event `dismissed` by motivation-analysis, with a note naming that period).
    ///
    /// - Parameter units: each employee's unit, stored with their flags.
    /// - Returns: what changed, with the created and escalated flags (`created`, `escalated`).
    public func applyFindings(_ findings: [FlagFinding], units: [NIP: String], at now: Date) throws -> FlagUpdateOutcome {
        try writer.write { db in
            var flags = try FlagFindingsWriter(db, at: now)
            try flags.apply(findings, units: units)
            return try flags.finish(records: true)
        }
    }

    /// A run's created (or escalated) flags, read back from its `flag_event` rows in the order it
    /// wrote them: at most `limit`, those after event `after` (the last page's last `eventID`). So the
    /// daemon journals a run's flags a page at a time after the run committed, and holds a page, not
    /// every flag the run raised (at 250,000 employees the second quarter created 10,000 flags and
    /// escalated 22,000). Each flag as the run left it: its severity the one the event gave.
    public func flagRunEvents(_ outcome: FlagUpdateOutcome, _ action: FlagRunEvent.Action, after: Int64? = nil,
                              limit: Int = 500) throws -> [FlagRunEvent] {
        try writer.read { db in try Self.flagRunEvents(db, outcome, action, after: after, limit: limit) }
    }

    /// `flagRunEvents` in `db`; every one with a nil `limit`. The run's events are an id range of
    /// `flag_event`'s primary key, read in order, each flag found by its id.
    static func flagRunEvents(_ db: Database, _ outcome: FlagUpdateOutcome, _ action: FlagRunEvent.Action, after: Int64?,
                              limit: Int?) throws -> [FlagRunEvent] {
        try Row.fetchAll(db, sql: flagRunEventsSQL, arguments: [
            max(after ?? outcome.eventsAfter, outcome.eventsAfter), outcome.eventsUpTo, action.rawValue, limit ?? -1,
        ]).map { row in
            var flag = flagRecord(row)
            if let severity = (row["to_severity"] as String?).flatMap(FlagSeverity.init(rawValue:)) { flag.severity = severity }
            return FlagRunEvent(eventID: row["event_id"], flag: flag,
                                from: (row["from_severity"] as String?).flatMap(FlagSeverity.init(rawValue:)))
        }
    }

    static let flagRunEventsSQL = """
        SELECT ev.id AS event_id, ev.from_severity, ev.to_severity, \(flagColumns)
        FROM flag_event ev CROSS JOIN flag f ON f.id = ev.flag_id LEFT JOIN employee e ON e.nip = f.subject_nip
        WHERE ev.id > ? AND ev.id <= ? AND ev.action = ? ORDER BY ev.id LIMIT ?
        """

    static func addFlagEvent(_ db: Database, flag: Int64, at: Date, actor: FlagActor, action: String, note: String? = nil,
                             fromStatus: FlagStatus? = nil, toStatus: FlagStatus? = nil,
                             fromSeverity: FlagSeverity? = nil, toSeverity: FlagSeverity? = nil) throws {
        try db.cachedStatement(sql: """
            INSERT INTO flag_event(flag_id, at, actor_uid, actor, action, note, from_status, to_status, from_severity, to_severity)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [flag, at, actor.uid, actor.name, action, note, fromStatus?.rawValue, toStatus?.rawValue,
                                     fromSeverity?.rawValue, toSeverity?.rawValue])
    }
}

/// `applyFindings` in steps, inside the caller's write transaction: `apply` a run's findings batch by
/// batch (each batch sorted by identity, the batches in identity order), then `finish` once. So the
/// analysis can write each batch of people as it finds them and hold no more than a batch of findings
/// (`AppDatabase.analyseAndApply`). State kept between batches: the live flags' values without their
/// evidence, the closed flags' identities, and the identities seen; the flags created or escalated
/// are counted, not kept (they are read back from the run's `flag_event` rows).
struct FlagFindingsWriter {
    struct Live {
        var id: Int64
        var severity: FlagSeverity
        var status: FlagStatus
        var cleared: Bool
        var createdAt: Date
        var windowEnd: String
        /// window end, ratio, follow-up, unit, concurrent rules. The evidence (about 1.4 KB of
        /// JSON a flag) is not held for every live flag: it is compared in the database
        /// (`sameEvidence`) for the flags whose other values are unchanged.
        var fingerprint: [DatabaseValue]
    }

    let db: Database
    let now: Date
    let encoder = AppDatabase.evidenceEncoder()
    var outcome = FlagUpdateOutcome()
    var live: [String: Live] = [:]
    var closed: Set<String>
    var seen = Set<String>()
    let sameEvidence: Statement
    let insert: Statement
    let update: Statement

    init(_ db: Database, at now: Date) throws {
        self.db = db
        self.now = now
        outcome.eventsAfter = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM flag_event") ?? 0
        let rows = try Row.fetchCursor(db, sql: """
            SELECT id, identity, severity, status, condition_cleared, window_end, ratio, follow_up, unit_code,
                   concurrent_rules, created_at FROM flag WHERE status IN ('open', 'acknowledged')
            """)
        while let row = try rows.next() {
            live[row[1]] = Live(id: row[0], severity: FlagSeverity(rawValue: row[2]) ?? .info,
                                status: FlagStatus(rawValue: row[3]) ?? .open, cleared: row[4], createdAt: row[10],
                                windowEnd: row[5], fingerprint: (5...9).map { row[$0] as DatabaseValue })
        }
        sameEvidence = try db.cachedStatement(sql: "SELECT evidence = ? FROM flag WHERE id = ?")
        closed = Set(try String.fetchAll(db, sql: "SELECT identity FROM flag WHERE status IN ('resolved', 'dismissed')"))
        insert = try db.cachedStatement(sql: """
            INSERT INTO flag(identity, rule, subject_nip, unit_code, window_start, window_end, window_start_date,
                             window_end_date, severity, status, condition_cleared, ratio, concurrent_rules, evidence,
                             follow_up, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', 0, ?, ?, ?, ?, ?, ?)
            """)
        update = try db.cachedStatement(sql: """
            UPDATE flag SET evidence = ?, window_end = ?, window_end_date = ?, ratio = ?, follow_up = ?, unit_code = ?,
                            concurrent_rules = ?, severity = ?, condition_cleared = 0, cleared_at = NULL, updated_at = ?
            WHERE id = ?
            """)
    }

    /// One batch of findings (and the units of their people).
    mutating func apply(_ findings: [FlagFinding], units: [NIP: String]) throws {
        let db = self.db, now = self.now
        outcome.findings += findings.count
        for f in findings {
            let key = f.identity.key
            guard seen.insert(key).inserted else { continue }
            let unit = units[f.subject]
            let concurrent = f.concurrentRules.map(\.rawValue).joined(separator: ",")
            // Encoded here, one finding at a time: all of them at once took about 30 MB at
            // 250,000 employees (21,942 flags), beside the findings themselves.
            let evidence = String(decoding: try encoder.encode(f.evidence), as: UTF8.self)
            let fingerprint: [DatabaseValue] = [
                f.window.end.code.databaseValue, f.ratio.databaseValue,
                f.followUp.rawValue.databaseValue, unit?.databaseValue ?? .null, concurrent.databaseValue,
            ]
            if let old = live[key] {
                if old.fingerprint == fingerprint && old.severity == f.severity && !old.cleared,
                   try Bool.fetchOne(sameEvidence, arguments: [evidence, old.id]) == true {
                    continue
                }
                try update.execute(arguments: [
                    evidence, f.window.end.code, f.window.end.end.description, f.ratio, f.followUp.rawValue, unit,
                    concurrent, f.severity.rawValue, now, old.id,
                ])
                outcome.updated += 1
                if f.severity != old.severity {
                    let raised = f.severity > old.severity
                    try AppDatabase.addFlagEvent(db, flag: old.id, at: now, actor: .analysis, action: raised ? "escalated" : "deescalated",
                                          fromSeverity: old.severity, toSeverity: f.severity)
                    if raised {
                        outcome.escalatedCount += 1
                    } else {
                        outcome.deescalated += 1
                    }
                }
                if old.cleared {
                    try AppDatabase.addFlagEvent(db, flag: old.id, at: now, actor: .analysis, action: "condition_returned")
                    outcome.returned += 1
                }
                continue
            }
            if closed.contains(key) {
                outcome.closedAlready += 1
                continue
            }
            try insert.execute(arguments: [
                key, f.rule.rawValue, f.subject.description, unit, f.window.start.code, f.window.end.code,
                f.window.start.start.description, f.window.end.end.description, f.severity.rawValue, f.ratio, concurrent,
                evidence, f.followUp.rawValue, now, now,
            ])
            try AppDatabase.addFlagEvent(db, flag: db.lastInsertedRowID, at: now, actor: .analysis, action: "created", toStatus: .open,
                                         toSeverity: f.severity)
            outcome.createdCount += 1
        }
    }

    /// The flags not found in this run: cleared, or dismissed as leftovers of loading history. With
    /// `records`, the outcome also holds the created and escalated flags, read back.
    mutating func finish(records: Bool) throws -> FlagUpdateOutcome {
        let db = self.db, now = self.now
        var closedCycles: [(period: Period, closedAt: Date)] = []
        for row in try Row.fetchAll(db, sql: "SELECT period, closed_at FROM cycle WHERE status = 'closed' AND closed_at IS NOT NULL") {
            if let period = try? Period(parsing: row[0] as String) { closedCycles.append((period, row[1])) }
        }
        for (key, old) in live.sorted(by: { $0.value.id < $1.value.id }) where !seen.contains(key) {
            if old.status == .open, let end = try? Period(parsing: old.windowEnd),
               let later = closedCycles.filter({ $0.period.kind == end.kind && $0.period > end && $0.closedAt < old.createdAt })
                   .min(by: { $0.period < $1.period }) {
                let note = "history leftover: \(later.period.code), a later period than the flag's window, had closed "
                    + "before the flag was raised, and the pattern does not hold there"
                try db.execute(sql: """
                    UPDATE flag SET status = 'dismissed', condition_cleared = 1, cleared_at = COALESCE(cleared_at, ?),
                                    updated_at = ? WHERE id = ?
                    """, arguments: [now, now, old.id])
                try AppDatabase.addFlagEvent(db, flag: old.id, at: now, actor: .analysis, action: "dismissed", note: note,
                                      fromStatus: .open, toStatus: .dismissed)
                outcome.retired += 1
                continue
            }
            guard !old.cleared else { continue }
            try db.execute(sql: "UPDATE flag SET condition_cleared = 1, cleared_at = ?, updated_at = ? WHERE id = ?",
                           arguments: [now, now, old.id])
            try AppDatabase.addFlagEvent(db, flag: old.id, at: now, actor: .analysis, action: "condition_cleared")
            outcome.cleared += 1
        }
        outcome.eventsUpTo = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM flag_event") ?? 0
        if records {
            outcome.created = try AppDatabase.flagRunEvents(db, outcome, .created, after: nil, limit: nil).map(\.flag)
            outcome.escalated = try AppDatabase.flagRunEvents(db, outcome, .escalated, after: nil, limit: nil).map {
                FlagEscalation(flag: $0.flag, from: $0.from ?? .info)
            }
        }
        #if DEBUG
        PausePoint.reach("flags.before-commit")
        #endif
        return outcome
    }
}
