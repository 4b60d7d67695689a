import Foundation
import KinerjaDomain

/// A cycle as stored, with its completion counts.
public struct CycleInfo: Sendable, Hashable, Encodable {
    public var id: Int64
    public var period: Period
    public var kind: PeriodKind
    public var status: Status
    public var openedAt: Date
    public var openedBy: String
    public var dueAt: Date
    public var closedAt: Date?
    public var closedBy: String?
    public var forced: Bool
    public var closeReason: String?
    public var assignments: Int
    public var submitted: Int
    public var late: Int
    /// The assignment policy the cycle was opened with (peers per subject, cap, seed, due).
    public var rekanPerSubject: Int
    public var rekanCapPerReviewer: Int
    public var rekanSeed: Int64

    public enum Status: String, Sendable, Hashable, Encodable {
        case open, closed
    }

    /// The cycle as callers without admin access see it: the close reason is free text an admin
    /// wrote (it may name the person a forced close was about), so it is left out.
    public var withoutFreeText: CycleInfo {
        var copy = self
        copy.closeReason = nil
        return copy
    }
}

/// How a command names a cycle: its id or its period code (`3` or `2025-Q1`).
public enum CycleReference: Sendable, Hashable, CustomStringConvertible {
    case id(Int64)
    case period(Period)

    /// `"12"` → id 12; anything else must be a period code.
    public init(parsing text: String) throws(PeriodError) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if !t.isEmpty, t.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), t.count < 8, let id = Int64(t) {
            self = .id(id)
        } else {
            self = .period(try Period(parsing: t))
        }
    }

    public var description: String {
        switch self {
        case .id(let id): return String(id)
        case .period(let p): return p.code
        }
    }
}

/// A refusal or a missing object from the cycle store; the daemon maps these to Varlink errors.
public enum CycleStoreError: Error, Sendable, CustomStringConvertible {
    /// What was looked for (`cycle`, `employee`, `assignment`, `result`) and the id given.
    case notFound(what: String, id: String)
    /// The request cannot be done in the current state (e.g. a review for a closed cycle).
    case refused(String)
    /// Closing would leave required assignments open: how many, and the first ones.
    case notClosable(cycle: CycleInfo, openRequired: Int, sample: [AssignmentInfo])

    public var description: String {
        switch self {
        case .notFound(let what, let id): return "no \(what) \(id)"
        case .refused(let message): return message
        case .notClosable(let cycle, let n, _):
            return "cycle \(cycle.period) has \(n) required assignments still open"
        }
    }
}

/// One assignment with what is known of its review (scores only for the roles that are not
/// anonymous: self and atasan; rekan and bawahan reviews are shown as aggregates only).
public struct AssignmentInfo: Sendable, Hashable, Encodable {
    public var id: Int64
    public var cycle: String
    public var subject: NIP
    public var subjectName: String?
    public var reviewer: NIP
    public var reviewerName: String?
    public var role: ReviewerRole
    public var unit: String
    public var reviewerUnit: String
    public var dueAt: Date
    public var submittedAt: Date?
    public var late: Bool
    public var mean: Double?
    public var hasilKerja: Rating?
    public var comment: String?
    /// How the review was stored: `web` (the reviewer's personal link), or the admin call or import
    /// that stored it; nil while not submitted.
    public var source: String? = nil
}

/// Completion of a group of assignments (a role, a unit, or the whole cycle).
public struct Completion: Sendable, Hashable, Encodable {
    public var name: String
    public var total: Int
    public var submitted: Int
    public var late: Int
    public var open: Int
    /// Open and past due at the time asked.
    public var overdue: Int
}

/// A cycle with its completion per role and per unit (the subjects' units).
public struct CycleDetail: Sendable, Hashable, Encodable {
    public var cycle: CycleInfo
    public var roles: [Completion]
    public var units: [Completion]
}

/// What opening a period did.
public struct OpenCycleOutcome: Sendable, Hashable, Encodable {
    /// False when the period already had a cycle (nothing was changed).
    public var created: Bool
    public var cycle: CycleInfo
    /// Assignments per role (of the new cycle; of the existing one when not created).
    public var byRole: [String: Int]
    public var rekanShortfalls: Int
    public var withoutAtasan: Int
    public var message: String
    /// Subjects who got some peers from outside their sub-unit or level.
    public var rekanFallbacks = 0
    /// Who got fewer peers or fallback peers, who has no atasan review, and who is appraised by an
    /// acting or outside appraiser (first lines of each).
    public var notes: [String] = []
}

/// What closing a cycle did.
public struct CloseCycleOutcome: Sendable, Hashable, Encodable {
    /// False when the cycle was already closed (nothing was changed).
    public var closed: Bool
    public var cycle: CycleInfo
    public var results: Int
    public var withPredikat: Int
    public var predikat: [String: Int]
    public var message: String
}

/// What an import applied (or, for a dry run, would apply).
public struct ImportSummary: Sendable, Hashable, Encodable {
    public var kind: String
    public var dryRun: Bool
    public var records: Int
    public var added: Int = 0
    public var changed: Int = 0
    public var deactivated: Int = 0
    public var unchanged: Int = 0
    /// Reviews revised, SKM responses replaced, trainings already stored.
    public var replaced: Int = 0
    /// Reviews submitted after their due date.
    public var late: Int = 0
    public var unitsAdded: Int = 0
    public var warnings: [String] = []
    /// A few lines that say what changed (first ones only).
    public var details: [String] = []
    /// Employee imports: deactivations per unit code (every one counted, none silent).
    public var deactivatedByUnit: [String: Int]?
    /// Employee imports: the units a partial file covered (nil for the whole city).
    public var scope: [String]?
    /// Employee imports: per changed employee, what happened to an open cycle's assignments (the first
    /// 200 employees by cycle and NIP).
    public var cycleChanges: [CycleChange]?
    /// Employee imports: how many employees' open assignments changed, when more than `cycleChanges`
    /// lists (the cycle report lists them all); nil otherwise.
    public var cycleChangesTotal: Int?

    public init(kind: String, dryRun: Bool, records: Int) {
        self.kind = kind
        self.dryRun = dryRun
        self.records = records
    }
}

/// Progress of a long store operation: a phase name and how far it is.
public struct StoreProgress: Sendable, Hashable {
    public var phase: String
    public var done: Int
    public var total: Int

    public init(phase: String, done: Int, total: Int) {
        self.phase = phase
        self.done = done
        self.total = total
    }
}

/// Receives progress from inside a transaction (must not block).
public typealias ProgressSink = @Sendable (StoreProgress) -> Void
