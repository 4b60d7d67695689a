import Foundation
import KinerjaDomain

/// One follow-up task as read back, with the names a reader needs and the flag it comes from.
public struct FollowupRecord: Sendable, Hashable {
    public var id: Int64
    public var flagID: Int64
    public var rule: MotivationRule
    public var severity: FlagSeverity
    public var subject: NIP
    public var subjectName: String?
    public var unit: String?
    public var appraiser: NIP?
    public var appraiserName: String?
    /// `Plt.`, `Plh.`, `supervisor`, or `appraiser` (whoever wrote the latest atasan review).
    public var appraiserSource: String?
    public var recommendation: FollowUpAction
    public var status: FollowupStatus
    public var createdAt: Date
    public var createdOn: CalendarDate
    public var due: CalendarDate
    /// The flag's evidence in Bahasa Indonesia (aggregates only).
    public var seen: String
    public var outcome: FollowupOutcome?
    public var recordedBy: String?
    public var recordedVia: String?
    public var recordedAt: Date?
    public var updatedAt: Date
}

/// One change in a follow-up's history.
public struct FollowupEvent: Sendable, Hashable {
    public var at: Date
    public var actor: String
    public var action: String
    public var note: String?
}

/// What `listFollowups` selects.
public struct FollowupFilter: Sendable, Hashable {
    public var statuses: Set<FollowupStatus> = Set(FollowupStatus.allCases)
    public var unit: String?
    /// The atasan who holds the dialogs.
    public var appraiser: NIP?
    public var subject: NIP?
    public var limit = 1000

    public init() {}
}

/// A status the follow-up pass changed without anyone acting.
public struct FollowupTransition: Sendable, Hashable {
    public var followup: FollowupRecord
    public var from: FollowupStatus
    public var to: FollowupStatus
}

/// What recording an outcome did.
public enum FollowupRecordResult: Sendable {
    case recorded(FollowupRecord)
    case notFound
    /// The task is held or closed already.
    case notAwaiting(FollowupStatus)
}

/// A follow-up the atasan must be told about, with the addresses the message needs.
public struct FollowupNoticeRow: Sendable, Hashable {
    public var followup: FollowupRecord
    /// `new`, `overdue` or `escalated`.
    public var stage: String
    public var appraiserEmail: String?
    public var unitHead: NIP?
    public var unitHeadName: String?
    public var unitHeadEmail: String?
}

/// The follow-up tasks one pass created: ids above `after`, up to `upTo`, `count` of them.
public struct FollowupIDs: Sendable, Hashable {
    public var after: Int64
    public var upTo: Int64
    public var count: Int
}
