/// A point in an assignment's life at which a reminder is owed: some days before the due date, on it,
/// or some days after it.
///
/// Rule implemented: docs/domain-rules.md "Reminders": "reminder offsets before and after the due date" and the
/// idempotency key per (assignment, stage). A stage is a calendar-day offset from the due date (the
/// local day, in the policy's time zone, that contains the due instant). Its `id` is the stable text
/// stored with the stage mark: `before:3d`, `due`, `after:1d`. Ordered by offset (earliest first).
public enum ReminderStage: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// `days` (≥ 1) before the due date.
    case before(days: Int)
    /// On the due date.
    case due
    /// `days` (≥ 1) after the due date.
    case after(days: Int)

    /// Days relative to the due date: negative before it, 0 on it, positive after it.
    public var dayOffset: Int {
        switch self {
        case .before(let d): return -d
        case .due: return 0
        case .after(let d): return d
        }
    }

    /// The stable identifier: `before:3d`, `due`, `after:1d`.
    public var id: String {
        switch self {
        case .before(let d): return "before:\(d)d"
        case .due: return "due"
        case .after(let d): return "after:\(d)d"
        }
    }

    /// Parses an identifier written by `id`; `nil` for anything else (days must be 1 or more, without
    /// leading zeros, so one stage has exactly one identifier).
    public init?(id text: String) {
        if text == "due" {
            self = .due
            return
        }
        let isBefore = text.hasPrefix("before:")
        guard isBefore || text.hasPrefix("after:"), text.hasSuffix("d") else { return nil }
        let digits = text.dropFirst(isBefore ? 7 : 6).dropLast()
        guard let first = digits.first, first != "0", digits.count <= 5,
              digits.allSatisfy({ $0.isASCII && $0.isNumber }), let days = Int(digits) else { return nil }
        self = isBefore ? .before(days: days) : .after(days: days)
    }

    public var description: String { id }

    public static func < (a: ReminderStage, b: ReminderStage) -> Bool { a.dayOffset < b.dayOffset }
}

extension ReminderStage: Codable {
    /// Encoded as its `id`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let stage = ReminderStage(id: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a reminder stage such as before:3d, due or after:1d, found '\(text)'")
        }
        self = stage
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(id)
    }
}

/// The idempotency key of one reminder: an assignment (by the store's id) at one stage.
///
/// Rule implemented: docs/domain-rules.md "an idempotency key per (assignment, stage): a crash or restart never
/// loses one and never sends one twice". The store keeps one row per key, written in the same
/// transaction as the outbox message that carries it.
public struct ReminderStageKey: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var assignmentID: Int64
    public var stage: ReminderStage

    public init(assignmentID: Int64, stage: ReminderStage) {
        self.assignmentID = assignmentID
        self.stage = stage
    }

    public static func < (a: ReminderStageKey, b: ReminderStageKey) -> Bool {
        (a.assignmentID, a.stage.dayOffset) < (b.assignmentID, b.stage.dayOffset)
    }

    /// `1234@after:3d`.
    public var description: String { "\(assignmentID)@\(stage.id)" }
}
