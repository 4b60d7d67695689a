import Foundation

/// Decides, at one instant, which reminder messages the sweep writes.
///
/// Rules implemented (docs/admin-guide.md, "Reminders"):
/// - nothing outside working hours or on a holiday (`ReminderPolicy.isWorkingTime`);
/// - a review not yet overdue is at the latest stage it has reached (before, due); a reviewer is
///   reminded when at least one of their reviews is at a stage not yet marked as sent;
/// - an overdue review follows the reminders it actually had, not only the calendar: its next
///   overdue stage is the one after the latest it was reminded of, reached when the calendar has
///   reached it and, after an earlier overdue reminder, when as many days have passed since that
///   reminder as lie between the two stages. A backdated cycle already far past due therefore starts
///   with the first overdue stage and steps through the others at the policy's pace;
/// - escalation follows the overdue reminders sent: the Nth overdue reminder of a review escalates
///   as `EscalationPolicy` says for N, so a reviewer's first reminder never copies anyone;
/// - one message per reviewer: a digest of every review they still owe (also those not yet at a stage
///   or already reminded at their stage), grouped by cycle, with due dates and days late; the marks of
///   the newly reached stages go with it;
/// - at most one message addressed to a reviewer per local day: a reviewer who already got one today
///   is deferred, their marks are not written, and tomorrow's sweep reminds them;
/// - escalation by the highest level among the newly reached stages: the atasan is copied, then also
///   the unit head (never the reviewer themselves, never the same person twice). Copies do not count
///   against the copied person's own one-a-day limit: an atasan whose staff are late on the same day
///   receives each copy;
/// - a daily admin digest (at most one per local day, only when something is listed): every reviewer
///   currently at the unit-head level, and everyone who should have been reached but has no address
///   (reviewers, and atasan or unit heads due a copy). It is a snapshot of the day, so it carries no
///   stage marks;
/// - a reviewer without an address gets no message and no marks (an address added later brings the
///   reminder at the then current stage).
/// Output order is deterministic: messages by reviewer NIP, the admin digest last; digest items by
/// cycle (earliest due first, then cycle id), due date, subject NIP, role, assignment id.
public struct ReminderPlanner: Sendable {
    public var policy: ReminderPolicy
    public var templates: ReminderTemplates
    /// Who signs the messages (`{instansi}`), e.g. `BKPSDM Kota Bandung`.
    public var sender: String
    /// The BKPSDM admin address; `nil` disables the admin digest message (its lists stay in the plan).
    public var adminAddress: MailAddress?

    public init(policy: ReminderPolicy, templates: ReminderTemplates = .standard,
                sender: String = "BKPSDM Kota Bandung", adminAddress: MailAddress? = nil) {
        self.policy = policy
        self.templates = templates
        self.sender = sender
        self.adminAddress = adminAddress
    }

    /// The plan at `now`.
    ///
    /// - Parameters:
    ///   - owed: every owed review (open cycles, not submitted), one row each, any order; a repeated
    ///     assignment id is counted once (first row kept).
    ///   - contacts: the reviewers, their atasan and unit heads; a repeated NIP keeps the first row.
    ///   - alreadySent: the stage marks already written.
    ///   - lastMarkedAt: per assignment, when the message carrying its latest mark was written (the
    ///     pace of overdue stages after a reminder; absent: no pause is required).
    ///   - lastMessagePerRecipient: when the last message addressed to each employee was written.
    ///   - lastAdminDigest: when the last admin digest was written.
    public func plan(owed: [OwedReview], contacts: [ReminderContact], alreadySent: Set<ReminderStageKey>,
                     lastMarkedAt: [Int64: Date] = [:], lastMessagePerRecipient: [NIP: Date], lastAdminDigest: Date? = nil,
                     now: Date) -> ReminderPlan {
        var messages: [PlannedMessage] = []
        var plan = plan(owed: owed, contacts: contacts, alreadySent: alreadySent, lastMarkedAt: lastMarkedAt,
                        lastMessagePerRecipient: lastMessagePerRecipient, lastAdminDigest: lastAdminDigest, now: now) {
            messages.append($0)
        }
        plan.messages = messages
        return plan
    }

