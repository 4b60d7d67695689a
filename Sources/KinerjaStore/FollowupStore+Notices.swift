import Foundation
import GRDB
import KinerjaDomain

/// A message the follow-up pass writes: the outbox draft (its personal links are slots, made at
/// delivery; see `ReviewLinkSlot`) and the (task, stage) notices it covers.
public struct FollowupTellMessage: Sendable {
    public var draft: OutboxDraft
    public var notices: [(followup: Int64, stage: String)]

    public init(draft: OutboxDraft, notices: [(followup: Int64, stage: String)]) {
        self.draft = draft
        self.notices = notices
    }
}

/// What the follow-up pass decides its messages from, read inside its write transaction.
public struct FollowupTellInput: Sendable {
    /// Tasks awaiting an outcome whose current stage (`new` for open, `overdue`, `escalated`) has
    /// no message yet, by atasan then id.
    public var untold: [FollowupNoticeRow]
    /// Every escalated task, and every task awaiting an outcome with nobody to tell (no atasan, or no
    /// address): the BKPSDM digest's lists.
    public var escalated: [FollowupNoticeRow]
    public var unreachable: [FollowupNoticeRow]
    /// When the last message addressed to each employee was written today (one message a day).
    public var messagedToday: [NIP: Date]
    /// Whether today's follow-up digest is written already.
    public var digestWrittenToday: Bool
    /// The courses recommended for the untold tasks, by task.
    public var trainings: [Int64: [FollowupTrainingRow]] = [:]
}

extension AppDatabase {
    static let noticeColumns = """
        \(followupColumns), COALESCE(ae.email, ap.email) AS appraiser_email, u.head_nip, he.nama AS head_name, he.email AS head_email,
        CASE fu.status WHEN 'open' THEN 'new' ELSE fu.status END AS stage
        """
    static let noticeFrom = """
        \(followupFrom) LEFT JOIN unit u ON u.code = fuu.code LEFT JOIN employee he ON he.nip = u.head_nip AND he.aktif
        """

    static func noticeRow(_ row: Row) -> FollowupNoticeRow {
        FollowupNoticeRow(followup: followupRecord(row), stage: row["stage"], appraiserEmail: row["appraiser_email"],
                          unitHead: (row["head_nip"] as String?).flatMap(NIP.init), unitHeadName: row["head_name"],
                          unitHeadEmail: row["head_email"])
    }

    /// Reads what the pass needs, lets `compose` decide the messages, and writes them with their and `told` events, all in one write transaction: a crash leaves either everything or
    /// nothing, and a task's stage is told once (`followup_notice` is keyed by task and stage).
    public func tellFollowups(startOfToday: Date, digestKey: String, now: Date,
                              compose: (FollowupTellInput) throws -> [FollowupTellMessage]) throws -> EnqueueSummary {
        try writer.write { db in
            let awaiting = "fu.status IN ('open', 'overdue', 'escalated')"
            let untold = try Row.fetchAll(db, sql: """
                SELECT \(Self.noticeColumns) \(Self.noticeFrom) WHERE \(awaiting) AND NOT EXISTS (
                    SELECT 1 FROM followup_notice n WHERE n.followup_id = fu.id AND n.stage = CASE fu.status WHEN 'open' THEN 'new' ELSE fu.status END)
                ORDER BY apn.nip, fu.id
                """).map(Self.noticeRow)
            let escalated = try Row.fetchAll(db, sql: "SELECT \(Self.noticeColumns) \(Self.noticeFrom) WHERE fu.status = 'escalated' ORDER BY fuu.code, fu.id")
                .map(Self.noticeRow)
            let unreachable = try Row.fetchAll(db, sql: """
                SELECT \(Self.noticeColumns) \(Self.noticeFrom) WHERE \(awaiting) AND COALESCE(ae.email, ap.email) IS NULL ORDER BY fuu.code, fu.id
                """).map(Self.noticeRow)
            let read = FollowupTellInput(
                untold: untold, escalated: escalated, unreachable: unreachable,
                messagedToday: try Outbox.lastMessageTimes(since: startOfToday, in: db),
                digestWrittenToday: try Int.fetchOne(db, sql: "SELECT 1 FROM outbox WHERE idempotency_key = ?", arguments: [digestKey]) != nil)
            var input = read
            for row in untold where row.followup.rule == .stalledDevelopment || row.followup.recommendation == .training {
                input.trainings[row.followup.id] = try Self.followupTrainings(db, row.followup.id)
            }
            var summary = EnqueueSummary()
            let notice = try db.cachedStatement(sql: """
                INSERT INTO followup_notice(followup_id, stage, outbox_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING
                """)
            let told = try db.cachedStatement(sql: "INSERT INTO followup_event(followup_id, at, actor, action, note) VALUES (?, ?, 'followup-pass', 'told', ?)")
            for message in try compose(input) {
                let result = try Outbox.enqueue(message.draft, at: now, in: db)
                summary.add(result)
                guard case .inserted(let id, _) = result else { continue }
                for n in message.notices {
                    try notice.execute(arguments: [n.followup, n.stage, id])
                    try told.execute(arguments: [n.followup, now, "\(n.stage): outbox \(id)"])
                }
            }
            return summary
        }
    }
}
