import Foundation

/// Where a follow-up task stands.
///
/// Rule implemented (docs/admin-guide.md, "Follow-up tasks"): a task starts `open`; the atasan records
/// the outcome (`held`); a held task is `closed` once its next check date has come (at once when the
/// outcome names none). An open task whose due date has passed is `overdue`; an overdue task still
/// not held `escalate_after` days after its due date is `escalated` (the unit head is told, and the
/// BKPSDM digest lists it). An overdue or escalated task can still be held.
public enum FollowupStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case open, held, closed, overdue, escalated

    /// Whether the outcome may still be recorded.
    public var awaitsOutcome: Bool { self == .open || self == .overdue || self == .escalated }

    /// The Indonesian word shown to the atasan.
    public var label: String {
        switch self {
        case .open: return "menunggu"
        case .held: return "sudah dilaksanakan"
        case .closed: return "selesai"
        case .overdue: return "terlambat"
        case .escalated: return "terlambat, diteruskan ke kepala unit"
        }
    }
}

/// What the atasan and the employee agreed when the follow-up was held.
public enum FollowupAgreedAction: String, Sendable, Hashable, Codable, CaseIterable {
    case training
    case mentoring
    case workloadChange = "workload_change"
    case noneNeeded = "none_needed"
    case other

    public var label: String {
        switch self {
        case .training: return "Pelatihan"
        case .mentoring: return "Mentoring"
        case .workloadChange: return "Perubahan beban kerja"
        case .noneNeeded: return "Tidak perlu tindakan"
        case .other: return "Lainnya"
        }
    }

    /// `training`, `mentoring`, `workload_change` (or `workload-change`), `none_needed`, `other`, any case.
    public init?(parsing text: String) {
        self.init(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "-", with: "_"))
    }

    public static var spellings: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// The outcome the atasan records: the day the dialog was held, what was agreed, a short note and
/// the day to look again.
public struct FollowupOutcome: Sendable, Hashable, Codable {
    public static let maxNoteLength = 500

    public var heldOn: CalendarDate
    public var action: FollowupAgreedAction
    public var note: String
    public var nextCheck: CalendarDate?

    public init(heldOn: CalendarDate, action: FollowupAgreedAction, note: String, nextCheck: CalendarDate?) {
        self.heldOn = heldOn
        self.action = action
        self.note = note
        self.nextCheck = nextCheck
    }

    /// Reads an outcome from its text fields, each problem naming its field: `held_on` a YYYY-MM-DD
    /// day not after `today` and not before the task was created (`createdOn`); `action` one of
    /// `FollowupAgreedAction`; `note` at most 500 characters, control characters refused; `next_check`
    /// (optional) a day after `held_on`.
    public static func parse(heldOn: String, action: String, note: String, nextCheck: String?,
                             createdOn: CalendarDate, today: CalendarDate) -> Result<FollowupOutcome, FollowupInputError> {
        var problems: [String] = []
        let held = CalendarDate(iso: heldOn.trimmingCharacters(in: .whitespaces))
        if let held {
            if held > today { problems.append("held_on: \(held) is after today (\(today))") }
            if held < createdOn { problems.append("held_on: \(held) is before the follow-up was created (\(createdOn))") }
        } else {
            problems.append("held_on: '\(heldOn)' is not a date of the form YYYY-MM-DD")
        }
        let agreed = FollowupAgreedAction(parsing: action)
        if agreed == nil { problems.append("action: '\(action)' is not one of \(FollowupAgreedAction.spellings)") }
        let text = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count > maxNoteLength { problems.append("note: \(text.count) characters, at most \(maxNoteLength) allowed") }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" && $0 != "\r" }) {
            problems.append("note: contains control characters")
        }
        var next: CalendarDate?
        if let nextCheck, !nextCheck.trimmingCharacters(in: .whitespaces).isEmpty {
            next = CalendarDate(iso: nextCheck.trimmingCharacters(in: .whitespaces))
            if next == nil {
                problems.append("next_check: '\(nextCheck)' is not a date of the form YYYY-MM-DD")
            } else if let held, let n = next, n <= held {
                problems.append("next_check: \(n) is not after held_on (\(held))")
            }
        }
        guard problems.isEmpty, let held, let agreed else { return .failure(FollowupInputError(problems: problems)) }
        return .success(FollowupOutcome(heldOn: held, action: agreed, note: text, nextCheck: next))
    }
}

/// Input refused, each problem naming its field.
public struct FollowupInputError: Error, Sendable, Hashable {
    public var problems: [String]
    public init(problems: [String]) { self.problems = problems }
}

/// `followup:` in config: which flags become tasks and how the tasks are paced.
public struct FollowupPolicy: Sendable, Hashable {
    /// Flags of this severity or above become follow-up tasks.
    public var minSeverity: FlagSeverity = .warning
    /// Days from the task's creation to its due date.
    public var dueAfterDays = 14
    /// Days past the due date after which an overdue task is escalated.
    public var escalateAfterDays = 7
    /// The follow-up report shows figures only for cells of at least this many follow-ups.
    public var reportMinimum = 5

    public init(minSeverity: FlagSeverity = .warning, dueAfterDays: Int = 14, escalateAfterDays: Int = 7, reportMinimum: Int = 5) {
        self.minSeverity = minSeverity
        self.dueAfterDays = dueAfterDays
        self.escalateAfterDays = escalateAfterDays
        self.reportMinimum = reportMinimum
    }

    /// The severities that create tasks.
    public var severities: [FlagSeverity] { FlagSeverity.allCases.filter { $0 >= minSeverity } }

    /// The status a task moves to on `today` without anyone acting, or nil when it stays.
    public func timedTransition(status: FollowupStatus, due: CalendarDate, nextCheck: CalendarDate?,
                                today: CalendarDate) -> FollowupStatus? {
        switch status {
        case .open:
            guard today > due else { return nil }
            return today > due.adding(days: escalateAfterDays) ? .escalated : .overdue
        case .overdue:
            return today > due.adding(days: escalateAfterDays) ? .escalated : nil
        case .held:
            guard let nextCheck else { return .closed }
            return today >= nextCheck ? .closed : nil
        case .escalated, .closed:
            return nil
        }
    }
}
