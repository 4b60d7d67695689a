/// Where a flag is in its life cycle: open → acknowledged → resolved or dismissed.
///
/// Resolved and dismissed are final: the analysis no longer touches such a flag, and a person cannot
/// move it again. A pattern that starts over later (a new window start) is a new flag.
public enum FlagStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Raised by the analysis; nobody has looked at it yet.
    case open
    /// A person has seen it and is working on it.
    case acknowledged
    /// A follow-up was done (the action is recorded).
    case resolved
    /// Not a real problem (a false positive, or no longer relevant); the note says why.
    case dismissed

    /// Open or acknowledged: still on someone's list.
    public var isActive: Bool { self == .open || self == .acknowledged }
}

/// What a person does with a flag.
public enum FlagAction: String, Sendable, Hashable, Codable, CaseIterable {
    case acknowledge
    case resolve
    case dismiss

    /// The status the action leads to.
    public var target: FlagStatus {
        switch self {
        case .acknowledge: return .acknowledged
        case .resolve: return .resolved
        case .dismiss: return .dismissed
        }
    }

    /// The status a flag must have for the action: open for acknowledge; open or acknowledged for
    /// resolve and dismiss. Throws with the reason otherwise.
    public func transition(from status: FlagStatus) throws(FlagTransitionError) -> FlagStatus {
        switch (self, status) {
        case (.acknowledge, .open), (.resolve, .open), (.resolve, .acknowledged), (.dismiss, .open), (.dismiss, .acknowledged):
            return target
        default:
            throw FlagTransitionError(action: self, status: status)
        }
    }
}

/// What was done to resolve a flag: one of the follow-ups, or something else described in the note.
public enum FlagResolution: String, Sendable, Hashable, Codable, CaseIterable {
    case dialogKinerja = "dialog_kinerja"
    case coaching
    case mentoring
    case training
    /// Another action, described in the note.
    case other

    /// Accepts the raw names, `-` for `_`, any case.
    public init?(parsing text: String) {
        self.init(rawValue: text.trimmed.lowercased().replacingOccurrences(of: "-", with: "_"))
    }

    public static var spellings: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// An action a flag's status does not allow, e.g. acknowledging a resolved flag.
public struct FlagTransitionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var action: FlagAction
    public var status: FlagStatus

    public var description: String {
        switch (action, status) {
        case (.acknowledge, .acknowledged):
            return "the flag is already acknowledged; resolve or dismiss it"
        case (_, .resolved), (_, .dismissed):
            return "the flag is \(status.rawValue), which is final; a pattern that continues is not raised again, "
                + "one that starts over becomes a new flag"
        default:
            return "cannot \(action.rawValue) a flag that is \(status.rawValue)"
        }
    }
}
