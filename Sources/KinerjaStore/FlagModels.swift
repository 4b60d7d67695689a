import Foundation
import KinerjaDomain

/// A stored low-motivation flag, without its evidence and history (see `FlagDetail`).
public struct FlagRecord: Sendable, Hashable {
    public var id: Int64
    /// `rule/nip/window start`, unique.
    public var identity: String
    public var rule: MotivationRule
    /// The employee concerned: the subject, or the reviewer for `perfunctory_reviewer`.
    public var nip: NIP
    /// Their name, when they are in the employee table.
    public var name: String?
    public var unit: String?
    public var window: PeriodWindow
    public var severity: FlagSeverity
    public var status: FlagStatus
    /// The analysis no longer finds the pattern (the flag stays until a person resolves it).
    public var conditionCleared: Bool
    public var clearedAt: Date?
    /// How far past the threshold (1.0 exactly at it).
    public var ratio: Double
    public var concurrentRules: [MotivationRule]
    public var followUp: FollowUpAction
    /// What was done, for a resolved flag.
    public var resolution: FlagResolution?
    public var createdAt: Date
    public var updatedAt: Date
}

/// One change in a flag's history.
public struct FlagEventRecord: Sendable, Hashable {
    /// `created`, `escalated`, `deescalated`, `condition_cleared`, `condition_returned` (by the
    /// analysis), `acknowledged`, `resolved`, `dismissed` (by a person).
    public var action: String
    public var at: Date
    /// The person's uid; `nil` for the analysis.
    public var actorUID: Int64?
    /// The person's user name (or `uid N` when the uid has no name), or `motivation-analysis`.
    public var actor: String
    public var note: String?
    public var fromStatus: FlagStatus?
    public var toStatus: FlagStatus?
    public var fromSeverity: FlagSeverity?
    public var toSeverity: FlagSeverity?
}

/// A flag with its evidence and history (oldest event first).
public struct FlagDetail: Sendable, Hashable {
    public var flag: FlagRecord
    public var evidence: FlagEvidence
    public var events: [FlagEventRecord]
}

/// Who changes a flag: a person from the control socket's peer credentials.
public struct FlagActor: Sendable, Hashable {
    public var uid: Int64?
    public var name: String

    public init(uid: Int64?, name: String) {
        self.uid = uid
        self.name = name
    }

    /// The analysis job.
    public static let analysis = FlagActor(uid: nil, name: "motivation-analysis")
}

/// Which flags `flags(_:)` returns.
public struct FlagFilter: Sendable, Hashable {
    /// `nil`: open and acknowledged ones (the work list).
    public var statuses: Set<FlagStatus>? = nil
    public var unit: String? = nil
    public var rule: MotivationRule? = nil
    public var severity: FlagSeverity? = nil
    public var nip: NIP? = nil
    /// Also open and acknowledged flags whose condition no longer holds (`condition_cleared`); by
    /// default only flags whose pattern still holds are listed.
    public var includeCleared = false
    public var limit: Int = 1000

    public init(statuses: Set<FlagStatus>? = nil, unit: String? = nil, rule: MotivationRule? = nil,
                severity: FlagSeverity? = nil, nip: NIP? = nil, includeCleared: Bool = false, limit: Int = 1000) {
        self.includeCleared = includeCleared
        self.statuses = statuses
        self.unit = unit
        self.rule = rule
        self.severity = severity
        self.nip = nip
        self.limit = limit
    }
}

/// Flags of one unit and rule, by status (`flags summary`).
public struct FlagCount: Sendable, Hashable {
    public var unit: String
    public var rule: MotivationRule
    public var open = 0
    public var acknowledged = 0
    public var resolved = 0
    public var dismissed = 0
    /// Of the open and acknowledged ones, those whose condition no longer holds.
    public var conditionCleared = 0

    public init(unit: String, rule: MotivationRule) {
        self.unit = unit
        self.rule = rule
    }

    /// Open and acknowledged.
    public var active: Int { open + acknowledged }
}

/// A flag whose severity the analysis raised.
public struct FlagEscalation: Sendable, Hashable {
    public var flag: FlagRecord
    public var from: FlagSeverity
}

/// What an analysis run did to a flag, read back from its `flag_event` row after the run: the flag
/// created, or escalated (`from` the severity it had, the flag's severity the one it was given).
public struct FlagRunEvent: Sendable, Hashable {
    public enum Action: String, Sendable {
        case created, escalated
    }

    /// The `flag_event` row: the next page starts after it.
    public var eventID: Int64
    public var flag: FlagRecord
    public var from: FlagSeverity?
}

/// What one analysis run wrote.
public struct FlagUpdateOutcome: Sendable, Hashable {
    /// Findings the rules returned.
    public var findings = 0
    /// New flags (each gets a journal entry).
    public var createdCount = 0
    /// Open or acknowledged flags whose severity rose (each gets a journal entry).
    public var escalatedCount = 0
    /// The new flags, in the order created, when the caller asked for them (`records`); else empty,
    /// and they are read back a page at a time (`AppDatabase.flagRunEvents`).
    public var created: [FlagRecord] = []
    /// The escalations, in the order made, when the caller asked for them; else empty (as `created`).
    public var escalated: [FlagEscalation] = []
    /// The run's rows of `flag_event`: those with an id above `eventsAfter`, up to `eventsUpTo` (none
    /// when equal). The writer is held for the whole run, so no other change has an id in between.
    public var eventsAfter: Int64 = 0
    public var eventsUpTo: Int64 = 0
    /// Open or acknowledged flags whose severity fell.
    public var deescalated = 0
    /// Open or acknowledged flags whose evidence changed (escalations included).
    public var updated = 0
    /// Flags whose pattern no longer holds, marked `condition_cleared` in this run.
    public var cleared = 0
    /// Cleared flags whose pattern holds again.
    public var returned = 0
    /// Open flags nobody acted on, cleared by a period that had already closed (by its recorded
    /// close time) before the flag was raised: leftovers of loading history, dismissed by the analysis.
    public var retired = 0
    /// Findings whose flag is already resolved or dismissed (left as they are).
    public var closedAlready = 0

    public init() {}

    /// One line for the job's summary.
    public var summary: String {
        "\(findings) findings: \(createdCount) new flags, \(escalatedCount) escalated, \(updated) updated, "
            + "\(cleared) cleared, \(returned) returned, \(retired) retired as history leftovers, "
            + "\(closedAlready) already closed"
    }
}

/// A refused or impossible request on flags; the daemon maps these to Varlink errors.
public enum FlagStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    case notFound(id: Int64)
    /// The flag's status does not allow the action.
    case invalidTransition(id: Int64, FlagTransitionError)
    /// A missing note, an unknown resolution, …
    case invalidInput(String)

    public var description: String {
        switch self {
        case .notFound(let id): return "no flag \(id)"
        case .invalidTransition(let id, let error): return "flag \(id): \(error)"
        case .invalidInput(let message): return message
        }
    }
}
