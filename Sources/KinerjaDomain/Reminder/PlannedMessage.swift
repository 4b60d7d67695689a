import Foundation

/// A mailbox: a display name and an address. Header encoding is the mail module's business.
public struct MailAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    public var email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    public var description: String { "\(name) <\(email)>" }
}

/// One owed review as listed in a reviewer's digest.
public struct DigestItem: Sendable, Hashable, Codable {
    public var assignmentID: Int64
    public var cycleID: Int64
    public var cycleLabel: String
    public var subject: NIP
    public var subjectName: String
    public var role: ReviewerRole
    public var due: Date
    /// The local day of `due` in the policy's time zone.
    public var dueDay: CalendarDate
    /// Whole local days past the due date (0 on or before it).
    public var daysLate: Int
    /// Whole local days until the due date (0 on or after it).
    public var daysLeft: Int
    /// The latest stage reached, `nil` before the first stage.
    public var stage: ReminderStage?
    /// Whether this message is the reminder for `stage` (its mark is written with the message).
    public var isNewStage: Bool
    /// Reminders about this review sent before this message (its stage marks).
    public var earlierReminders: Int = 0
    /// For an atasan review by an acting (Plt/Plh) or outside appraiser, which.
    public var atasanSource: AtasanSource? = nil
}

/// Who a copy goes to, and why.
public struct CopyRecipient: Sendable, Hashable, Codable {
    public enum Reason: String, Sendable, Hashable, Codable {
        case atasan
        case unitHead = "unit_head"
    }

    public var nip: NIP
    public var address: MailAddress
    public var reason: Reason
}

/// A message the sweep writes to the outbox.
///
/// Rule implemented: one outbox message per recipient (a digest listing every review they owe,
/// grouped by cycle, with due dates and how late), with the stage marks written in the same
/// transaction (`marks`) and a key for at most one message per recipient per day (`dedupeKey`).
public struct PlannedMessage: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case reminder
        case escalation
        case adminDigest = "admin_digest"
    }

    public var kind: Kind
    /// The employee addressed; `nil` for the admin digest.
    public var recipient: NIP?
    public var to: [MailAddress]
    /// Copies, atasan first, then the unit head.
    public var cc: [CopyRecipient]
    public var subject: String
    public var body: String
    /// The reviews listed (reviewer messages; empty for the admin digest), in digest order.
    public var items: [DigestItem]
    /// Stage marks to record with this message, sorted.
    public var marks: [ReminderStageKey]
    /// The highest escalation among the reviews reminded now.
    public var escalation: EscalationLevel
    /// `reminder/<NIP>/<local date>` or `admin-digest/<local date>`: unique per recipient and day.
    public var dedupeKey: String
}

/// A reviewer whose reviews reached the unit-head escalation, for the admin digest.
public struct EscalatedReviewer: Sendable, Hashable, Codable {
    public var reviewer: NIP
    public var name: String
    public var unit: String
    /// Reviews at the unit-head level.
    public var lateReviews: Int
    public var mostDaysLate: Int
}

/// The admin digest's reviewers at the unit-head escalation, per unit: every one counted, the first
/// `listedPerUnit` of each unit (by NIP) named. A city whose reviews are all late would otherwise
/// name every reviewer, one line each (206,203 at 250,000 employees): a message no one reads to the
/// end, held whole while the sweep runs. The full list is `kinerjactl reviews overdue`.
public struct EscalationDigest: Sendable, Hashable, Codable {
    /// Reviewers named per unit.
    public static let listedPerUnit = 10

    public struct Unit: Sendable, Hashable, Codable {
        /// The unit's first reviewers by NIP, at most `listedPerUnit`, sorted.
        public var listed: [EscalatedReviewer] = []
        /// Every reviewer of the unit at the unit-head escalation, and their reviews at that level.
        public var reviewers = 0
        public var lateReviews = 0
    }

    /// By unit code ("" when the reviewer's unit is not known).
    public private(set) var units: [String: Unit] = [:]

    public init() {}

    /// Counts `reviewer`, and names them if they are among their unit's first by NIP.
    public mutating func add(_ reviewer: EscalatedReviewer) {
        var unit = units[reviewer.unit, default: Unit()]
        unit.reviewers += 1
        unit.lateReviews += reviewer.lateReviews
        let at = unit.listed.firstIndex { $0.reviewer > reviewer.reviewer } ?? unit.listed.endIndex
        if at < Self.listedPerUnit {
            unit.listed.insert(reviewer, at: at)
            if unit.listed.count > Self.listedPerUnit { unit.listed.removeLast() }
        }
        units[reviewer.unit] = unit
    }

    public var isEmpty: Bool { units.isEmpty }
    /// Every reviewer at the unit-head escalation.
    public var reviewers: Int { units.values.reduce(0) { $0 + $1.reviewers } }
    /// Their reviews at that level.
    public var lateReviews: Int { units.values.reduce(0) { $0 + $1.lateReviews } }
    /// The units, sorted by code.
    public var byUnit: [(code: String, unit: Unit)] { units.keys.sorted().map { ($0, units[$0]!) } }
    /// The reviewers named, sorted by unit, then NIP.
    public var listed: [EscalatedReviewer] { byUnit.flatMap(\.unit.listed) }
}

