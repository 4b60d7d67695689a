import Foundation
import GRDB
import KinerjaDomain
import KinerjaPausePoints

/// The reminder sweep's inputs, each one set-based query (not a query per reviewer).
public enum ReminderQueries {
    /// Every review still owed in an open cycle by an active reviewer or an outside appraiser.
    public static func owedReviews(in db: Database) throws -> [OwedReview] {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT a.id, a.cycle_id, c.period, a.reviewer_nip, a.subject_nip, s.nama, a.role, a.due_at, a.atasan_source
            FROM assignment a
            JOIN cycle c ON c.id = a.cycle_id AND c.status = 'open'
            JOIN (SELECT nip FROM employee WHERE aktif UNION ALL SELECT nip FROM appraiser) r ON r.nip = a.reviewer_nip
            JOIN employee s ON s.nip = a.subject_nip
            WHERE a.submitted_at IS NULL
            """)
        var owed: [OwedReview] = []
        while let row = try rows.next() {
            guard let reviewer = NIP(row[3] as String), let subject = NIP(row[4] as String),
                  let role = ReviewerRole(rawValue: row[6]) else { continue }
            owed.append(OwedReview(assignmentID: row[0], cycleID: row[1], cycleLabel: row[2], reviewer: reviewer,
                                   subject: subject, subjectName: row[5], role: role, due: row[7],
                                   atasanSource: (row[8] as String?).flatMap(AtasanSource.init(rawValue:))))
        }
        return owed
    }

    /// Every active employee with the address and the people escalation copies (atasan, unit head),
    /// and the appraisers outside the employee file (no one to copy).
    public static func contacts(in db: Database) throws -> [ReminderContact] {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT e.nip, e.nama, e.email, e.unit_code, e.supervisor_nip, u.head_nip
            FROM employee e LEFT JOIN unit u ON u.code = e.unit_code
            WHERE e.aktif
            UNION ALL
            SELECT p.nip, p.nama, p.email, '', NULL, NULL FROM appraiser p
            WHERE p.nip NOT IN (SELECT nip FROM employee WHERE aktif)
            """)
        var contacts: [ReminderContact] = []
        while let row = try rows.next() {
            guard let nip = NIP(row[0] as String) else { continue }
            let email: String? = row[2]
            contacts.append(ReminderContact(
                nip: nip, name: row[1], email: (email?.isEmpty ?? true) ? nil : email, unit: row[3],
                supervisor: (row[4] as String?).flatMap { NIP($0) }, unitHead: (row[5] as String?).flatMap { NIP($0) }))
        }
        return contacts
    }
}

extension ReminderQueries {
    /// The planner's answer at `now` from the database as it is.
    public static func plan(_ planner: ReminderPlanner, in db: Database, now: Date) throws -> ReminderPlan {
        var messages: [PlannedMessage] = []
        var plan = try plan(planner, in: db, now: now) { messages.append($0) }
        plan.messages = messages
        return plan
    }

    /// The planner's answer at `now`, each message handed to `emit` as it is made (see
    /// `ReminderPlanner.plan(…emit:)`); the returned plan's `messages` is empty.
    public static func plan(_ planner: ReminderPlanner, in db: Database, now: Date,
                            emit: (PlannedMessage) throws -> Void) throws -> ReminderPlan {
        let owed = try owedReviews(in: db)
        let contacts = try contacts(in: db)
        let sent = try Outbox.stageMarkHistory(ofOpenCyclesIn: db)
        let policy = planner.policy
        let startOfDay = policy.workingHours.instant(on: policy.day(of: now), at: TimeOfDay(hour: 0, minute: 0)!)
        let last = try Outbox.lastMessageTimes(since: startOfDay, in: db)
        let lastDigest = try Outbox.lastMessageTime(kind: PlannedMessage.Kind.adminDigest.rawValue, in: db)
        return try planner.plan(owed: owed, contacts: contacts, alreadySent: sent.marks, lastMarkedAt: sent.lastMarkedAt,
                                lastMessagePerRecipient: last, lastAdminDigest: lastDigest, now: now, emit: emit)
    }
}

extension AppDatabase {
    /// What the reminder sweep would write at `now`; reads only.
    public func previewReminders(_ planner: ReminderPlanner, now: Date) throws -> ReminderPlan {
        try writer.read { db in try ReminderQueries.plan(planner, in: db, now: now) }
    }

    /// The reminder sweep: plans and enqueues one message per recipient with its (assignment, stage)
    /// marks in ONE write transaction, so a crash leaves either all of it or none, and a re-run finds
    /// the marks and writes nothing twice.
    public func sweepReminders(_ planner: ReminderPlanner, from: MailAddress, now: Date) throws -> (plan: ReminderPlan, summary: EnqueueSummary) {
        try writer.write { db in
            // Each message is written as soon as it is planned, so the run holds one message text at a
            // time, not all of them (20,000 digests are about 21 MB of text). The plan returned lists
            // the messages without their bodies and items.
            var summary = EnqueueSummary()
            var written: [PlannedMessage] = []
            var plan = try ReminderQueries.plan(planner, in: db, now: now) { message in
                let draft = OutboxDraft(idempotencyKey: message.dedupeKey, kind: message.kind.rawValue,
                                        recipientNIP: message.recipient?.description, from: from, to: message.to,
                                        cc: message.cc.map(\.address), subject: message.subject, body: message.body, marks: message.marks)
                summary.add(try Outbox.enqueue(draft, at: now, in: db))
                var kept = message
                kept.body = ""
                kept.items = []
                written.append(kept)
            }
            plan.messages = written
            #if DEBUG
            PausePoint.reach("sweep.before-commit")
            #endif
            return (plan, summary)
        }
    }
}
