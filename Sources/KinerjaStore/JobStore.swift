import Foundation
import GRDB

/// A scheduled job's stored state.
public struct JobRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "job"
    public var name: String
    public var calendar: String
    public var registeredAt: Date
    public var lastSlot: Date?
    public var lastOutcome: String?
    public var lastMessage: String?
    public var lastStartedAt: Date?
    public var lastFinishedAt: Date?
    public var lastDurationMs: Int64?

    enum CodingKeys: String, CodingKey {
        case name, calendar
        case registeredAt = "registered_at", lastSlot = "last_slot", lastOutcome = "last_outcome"
        case lastMessage = "last_message", lastStartedAt = "last_started_at", lastFinishedAt = "last_finished_at"
        case lastDurationMs = "last_duration_ms"
    }
}

/// One run of a job.
public struct JobRunRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "job_run"
    public var id: Int64?
    public var name: String
    public var slot: Date?
    public var trigger: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var outcome: String
    public var message: String?
    public var durationMs: Int64?

    public init(id: Int64? = nil, name: String, slot: Date?, trigger: String, startedAt: Date, finishedAt: Date? = nil,
                outcome: String, message: String? = nil, durationMs: Int64? = nil) {
        self.id = id
        self.name = name
        self.slot = slot
        self.trigger = trigger
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.message = message
        self.durationMs = durationMs
    }

    enum CodingKeys: String, CodingKey {
        case id, name, slot, trigger, outcome, message
        case startedAt = "started_at", finishedAt = "finished_at", durationMs = "duration_ms"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension AppDatabase {
    /// Makes the stored jobs match the configured ones: new jobs are registered at `now` (their first
    /// slot is the first after `now`), a changed calendar is updated (keeping the last slot). Jobs no
    /// longer configured keep their history. Returns the records of the configured jobs.
    public func registerJobs(_ jobs: [(name: String, calendar: String)], now: Date) throws -> [JobRecord] {
        try writer.write { db in
            var records: [JobRecord] = []
            for job in jobs {
                if var existing = try JobRecord.fetchOne(db, key: job.name) {
                    if existing.calendar != job.calendar {
                        existing.calendar = job.calendar
                        try existing.update(db)
                    }
                    records.append(existing)
                } else {
                    let record = JobRecord(name: job.name, calendar: job.calendar, registeredAt: now)
                    try record.insert(db)
                    records.append(record)
                }
            }
            return records
        }
    }

    public func jobRecords() throws -> [JobRecord] {
        try writer.read { db in try JobRecord.order(Column("name")).fetchAll(db) }
    }

    /// Records the start of a run ("running") and returns its id.
    public func startJobRun(name: String, slot: Date?, trigger: String, at now: Date) throws -> Int64 {
        try writer.write { db in
            var run = JobRunRecord(name: name, slot: slot, trigger: trigger, startedAt: now, outcome: "running")
            try run.insert(db)
            try db.execute(sql: "UPDATE job SET last_started_at = ? WHERE name = ?", arguments: [now, name])
            try db.execute(sql: "UPDATE job_request SET claimed_by_run = ? WHERE name = ?", arguments: [run.id, name])
            return run.id!
        }
    }

    /// Records the end of a run and, for scheduled runs, the slot it covered, in one transaction: a
    /// crash before this commits leaves the slot unrecorded, so the (idempotent) job runs again.
    public func finishJobRun(id: Int64, name: String, outcome: String, message: String?, slot: Date?,
                             at now: Date, durationMs: Int64) throws {
        try writer.write { db in
            try db.execute(sql: """
                UPDATE job_run SET outcome = ?, message = ?, finished_at = ?, duration_ms = ? WHERE id = ?
                """, arguments: [outcome, message, now, durationMs, id])
            try db.execute(sql: """
                UPDATE job SET last_outcome = ?, last_message = ?, last_finished_at = ?, last_duration_ms = ?,
                       last_slot = COALESCE(?, last_slot)
                WHERE name = ?
                """, arguments: [outcome, message, now, durationMs, slot, name])
            // A run that ended covers the request it claimed; an interrupted one leaves it owed.
            if outcome != "interrupted" {
                try db.execute(sql: "DELETE FROM job_request WHERE name = ? AND claimed_by_run = ?", arguments: [name, id])
            }
        }
    }

    /// Records in `db`'s transaction that job `name` must run because its data changed (a repeated
    /// request before the run starts is one request; one made while it runs asks for another run).
    public static func requestJob(_ db: Database, name: String, reason: String, at now: Date) throws {
        try db.execute(sql: """
            INSERT INTO job_request(name, reason, requested_at, claimed_by_run) VALUES (?, ?, ?, NULL)
            ON CONFLICT(name) DO UPDATE SET reason = excluded.reason, requested_at = excluded.requested_at, claimed_by_run = NULL
            """, arguments: [name, reason, now])
    }

    /// Jobs owed a run (see `requestJob`), by name, with the reason and time of the latest request.
    public func jobRequests() throws -> [(name: String, reason: String, requestedAt: Date)] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT name, reason, requested_at FROM job_request ORDER BY name").map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// Runs left "running" by a crash are marked "interrupted" at start-up.
    @discardableResult
    public func markInterruptedJobRuns() throws -> Int {
        try writer.write { db in
            try db.execute(sql: "UPDATE job_run SET outcome = 'interrupted' WHERE outcome = 'running'")
            return db.changesCount
        }
    }

    /// A job's most recent runs, newest first, at most `limit`.
    public func jobHistory(name: String, limit: Int) throws -> [JobRunRecord] {
        try jobHistoryPage(name: name, after: nil, limit: limit).rows
    }

    /// One page of `jobHistory`: at most `limit` runs after `cursor`, newest first.
    public func jobHistoryPage(name: String, after cursor: PageCursor?, limit: Int) throws -> Page<JobRunRecord> {
        try writer.read { db in
            let query = KeysetQuery(select: "*", from: "FROM job_run", conditions: ["name = ?"], arguments: [name],
                                    keys: ["id"], descending: true)
            return try query.page(db, after: cursor, limit: limit) { try JobRunRecord(row: $0) }
        }
    }

    /// SQLite upkeep: checkpoint and truncate the WAL, then let SQLite refresh its statistics.
    public func maintain() throws -> (walPages: Int, checkpointed: Int) {
        try writer.writeWithoutTransaction { db in
            let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            try db.execute(sql: "PRAGMA optimize")
            return (row?[1] ?? 0, row?[2] ?? 0)
        }
    }
}