/// Someone a reminder or a copy should have reached but who has no email address.
public struct MissingAddress: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable {
        /// The reviewer who owes reviews.
        case reviewer
        /// The atasan who should have been copied.
        case atasan
        /// The unit head who should have been copied.
        case unitHead = "unit_head"
    }

    public var nip: NIP
    /// Empty when the person is not in the contact rows at all.
    public var name: String
    public var unit: String
    public var role: Role
    /// Reviews concerned (owed by them, or by the reviewers they should have been copied about).
    public var reviews: Int
}

/// The people without an address a plan gathers: every one counted once, the first
/// `ReminderPlan.missingListed` by NIP listed with each reason and its reviews. A city where
/// thousands have no address in the employee file would otherwise list them all, one line each, in
/// the admin digest and the preview, held whole while the sweep runs.
///
/// Exact for the people listed: a person enters the list only while they are among the first by
/// NIP; once the list is full it only takes smaller NIPs (dropping its largest), so a person left
/// out, or dropped, never comes back, and a person listed at the end had every reason and review
/// added while listed.
public struct MissingAddressList: Sendable, Hashable {
    /// Everyone noted, by NIP (8 bytes each): the count.
    private var everyone = Set<NIP>()
    /// The people listed, ascending, at most `ReminderPlan.missingListed`.
    private var listedPeople: [NIP] = []
    private var entries: [NIP: [MissingAddress]] = [:]

    public init() {}

    /// Counts `missing.nip`; adds the reason (or its reviews to the same reason noted before) if the
    /// person is among the first by NIP.
    public mutating func note(_ missing: MissingAddress) {
        everyone.insert(missing.nip)
        if entries[missing.nip] == nil {
            // Where the NIP goes in the ascending list (binary search).
            var at = 0, high = listedPeople.count
            while at < high {
                let mid = (at + high) / 2
                if listedPeople[mid] < missing.nip { at = mid + 1 } else { high = mid }
            }
            guard at < ReminderPlan.missingListed else { return }
            listedPeople.insert(missing.nip, at: at)
            entries[missing.nip] = []
            if listedPeople.count > ReminderPlan.missingListed { entries[listedPeople.removeLast()] = nil }
        }
        if let same = entries[missing.nip]!.firstIndex(where: { $0.role == missing.role }) {
            entries[missing.nip]![same].reviews += missing.reviews
        } else {
            entries[missing.nip]!.append(missing)
        }
    }

    /// People without an address, each counted once.
    public var people: Int { everyone.count }
    /// The first people by NIP with their reasons, sorted by unit, NIP, reason (reviewer, atasan, unit head).
    public var listed: [MissingAddress] {
        entries.values.joined().sorted { ($0.unit, $0.nip, $0.role.order) < ($1.unit, $1.nip, $1.role.order) }
    }
}

/// A reviewer who is owed a reminder now but will not get one in this sweep.
public struct DeferredReminder: Sendable, Hashable, Codable {
    public enum Reason: String, Sendable, Hashable, Codable {
        /// A message was already addressed to them today (one a day).
        case alreadyMessagedToday = "already_messaged_today"
        /// No email address (listed in the admin digest instead).
        case noAddress = "no_address"
    }

    public var reviewer: NIP
    public var reason: Reason
    /// Reviews whose stage is waiting.
    public var pending: Int
}

/// What one sweep decides at one instant.
public struct ReminderPlan: Sendable, Hashable, Codable {
    public var now: Date
    /// Whether `now` is working time; when it is not, nothing is planned.
    public var isWorkingTime: Bool
    /// The first working instant at or after `now` (`now` itself in working time).
    public var nextWorkingInstant: Date?
    /// Reviewer messages sorted by NIP, then the admin digest (if any).
    public var messages: [PlannedMessage]
    /// Reviewers owed a reminder who do not get one now, by NIP: the first `deferredListed` of
    /// them (a preview just after the day's sweep defers every reviewer of the city).
    public var deferred: [DeferredReminder]
    /// Reviewers who have an address but already had a message today: tomorrow's sweep reminds them.
    /// All of them, listed in `deferred` or not.
    public var waitingForTomorrow: Int
    /// Reviewers at the unit-head escalation (the admin digest's list): counted per unit, the first
    /// of each unit named.
    public var escalated: EscalationDigest
    /// People without an address (the admin digest's second list): the first `missingListed` of them
    /// by NIP with each reason, sorted by unit, NIP, role.
    public var missingAddresses: [MissingAddress]
    /// People without an address, each counted once: all of them, listed in `missingAddresses` or not.
    public var peopleWithoutAddressCount: Int

    /// All stage marks of all messages, sorted.
    public var marks: [ReminderStageKey] { messages.flatMap(\.marks).sorted() }

    /// Deferred reviewers listed in a plan, at most.
    public static let deferredListed = 200

    /// People without an address listed in a plan (and the admin digest), at most.
    public static let missingListed = 200

    /// The people without an address listed (`missingAddresses`), each once (someone can be both a
    /// reviewer and an atasan due a copy), with what they should have received.
    public var peopleWithoutAddress: [(nip: NIP, roles: [MissingAddress.Role])] {
        var roles: [NIP: [MissingAddress.Role]] = [:]
        var order: [NIP] = []
        for m in missingAddresses {
            if roles[m.nip] == nil { order.append(m.nip) }
            roles[m.nip, default: []].append(m.role)
        }
        return order.map { ($0, roles[$0]!) }
    }
}
