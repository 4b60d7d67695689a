import Foundation
import GRDB
import KinerjaDomain
import KinerjaPausePoints

/// The reminder sweep's inputs, read one batch of reviewers at a time, each a set-based query (not
/// a query per reviewer).
public enum ReminderQueries {
    static func contacts(from rows: RowCursor) throws -> [ReminderContact] {
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

/// The reviewers of one batch: those owing reviews in open cycles whose NIPs lie in `first...last`.
public struct ReviewerBatch: Sendable, Hashable {
    public var first: String
    public var last: String
}

/// Where a plan read batch by batch stands: the last reviewer planned, and the next batches with
/// their owed reviews, read together in one pass (`ReminderQueries.readAhead`) so that their
/// assignments are read in stored order and share pages.
///
/// A preview carries it from one read transaction to the next: the owed reviews of a batch read
/// ahead are as they were when read (a review submitted since still shows as owed in the preview);
/// the stage marks (of those owed reviews), contacts and messages of the day are read with the batch. The sweep reads all
/// of it in its one transaction.
///
/// Memory: about 80 bytes per owed review (a fixed-size row, the subject's name in one shared
/// buffer), about 2 MB for 4,000 reviewers; an `OwedReview` is made only for the batch being planned.
public struct ReminderReadAhead: Sendable {
    struct Batch: Sendable {
        var batch: ReviewerBatch
        var rows: Range<Int>
    }

    /// An owed review as held until its batch is planned.
    struct Row: Sendable {
        var assignmentID: Int64
        var cycleID: Int64
        var due: Date
        var reviewer: NIP
        var subject: NIP
        /// The subject's name: `names[nameStart..<nameEnd]`.
        var nameStart: UInt32
        var nameEnd: UInt32
        var role: ReviewerRole
        var atasanSource: AtasanSource?
    }

    /// The last reviewer of the last batch planned.
    var last: String?
    var pending: ArraySlice<Batch> = []
    /// Each batch's rows in its own range (`Batch.rows`); `nil` where a review read as owed by the
    /// lookup was not (submitted, or its subject no longer an employee).
    var rows: [Row?] = []
    var names: [UInt8] = []
    var cycleLabels: [Int64: String] = [:]

    public init() {}

    /// The owed reviews of `batch`.
    func owed(_ batch: Batch) -> [OwedReview] {
        rows[batch.rows].compactMap { $0 }.map { row in
            OwedReview(assignmentID: row.assignmentID, cycleID: row.cycleID, cycleLabel: cycleLabels[row.cycleID] ?? "",
                       reviewer: row.reviewer, subject: row.subject,
                       subjectName: String(decoding: names[Int(row.nameStart)..<Int(row.nameEnd)], as: UTF8.self),
                       role: row.role, due: row.due, atasanSource: row.atasanSource)
        }
    }
}

extension ReminderQueries {
    /// Reviewers planned per batch: the rows read and the messages made at once stay bounded (about
    /// 500 digests) whatever the size of the city.
    public static let reviewersPerBatch = 500

    /// The next `limit` reviewers (ascending NIP) after `after` who owe reviews in open cycles, or
    /// `nil` when there are none.
    public static func nextReviewerBatch(after: String?, limit: Int = reviewersPerBatch, in db: Database) throws -> ReviewerBatch? {
        let nips = try nextReviewers(after: after, limit: limit, in: db)
        guard let first = nips.first, let last = nips.last else { return nil }
        return ReviewerBatch(first: first, last: last)
    }

    /// The NIPs of the next `limit` reviewers (ascending) after `after` who owe reviews in open cycles.
    ///
    /// One query per open cycle, each reading the cycle's reviewers from `assignment_reviewer`
    /// and stopping after `limit` of them; the union's first `limit` are the answer. So it costs the
    /// rows of its reviewers, not of the city: left to itself SQLite scans every open assignment
    /// (`assignment_open`) and sorts them, for each batch, which made a sweep or preview at 100,000
    /// employees take hours.
    static func nextReviewers(after: String?, limit: Int, in db: Database) throws -> [String] {
        let limit = max(1, limit)
        var nips = Set<String>()
        for cycle in try Int64.fetchAll(db, sql: "SELECT id FROM cycle WHERE status = 'open'") {
            nips.formUnion(try String.fetchAll(db, sql: nextReviewersSQL, arguments: [after ?? "", cycle, limit]))
        }
        return Array(nips.sorted().prefix(limit))
    }

    /// The next reviewers of one cycle owing reviews, in NIP order: people in NIP order (`person`'s
    /// unique index, never a sort), each probed in `assignment_reviewer`, stopping after `limit`.
    static let nextReviewersSQL = """
        SELECT p.nip FROM person p
        WHERE p.nip > ? AND EXISTS (SELECT 1 FROM assignment_reviewer x JOIN assignment a ON a.id = x.assignment_id
                                    WHERE x.cycle_id = ? AND x.reviewer_id = p.id AND a.submitted_at IS NULL)
        ORDER BY p.nip LIMIT ?
        """

    /// The assignments of open cycles of the active reviewers, and outside appraisers, in a NIP range:
    /// CROSS JOIN fixes the order (open cycles, the range's people by NIP, their rows of
    /// `assignment_reviewer`); no assignment row is read.
    static let owedAssignmentsSQL = """
        SELECT x.assignment_id, rp.id, rp.nip
        FROM cycle c
        CROSS JOIN person rp
        CROSS JOIN assignment_reviewer x ON x.cycle_id = c.id AND x.reviewer_id = rp.id
        WHERE c.status = 'open' AND rp.nip BETWEEN ? AND ?
          AND (EXISTS (SELECT 1 FROM employee e WHERE e.nip = rp.nip AND e.aktif)
               OR EXISTS (SELECT 1 FROM appraiser p WHERE p.nip = rp.nip))
        """

    /// The owed assignments among the ids of a JSON array (ascending), in its order, with their
    /// cycles and subjects: each row by its key, in the order the array gives; the subject's name from
    /// `employee_name` alone (`v17-reminder-names`), not `employee`'s key and row.
    static let owedRowsSQL = """
        SELECT a.id, a.cycle_id, c.period, a.reviewer_id, sp.nip, s.nama, a.role, a.due_at, a.atasan_source
        FROM json_each(?) j
        CROSS JOIN assignment a ON a.id = j.value
        CROSS JOIN cycle c ON c.id = a.cycle_id
        CROSS JOIN person sp ON sp.id = a.subject_id
        CROSS JOIN employee s INDEXED BY employee_name ON s.nip = sp.nip
        WHERE a.submitted_at IS NULL
        """

    /// How to reach the batch's reviewers (and the other active employees in its NIP range), their
    /// atasan and their unit heads: the address and the people escalation copies; and the appraisers
    /// outside the employee file in the range (no one to copy).
    public static func contacts(of batch: ReviewerBatch, in db: Database) throws -> [ReminderContact] {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT e.nip, e.nama, e.email, e.unit_code, e.supervisor_nip, u.head_nip
            FROM employee e LEFT JOIN unit u ON u.code = e.unit_code
            WHERE e.aktif AND (e.nip BETWEEN ?1 AND ?2
                OR e.nip IN (SELECT r.supervisor_nip FROM employee r WHERE r.nip BETWEEN ?1 AND ?2)
                OR e.nip IN (SELECT h.head_nip FROM employee r JOIN unit h ON h.code = r.unit_code WHERE r.nip BETWEEN ?1 AND ?2))
            UNION ALL
            SELECT p.nip, p.nama, p.email, '', NULL, NULL FROM appraiser p
            WHERE p.nip BETWEEN ?1 AND ?2 AND p.nip NOT IN (SELECT nip FROM employee WHERE aktif)
            """, arguments: [batch.first, batch.last])
        return try contacts(from: rows)
    }

    /// The stage marks of the owed assignments `ids` (ascending), and per assignment when the message
    /// carrying its latest mark was written (the pace of the next overdue reminder), that time taken
    /// from `messages` (`messages(to:)`) or, for a mark whose message is not there (written to a
    /// reviewer outside the batch, before a change of reviewer, or before the cycle's recorded
    /// opening), from the message itself.
    ///
    /// Only the owed assignments (the planner needs no other marks), each by its key in ascending
    /// order; no message row per mark: the sweep's own transaction grows the write-ahead log by about
    /// a gigabyte at 250,000 employees, and every page SQLite's cache misses is looked for in all of
    /// the log before the file, so reading each mark's message row (a random page of a table of 2 KB
    /// rows) made the sweep grow 14 times for 10 times the rows.
    static func stageMarks(ofOwed ids: [Int64], messages: [Int64: Date], in db: Database)
        throws -> (marks: Set<ReminderStageKey>, lastMarkedAt: [Int64: Date]) {
        guard !ids.isEmpty else { return ([], [:]) }
        let rows = try Row.fetchCursor(db, sql: owedMarksSQL, arguments: [idList(ids)])
        let byID = try db.cachedStatement(sql: "SELECT created_at FROM outbox WHERE id = ?")
        return try Outbox.stageMarks(from: rows) { row in
            let message: Int64 = row[2]
            return try messages[message] ?? Date.fetchOne(byID, arguments: [message])
        }
    }

    /// The marks of the assignments of a JSON array of ids, each by `outbox_stage`'s key, in the
    /// array's order.
    static let owedMarksSQL = """
        SELECT s.assignment_id, s.stage, s.outbox_id FROM json_each(?) j
        CROSS JOIN outbox_stage s ON s.assignment_id = j.value
        """

    /// The messages addressed to the batch's reviewers since the earliest open cycle opened
    /// (`history`; no mark of an open cycle's assignment is older): when each was written (by id),
    /// and per reviewer the last one written at or after `since` (the one-a-day rule). A seek per
    /// reviewer into `outbox_recipient`, which holds (recipient, written, id): no message row is read,
    /// and a reviewer's older messages (earlier quarters: the history grows every quarter) are not
    /// read at all. A mark whose message is older is still found, by its id (`stageMarks(ofOwed:)`).
    static func messages(to reviewers: [NIP], history: Date, since: Date, in db: Database) throws -> (written: [Int64: Date], lastToday: [NIP: Date]) {
        var written: [Int64: Date] = [:]
        var lastToday: [NIP: Date] = [:]
        guard !reviewers.isEmpty else { return (written, lastToday) }
        var list = "["
        for (index, nip) in reviewers.enumerated() { list += (index > 0 ? ",\"" : "\"") + nip.description + "\"" }
        let rows = try Row.fetchCursor(db, sql: batchMessagesSQL, arguments: [list + "]", history])
        var nip: (text: String, value: NIP?) = ("", nil)
        while let row = try rows.next() {
            let at: Date = row[2]
            written[row[0]] = at
            guard at >= since else { continue }
            let text: String = row[1]
            if text != nip.text { nip = (text, NIP(text)) }
            if let value = nip.value, lastToday[value].map({ $0 < at }) ?? true { lastToday[value] = at }
        }
        return (written, lastToday)
    }

    static let batchMessagesSQL = """
        SELECT o.id, o.recipient_nip, o.created_at FROM json_each(?) j
        CROSS JOIN outbox o INDEXED BY outbox_recipient ON o.recipient_nip = j.value AND o.created_at >= ?
        """

    /// When the earliest open cycle opened: the messages of the marks the planner reads are not older.
    static func openHistoryStart(in db: Database) throws -> Date {
        try Date.fetchOne(db, sql: "SELECT MIN(opened_at) FROM cycle WHERE status = 'open'") ?? .distantFuture
    }

    /// `[1,2,3]`: ids as a JSON array for `json_each`.
    static func idList(_ ids: [Int64]) -> String {
        var list = "["
        list.reserveCapacity(ids.count * 9 + 2)
        for (index, id) in ids.enumerated() {
            if index > 0 { list += "," }
            list += String(id)
        }
        return list + "]"
    }

    /// Batches whose owed reviews are read at once (`ReminderReadAhead`): 4,000 reviewers, about
    /// 24,000 rows, about 2 MB whatever the size of the city.
    public static let batchesReadAhead = 8

    /// The next batches of reviewers after `after` (up to `count`, the same batches as
    /// `nextReviewerBatch` gives one by one) with every review still owed in an open cycle by their
    /// active reviewers, or outside appraisers.
    ///
    /// Two reads, so that the assignments are read in the order they are stored: the reviewers' rows
    /// of `assignment_reviewer` (in NIP order, one range per open cycle) give the assignment ids; the
    /// assignments, their subjects' NIPs and names are then read by those ids in ascending order. An
    /// open writes a cycle's assignments subject by subject, so ascending ids are ascending subjects:
    /// `assignment`, `person` and `employee` are each read front to back, and the reads of several
    /// batches share their pages; the name comes from the index `employee_name`, a quarter of
    /// `employee`'s size. Read in reviewer order instead, every owed row cost four random
    /// page reads (the assignment, the subject's `person` row, `employee`'s key and row), which at
    /// 250,000 employees miss SQLite's page cache where at 25,000 they mostly hit: the preview grew 12
    /// to 13 times for 10 times the rows.
    static func readAhead(after: String?, batchSize: Int = reviewersPerBatch, batches count: Int = batchesReadAhead,
                          in db: Database) throws -> ReminderReadAhead {
        var ahead = ReminderReadAhead()
        ahead.last = after
        let nips = try nextReviewers(after: after, limit: batchSize * max(1, count), in: db)
        guard let first = nips.first, let last = nips.last else { return ahead }
        let starts = Array(stride(from: 0, to: nips.count, by: batchSize))
        let lasts = starts.map { nips[min($0 + batchSize, nips.count) - 1] }

        // The reviewers (each with its batch: the first whose last NIP is not below it) and the ids.
        var reviewers: [Int64: (nip: NIP, batch: Int)] = [:]
        var ids: [Int64] = []
        var counts = [Int](repeating: 0, count: starts.count)
        let owners = try Row.fetchCursor(db, sql: owedAssignmentsSQL, arguments: [first, last])
        while let row = try owners.next() {
            let reviewerID: Int64 = row[1]
            if reviewers[reviewerID] == nil {
                let text: String = row[2]
                guard let nip = NIP(text) else { continue }
                var low = 0, high = lasts.count - 1
                while low < high {
                    let mid = (low + high) / 2
                    if lasts[mid] < text { low = mid + 1 } else { high = mid }
                }
                reviewers[reviewerID] = (nip, low)
            }
            ids.append(row[0])
            counts[reviewers[reviewerID]!.batch] += 1
        }
        // Each batch's rows in a range of its own, so no sort: the range's size is the batch's count
        // of ids (the order within a reviewer's rows does not matter: the planner orders a digest).
        var next: [Int] = []
        var batches: [ReminderReadAhead.Batch] = []
        var end = 0
        for (number, start) in starts.enumerated() {
            next.append(end)
            batches.append(ReminderReadAhead.Batch(batch: ReviewerBatch(first: nips[start], last: lasts[number]),
                                                   rows: end..<end + counts[number]))
            end += counts[number]
        }
        ahead.pending = batches[...]
        guard !ids.isEmpty else { return ahead }
        ids.sort()
        let list = idList(ids)
        ahead.rows = [ReminderReadAhead.Row?](repeating: nil, count: ids.count)
        ids = []
        let rows = try Row.fetchCursor(db, sql: owedRowsSQL, arguments: [list])
        while let row = try rows.next() {
            guard let reviewer = reviewers[row[3]], next[reviewer.batch] < batches[reviewer.batch].rows.upperBound,
                  let subject = NIP(row[4] as String), let role = ReviewerRole(code: row[6]) else { continue }
            let cycleID: Int64 = row[1]
            if ahead.cycleLabels[cycleID] == nil { ahead.cycleLabels[cycleID] = row[2] }
            let start = ahead.names.count
            ahead.names.append(contentsOf: (row[5] as String).utf8)
            ahead.rows[next[reviewer.batch]] = ReminderReadAhead.Row(
                assignmentID: row[0], cycleID: cycleID, due: row[7], reviewer: reviewer.nip, subject: subject,
                nameStart: UInt32(start), nameEnd: UInt32(ahead.names.count), role: role,
                atasanSource: (row[8] as String?).flatMap(AtasanSource.init(rawValue:)))
            next[reviewer.batch] += 1
        }
        return ahead
    }

    /// Plans the next batch of reviewers into `state`, each message to `emit`; returns the batch
    /// planned, or `nil` when no reviewer is left. The owed reviews come from `readAhead` (read when
    /// it is empty); the stage marks, contacts and the day's messages are read for the batch alone.
    public static func planNextBatch(_ planner: ReminderPlanner, _ readAhead: inout ReminderReadAhead, into state: inout ReminderPlanState,
                                     in db: Database, emit: (PlannedMessage) throws -> Void) throws -> ReviewerBatch? {
        guard state.isWorkingTime else { return nil }
        if readAhead.pending.isEmpty {
            readAhead = try Self.readAhead(after: readAhead.last, in: db)
        }
        guard let next = readAhead.pending.popFirst() else { return nil }
        let batch = next.batch
        readAhead.last = batch.last
        let policy = planner.policy
        let startOfDay = policy.workingHours.instant(on: policy.day(of: state.now), at: TimeOfDay(hour: 0, minute: 0)!)
        let owed = readAhead.owed(next)
        let reviewers = Array(Set(owed.map(\.reviewer))).sorted()
        let history = min(try openHistoryStart(in: db), startOfDay)
        let messages = try Self.messages(to: reviewers, history: history, since: startOfDay, in: db)
        let sent = try stageMarks(ofOwed: owed.map(\.assignmentID).sorted(), messages: messages.written, in: db)
        try planner.plan(batch: owed, contacts: try contacts(of: batch, in: db),
                         alreadySent: sent.marks, lastMarkedAt: sent.lastMarkedAt,
                         lastMessagePerRecipient: messages.lastToday, into: &state, emit: emit)
        return batch
    }

    /// Ends a plan: the admin digest, when due, goes to `emit`.
    public static func finish(_ planner: ReminderPlanner, _ state: ReminderPlanState, in db: Database,
                              emit: (PlannedMessage) throws -> Void) throws -> ReminderPlan {
        let lastDigest = try Outbox.lastMessageTime(kind: PlannedMessage.Kind.adminDigest.rawValue, in: db)
        return try planner.finish(state, lastAdminDigest: lastDigest, emit: emit)
    }

    /// The planner's answer at `now` from the database as it is.
    public static func plan(_ planner: ReminderPlanner, in db: Database, now: Date) throws -> ReminderPlan {
        var messages: [PlannedMessage] = []
        var plan = try plan(planner, in: db, now: now) { messages.append($0) }
        plan.messages = messages
        return plan
    }

    /// The planner's answer at `now`, read batch by batch of reviewers in the caller's transaction,
    /// each message handed to `emit` as it is made; the returned plan's `messages` is empty.
    public static func plan(_ planner: ReminderPlanner, in db: Database, now: Date,
                            emit: (PlannedMessage) throws -> Void) throws -> ReminderPlan {
        var state = planner.begin(now: now)
        var readAhead = ReminderReadAhead()
        while try planNextBatch(planner, &readAhead, into: &state, in: db, emit: emit) != nil {}
        return try finish(planner, state, in: db, emit: emit)
    }
}

extension AppDatabase {
    /// One step of a preview read in parts: the next batch of reviewers is planned into `state` in its
    /// own read transaction. Between batches only `readAhead` is held: the owed reviews of the next few
    /// batches, read together (see `ReminderReadAhead`). Returns the batch's messages; `done` when no
    /// reviewer is left.
    public func previewReminderBatch(_ planner: ReminderPlanner, readAhead: ReminderReadAhead, state: ReminderPlanState) throws
        -> (messages: [PlannedMessage], state: ReminderPlanState, readAhead: ReminderReadAhead, done: Bool) {
        try writer.read { db in
            var state = state, readAhead = readAhead
            var messages: [PlannedMessage] = []
            let batch = try ReminderQueries.planNextBatch(planner, &readAhead, into: &state, in: db) { messages.append($0) }
            return (messages, state, readAhead, batch == nil)
        }
    }

    /// The last step of a preview read in parts: the admin digest (if due) and the plan's lists.
    public func previewReminderFinish(_ planner: ReminderPlanner, state: ReminderPlanState) throws
        -> (messages: [PlannedMessage], plan: ReminderPlan) {
        try writer.read { db in
            var messages: [PlannedMessage] = []
            let plan = try ReminderQueries.finish(planner, state, in: db) { messages.append($0) }
            return (messages, plan)
        }
    }

    /// A message that carries the reviewer's link (`{tautan}`) goes to the reviewer alone; the
    /// copies to the atasan and unit head go as a separate message (`copyDraft`) without it. A message
    /// without a link keeps its Cc.
    static func withoutCopies(_ draft: OutboxDraft, _ message: PlannedMessage) -> OutboxDraft {
        guard !draft.cc.isEmpty, ReviewLinkSlot.hasSlot(message.body) else { return draft }
        var own = draft
        own.cc = []
        return own
    }

    /// The copy of a linked escalation to the people copied (`<key>/tembusan`, kind
    /// `escalation_copy`): the same text with `{tautan}` as `ReviewLinkSlot.copyText`, no stage marks
    /// (the reviewer's message carries them), addressed to no employee (so it does not count against
    /// anyone's one message a day). nil when the message goes as one (no copies, or no link).
    static func copyDraft(_ draft: OutboxDraft, _ message: PlannedMessage) -> OutboxDraft? {
        guard !draft.cc.isEmpty, ReviewLinkSlot.hasSlot(message.body) else { return nil }
        return OutboxDraft(idempotencyKey: draft.idempotencyKey + "/tembusan", kind: "escalation_copy", recipientNIP: nil,
                           from: draft.from, to: draft.cc, subject: "Tembusan: " + draft.subject,
                           body: ReviewLinkSlot.fill(draft.body) { _ in ReviewLinkSlot.copyText })
    }

    /// What the reminder sweep would write at `now`; reads only.
    public func previewReminders(_ planner: ReminderPlanner, now: Date) throws -> ReminderPlan {
        try writer.read { db in try ReminderQueries.plan(planner, in: db, now: now) }
    }

    /// The reminder sweep: plans and enqueues one message per recipient with its (assignment, stage)
    /// marks in ONE write transaction, so a crash leaves either all of it or none, and a re-run finds
    /// the marks and writes nothing twice.
    ///
    /// Each message is written as soon as it is planned and then handed to `each` (a linked
    /// escalation's copy is written with it), so the run holds one message at a time, whatever the
    /// number of reviewers: the plan returned carries the lists and counts but no messages (keeping
    /// them without their texts, and every draft's result, added about 30 MiB to the sweep's peak at
    /// 250,000 employees with 30% of the reviews late).
    public func sweepReminders(_ planner: ReminderPlanner, from: MailAddress, now: Date,
                               each: (PlannedMessage) throws -> Void = { _ in }) throws -> (plan: ReminderPlan, summary: EnqueueSummary) {
        try writer.write { db in
            var summary = EnqueueSummary()
            var marks = try SweepMarks(in: db)
            let plan = try ReminderQueries.plan(planner, in: db, now: now) { message in
                let draft = OutboxDraft(idempotencyKey: message.dedupeKey, kind: message.kind.rawValue,
                                        recipientNIP: message.recipient?.description, from: from, to: message.to,
                                        cc: message.cc.map(\.address), subject: message.subject, body: message.body, marks: message.marks)
                let result = try Outbox.enqueue(Self.withoutCopies(draft, message), at: now, marks: &marks, in: db)
                summary.add(result)
                if case .inserted = result, let copy = Self.copyDraft(draft, message) {
                    summary.add(try Outbox.enqueue(copy, at: now, in: db))
                }
                try each(message)
            }
            summary.marks = try marks.write(in: db)
            #if DEBUG
            PausePoint.reach("sweep.before-commit")
            #endif
            return (plan, summary)
        }
    }
}