    /// The plan at `now`, each message handed to `emit` as soon as it is made, in the order `plan`
    /// lists them; the returned plan's `messages` is empty. The sweep writes each message as it
    /// comes, so a city-wide run never holds every message text at once.
    public func plan(owed: [OwedReview], contacts: [ReminderContact], alreadySent: Set<ReminderStageKey>,
                     lastMarkedAt: [Int64: Date] = [:], lastMessagePerRecipient: [NIP: Date], lastAdminDigest: Date? = nil,
                     now: Date, emit: (PlannedMessage) throws -> Void) rethrows -> ReminderPlan {
        var state = begin(now: now)
        try plan(batch: owed, contacts: contacts, alreadySent: alreadySent, lastMarkedAt: lastMarkedAt,
                 lastMessagePerRecipient: lastMessagePerRecipient, into: &state, emit: emit)
        return try finish(state, lastAdminDigest: lastAdminDigest, emit: emit)
    }

    /// Starts a plan at `now` that is fed reviewer by reviewer in batches (`plan(batch:…)`) and
    /// ended by `finish`; the store reads one batch of reviewers at a time, so neither the rows
    /// read nor the messages made grow with the city.
    public func begin(now: Date) -> ReminderPlanState {
        ReminderPlanState(now: now, isWorkingTime: policy.isWorkingTime(now), today: policy.day(of: now))
    }

