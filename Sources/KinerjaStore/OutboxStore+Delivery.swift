import Foundation
import GRDB
import KinerjaDomain

/// How failed deliveries are retried: exponential backoff from `baseDelay`, at most `cap` between
/// attempts, and dead after `maxAttempts` attempts.
public struct OutboxRetryPolicy: Sendable, Equatable {
    public var baseDelay: Duration
    public var cap: Duration
    public var maxAttempts: Int

    public init(baseDelay: Duration, cap: Duration, maxAttempts: Int) {
        self.baseDelay = baseDelay
        self.cap = cap
        self.maxAttempts = maxAttempts
    }

    /// The wait after the `attempt`-th failed attempt (1-based): base, 2×base, 4×base, … up to `cap`.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = baseDelay
        var n = 1
        while n < attempt && delay < cap {
            delay *= 2
            n += 1
        }
        return min(delay, cap)
    }

    /// When to try again after the `attempts`-th attempt failed at `now`; `nil` means dead.
    public func nextAttempt(afterFailedAttempts attempts: Int, at now: Date) -> Date? {
        guard attempts < maxAttempts else { return nil }
        let d = delay(afterAttempt: attempts)
        return now.addingTimeInterval(d.inSeconds)
    }
}

/// A message claimed for one delivery attempt.
public struct OutboxClaim: Sendable, Equatable {
    /// The message, with this attempt counted in `attempts`.
    public var message: OutboxMessage
    /// The previous attempt was claimed but never recorded: the daemon died while sending it, so it
    /// may have been delivered already (this attempt repeats it with the same Message-ID).
    public var previousAttemptInterrupted: Bool
}

/// What a recorded failure led to.
public enum OutboxFailureOutcome: Sendable, Equatable {
    /// Tried again at this time (status `failed`).
    case retry(at: Date)
    /// No attempts left (status `dead`).
    case dead
}

/// What an admin's retry did.
public enum OutboxRetryResult: Sendable, Equatable {
    /// A failed or dead message is pending again, due now, with its attempt count reset.
    case retried(OutboxMessage)
    /// The message is pending and not yet tried, or an attempt of it is in flight: nothing to do.
    case alreadyPending(OutboxMessage)
    /// Sent messages are never sent again.
    case alreadySent(OutboxMessage)
    case notFound
}

extension AppDatabase {
    /// Claims the message due first at `now` (pending or failed, `next_attempt_at` reached) for one
    /// attempt over `channel`: counts the attempt and marks it in flight, committed before the send,
    /// so an attempt that never returns (a crash, a hang the watchdog ends) still counts toward
    /// `maxAttempts`. Returns `nil` when nothing is due.
    /// The next due message's id, in due order. INDEXED BY: without statistics (before the first
    /// maintenance run's `PRAGMA optimize`) SQLite chose `outbox_status` and sorted every waiting
    /// message for each claim, so delivering n messages cost O(n² log n): with 25,000 reminders
    /// waiting about 2 messages a second under load. On `outbox_due` each claim is one index step.
    static let nextDueOutboxSQL = """
        SELECT id FROM outbox INDEXED BY outbox_due WHERE status IN ('pending', 'failed') AND next_attempt_at <= ?
        ORDER BY next_attempt_at, id LIMIT 1
        """

    public func claimNextOutboxMessage(now: Date, channel: String) throws -> OutboxClaim? {
        try writer.write { db in
            guard let id = try Int64.fetchOne(db, sql: Self.nextDueOutboxSQL, arguments: [now]) else { return nil }
            let wasInFlight = try Bool.fetchOne(db, sql: "SELECT in_flight FROM outbox WHERE id = ?", arguments: [id]) ?? false
            try db.execute(sql: """
                UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ?, in_flight = 1, channel = ? WHERE id = ?
                """, arguments: [now, channel, id])
            guard let message = try Self.fetchOutboxMessage(db, id: id) else { return nil }
            return OutboxClaim(message: message, previousAttemptInterrupted: wasInFlight)
        }
    }