    /// Plans the reviewers of one batch, handing each message to `emit`.
    ///
    /// - Parameters:
    ///   - owed: every owed review of the batch's reviewers (all rows of a reviewer in the same
    ///     batch; batches in ascending reviewer NIP, so messages come out in NIP order as a single
    ///     plan lists them); a repeated assignment id is counted once (first row kept).
    ///   - contacts: the batch's reviewers, their atasan and unit heads; a repeated NIP keeps the first row.
    ///   - alreadySent: the stage marks already written (at least those of the batch's assignments).
    ///   - lastMarkedAt: per assignment, when the message carrying its latest mark was written (at
    ///     least for the batch's assignments; absent: no pause before the next overdue stage).
    ///   - lastMessagePerRecipient: when the last message addressed to each reviewer was written.
    public func plan(batch owed: [OwedReview], contacts: [ReminderContact], alreadySent: Set<ReminderStageKey>,
                     lastMarkedAt: [Int64: Date] = [:], lastMessagePerRecipient: [NIP: Date], into state: inout ReminderPlanState,
                     emit: (PlannedMessage) throws -> Void) rethrows {
        guard state.isWorkingTime else { return }
        let today = state.today
        var contactByNIP: [NIP: ReminderContact] = [:]
        for c in contacts where contactByNIP[c.nip] == nil { contactByNIP[c.nip] = c }

        var byReviewer: [NIP: [OwedReview]] = [:]
        var seen = Set<Int64>()
        for row in owed where seen.insert(row.assignmentID).inserted {
            byReviewer[row.reviewer, default: []].append(row)
        }
        let stages = policy.stages
        let overdueDays = policy.afterDays.sorted()
        let history = ReminderHistory(alreadySent)
        var dueDays: [Date: CalendarDate] = [:]
        var cache = ReminderTextCache()

        for reviewer in byReviewer.keys.sorted() {
            let rows = byReviewer[reviewer]!
            var items: [DigestItem] = []
            items.reserveCapacity(rows.count)
            var levels: [EscalationLevel] = []
            for row in rows {
                let dueDay: CalendarDate
                if let cached = dueDays[row.due] {
                    dueDay = cached
                } else {
                    dueDay = policy.day(of: row.due)
                    dueDays[row.due] = dueDay
                }
                let elapsed = today.daysSinceEpoch - dueDay.daysSinceEpoch
                let marks = history.marks[row.assignmentID] ?? .init()
                var stage: ReminderStage?
                var isNew = false
                var overdueOrdinal = 0
                if let first = overdueDays.first, elapsed >= first {
                    // Overdue: the stage after the latest overdue reminder sent, at the policy's pace.
                    let next = overdueDays.first { marks.highestOverdue == nil || $0 > marks.highestOverdue! }
                    var paced = true
                    if let highest = marks.highestOverdue, let next, let last = lastMarkedAt[row.assignmentID] {
                        paced = today.daysSinceEpoch - policy.day(of: last).daysSinceEpoch >= next - highest
                    }
                    if let next, next <= elapsed, paced {
                        stage = .after(days: next)
                        isNew = !alreadySent.contains(ReminderStageKey(assignmentID: row.assignmentID, stage: .after(days: next)))
                        overdueOrdinal = marks.overdue + (isNew ? 1 : 0)
                    } else if let highest = marks.highestOverdue {
                        stage = .after(days: highest)
                        overdueOrdinal = marks.overdue
                    }
                } else {
                    stage = stages.last { $0.dayOffset <= elapsed }
                    isNew = stage.map { !alreadySent.contains(ReminderStageKey(assignmentID: row.assignmentID, stage: $0)) } ?? false
                }
                items.append(DigestItem(
                    assignmentID: row.assignmentID, cycleID: row.cycleID, cycleLabel: row.cycleLabel, subject: row.subject,
                    subjectName: row.subjectName, role: row.role, due: row.due, dueDay: dueDay, daysLate: max(0, elapsed),
                    daysLeft: max(0, -elapsed), stage: stage, isNewStage: isNew, earlierReminders: marks.total,
                    atasanSource: row.atasanSource))
                levels.append(policy.escalation.level(atOverdueStage: overdueOrdinal))
            }
            let reached = items.filter { $0.stage != nil }
            guard !reached.isEmpty else { continue }
            let currentLevel = levels.max() ?? .none
            let newItems = zip(items, levels).filter { $0.0.isNewStage }
            let newLevel = newItems.map(\.1).max() ?? .none
            let contact = contactByNIP[reviewer]

            // The admin digest's snapshot.
            if currentLevel == .unitHead {
                let atLevel = zip(items, levels).filter { $0.1 == .unitHead }.map(\.0)
                state.escalated.add(EscalatedReviewer(
                    reviewer: reviewer, name: contact?.name ?? "", unit: contact?.unit ?? "",
                    lateReviews: atLevel.count, mostDaysLate: atLevel.map(\.daysLate).max() ?? 0))
            }
            func noteMissing(_ nip: NIP, _ role: MissingAddress.Role, reviews: Int) {
                let c = contactByNIP[nip]
                state.missing.note(MissingAddress(nip: nip, name: c?.name ?? "", unit: c?.unit ?? "", role: role, reviews: reviews))
            }
            if contact?.address == nil { noteMissing(reviewer, .reviewer, reviews: reached.count) }
            if currentLevel >= .atasan, let sup = contact?.supervisor, sup != reviewer,
               contactByNIP[sup]?.address == nil {
                noteMissing(sup, .atasan, reviews: levels.filter { $0 >= .atasan }.count)
            }
            if currentLevel == .unitHead, let head = contact?.unitHead, head != reviewer,
               head != contact?.supervisor, contactByNIP[head]?.address == nil {
                noteMissing(head, .unitHead, reviews: levels.filter { $0 == .unitHead }.count)
            }

            // The reviewer's message.
            guard !newItems.isEmpty else { continue }
            guard let contact, let address = contact.address else {
                state.defer(DeferredReminder(reviewer: reviewer, reason: .noAddress, pending: newItems.count))
                continue
            }
            if let last = lastMessagePerRecipient[reviewer], policy.day(of: last) == today {
                state.defer(DeferredReminder(reviewer: reviewer, reason: .alreadyMessagedToday, pending: newItems.count))
                continue
            }
            var cc: [CopyRecipient] = []
            if newLevel >= .atasan, let sup = contact.supervisor, sup != reviewer,
               let supContact = contactByNIP[sup], let supAddress = supContact.address {
                cc.append(CopyRecipient(nip: sup, address: MailAddress(name: supContact.name, email: supAddress), reason: .atasan))
            }
            if newLevel == .unitHead, let head = contact.unitHead, head != reviewer, head != contact.supervisor,
               let headContact = contactByNIP[head], let headAddress = headContact.address {
                cc.append(CopyRecipient(nip: head, address: MailAddress(name: headContact.name, email: headAddress),
                                        reason: .unitHead))
            }
            let ordered = Self.digestOrder(items)
            try emit(reviewerMessage(
                contact: contact, address: address, items: ordered, cc: cc, level: newLevel, today: today, cache: &cache))
        }
    }