    /// Messages whose last attempt was claimed and never recorded (the daemon died during it), oldest
    /// claim first.
    public func inFlightOutboxMessages() throws -> [OutboxMessage] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(OutboxMessage.columns) FROM outbox WHERE in_flight = 1 ORDER BY last_attempt_at, id")
                .map(OutboxMessage.init(row:))
        }
    }

    /// Records a successful attempt. One small UPDATE in its own transaction, so the time between the
    /// mail program's success and this commit stays as short as the writer allows.
    public func markOutboxSent(id: Int64, at now: Date) throws {
        try writer.write { db in
            try db.execute(sql: """
                UPDATE outbox SET status = 'sent', sent_at = ?, next_attempt_at = NULL, in_flight = 0 WHERE id = ?
                """, arguments: [now, id])
        }
    }

    /// Records a failed attempt: `failed` with the next attempt after the policy's backoff, or `dead`
    /// when the attempts are used up.
    public func markOutboxFailed(id: Int64, error: String, at now: Date, policy: OutboxRetryPolicy) throws -> OutboxFailureOutcome {
        try writer.write { db in
            let attempts = try Int.fetchOne(db, sql: "SELECT attempts FROM outbox WHERE id = ?", arguments: [id]) ?? policy.maxAttempts
            if let next = policy.nextAttempt(afterFailedAttempts: attempts, at: now) {
                try db.execute(sql: """
                    UPDATE outbox SET status = 'failed', last_error = ?, next_attempt_at = ?, in_flight = 0 WHERE id = ?
                    """, arguments: [error, next, id])
                return .retry(at: next)
            }
            try Self.markDead(db, id: id, error: error)
            return .dead
        }
    }

    /// Records a failure no retry can cure (the message cannot be rendered): dead at once.
    public func markOutboxDead(id: Int64, error: String) throws {
        try writer.write { db in try Self.markDead(db, id: id, error: error) }
    }

    /// Messages, newest first, optionally of one status, at most `limit`; `total` counts all that match.
    public func outboxMessages(status: OutboxStatus?, limit: Int) throws -> (messages: [OutboxMessage], total: Int) {
        let page = try outboxPage(status: status, after: nil, limit: limit)
        return (page.rows, page.total ?? page.rows.count)
    }

    /// One page of `outboxMessages`: at most `limit` messages after `cursor`, newest first.
    public func outboxPage(status: OutboxStatus?, after cursor: PageCursor?, limit: Int) throws -> Page<OutboxMessage> {
        try writer.read { db in
            let query = KeysetQuery(select: OutboxMessage.columns, from: "FROM outbox",
                                    conditions: status == nil ? [] : ["status = ?"], arguments: status.map { [$0.rawValue] } ?? [],
                                    keys: ["id"], descending: true)
            return try query.page(db, after: cursor, limit: limit, OutboxMessage.init(row:))
        }
    }

    /// One message, or `nil`.
    public func outboxMessage(id: Int64) throws -> OutboxMessage? {
        try writer.read { db in try Self.fetchOutboxMessage(db, id: id) }
    }

    /// The (assignment, stage) marks a message carries.
    public func outboxStageMarks(id: Int64) throws -> [ReminderStageKey] {
        try writer.read { db in try Outbox.stageMarks(ofMessage: id, in: db) }
    }

    /// An admin's retry: a failed or dead message becomes pending, due at `now`, with no attempts
    /// counted (so it gets the whole backoff sequence again). Its last error is kept until the next
    /// attempt. A sent message is refused: sending it again would be a second copy. A message in
    /// flight (an attempt under way, or one a crash left for the next delivery run to resolve) is left
    /// as it is, like a pending one: resetting it would lose the attempt's outcome.
    public func retryOutboxMessage(id: Int64, now: Date) throws -> OutboxRetryResult {
        try writer.write { db in
            guard let message = try Self.fetchOutboxMessage(db, id: id) else { return .notFound }
            if message.inFlight && message.status != .sent { return .alreadyPending(message) }
            switch message.status {
            case .sent: return .alreadySent(message)
            case .pending: return .alreadyPending(message)
            case .failed, .dead:
                try db.execute(sql: """
                    UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, in_flight = 0 WHERE id = ?
                    """, arguments: [now, id])
                return .retried(try Self.fetchOutboxMessage(db, id: id) ?? message)
            }
        }
    }

    /// Messages waiting to be delivered (pending, or failed and awaiting a retry), and dead ones.
    public func outboxCounts() throws -> (waiting: Int, dead: Int) {
        try writer.read { db in try Self.outboxCounts(db) }
    }

    static func outboxCounts(_ db: Database) throws -> (waiting: Int, dead: Int) {
        let row = try Row.fetchOne(db, sql: outboxCountsSQL)
        return (row?[0] ?? 0, row?[1] ?? 0)
    }

    /// Two seeks into `outbox_status`: the messages not yet sent are few whatever the history.
    /// (`WHERE status <> 'sent'` read an index entry per message ever written: 15 ms with 400,000
    /// messages, on every GetStatus.)
    static let outboxCountsSQL = """
        SELECT (SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'failed')),
               (SELECT COUNT(*) FROM outbox WHERE status = 'dead')
        """

    static func fetchOutboxMessage(_ db: Database, id: Int64) throws -> OutboxMessage? {
        try Row.fetchOne(db, sql: "SELECT \(OutboxMessage.columns) FROM outbox WHERE id = ?", arguments: [id])
            .map(OutboxMessage.init(row:))
    }

    static func markDead(_ db: Database, id: Int64, error: String) throws {
        try db.execute(sql: """
            UPDATE outbox SET status = 'dead', last_error = ?, next_attempt_at = NULL, in_flight = 0 WHERE id = ?
            """, arguments: [error, id])
    }
}