    /// Ends a plan: the admin digest (when due and something is listed) goes to `emit`, and the plan
    /// comes back with what was deferred, escalated and missing (its `messages` empty).
    public func finish(_ state: ReminderPlanState, lastAdminDigest: Date? = nil,
                       emit: (PlannedMessage) throws -> Void) rethrows -> ReminderPlan {
        let now = state.now, today = state.today
        let next = policy.nextWorkingInstant(atOrAfter: now)
        guard state.isWorkingTime else {
            return ReminderPlan(now: now, isWorkingTime: false, nextWorkingInstant: next, messages: [], deferred: [], waitingForTomorrow: 0,
                                escalated: EscalationDigest(), missingAddresses: [], peopleWithoutAddressCount: 0)
        }
        let missingList = state.missing.listed
        let escalated = state.escalated
        if let adminAddress, !escalated.isEmpty || !missingList.isEmpty,
           lastAdminDigest.map({ policy.day(of: $0) != today }) ?? true {
            try emit(adminDigestMessage(to: adminAddress, escalated: escalated, missing: missingList,
                                        people: state.missing.people, today: today))
        }
        return ReminderPlan(now: now, isWorkingTime: true, nextWorkingInstant: next, messages: [],
                            deferred: state.deferred, waitingForTomorrow: state.deferredCount, escalated: escalated,
                            missingAddresses: missingList, peopleWithoutAddressCount: state.missing.people)
    }

    /// The marks already written, summed per assignment once per sweep (not looked up per row).
    struct ReminderHistory {
        struct Marks {
            /// Every stage reminded.
            var total = 0
            /// Overdue stages reminded.
            var overdue = 0
            /// The latest overdue stage reminded, in days after the due date.
            var highestOverdue: Int?
        }

        var marks: [Int64: Marks] = [:]

        init(_ sent: Set<ReminderStageKey>) {
            marks.reserveCapacity(sent.count / 2)
            for key in sent {
                var m = marks[key.assignmentID] ?? Marks()
                m.total += 1
                if case .after(let days) = key.stage {
                    m.overdue += 1
                    m.highestOverdue = max(m.highestOverdue ?? days, days)
                }
                marks[key.assignmentID] = m
            }
        }
    }

    /// Items grouped by cycle (cycles ordered by their earliest due instant, then id), then by due
    /// instant, subject, role and assignment id.
    static func digestOrder(_ items: [DigestItem]) -> [DigestItem] {
        var firstDue: [Int64: Date] = [:]
        for item in items { firstDue[item.cycleID] = min(firstDue[item.cycleID] ?? item.due, item.due) }
        return items.sorted { a, b in
            if a.cycleID != b.cycleID { return (firstDue[a.cycleID]!, a.cycleID) < (firstDue[b.cycleID]!, b.cycleID) }
            return (a.due, a.subject, a.role.order, a.assignmentID) < (b.due, b.subject, b.role.order, b.assignmentID)
        }
    }
}

/// What a plan fed in batches has gathered so far (see `ReminderPlanner.begin(now:)`): the first
/// reviewers deferred and how many wait for tomorrow, the admin digest's counts per unit with each
/// unit's first reviewers, and the first people without an address. Bounded by the units, not by
/// the reviewers (the people without an address are counted in a set of their NIPs, 8 bytes each).
public struct ReminderPlanState: Sendable {
    public let now: Date
    public let isWorkingTime: Bool
    let today: CalendarDate
    /// The first deferred reviewers (`ReminderPlan.deferredListed`), and those waiting for tomorrow.
    var deferred: [DeferredReminder] = []
    private(set) var waitingForTomorrow = 0
    var escalated = EscalationDigest()
    var missing = MissingAddressList()

    /// Reviewers so far who wait for tomorrow: they had their one message today (those without an
    /// address are not waiting for anything and are counted as such, in `missing`).
    public var deferredCount: Int { waitingForTomorrow }

    mutating func `defer`(_ reminder: DeferredReminder) {
        if reminder.reason == .alreadyMessagedToday { waitingForTomorrow += 1 }
        if deferred.count < ReminderPlan.deferredListed { deferred.append(reminder) }
    }

    init(now: Date, isWorkingTime: Bool, today: CalendarDate) {
        self.now = now
        self.isWorkingTime = isWorkingTime
        self.today = today
    }
}

extension MissingAddress.Role {
    var order: Int {
        switch self {
        case .reviewer: return 0
        case .atasan: return 1
        case .unitHead: return 2
        }
    }
}
