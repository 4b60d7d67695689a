/// A use case refusing its input: the request is wrong, not the daemon. The control door answers it
/// with `InvalidInput` (one entry per problem); a job records it as its failure message. Each problem
/// names what it is about (`period: 2025-03 is a monthly period, but cycles.kinds is quarterly`).
public struct Refusal: Error, CustomStringConvertible, Sendable {
    public let problems: [String]

    public init(_ problems: [String]) {
        self.problems = problems
    }

    public init(_ problem: String) {
        self.problems = [problem]
    }

    public var description: String { problems.joined(separator: "; ") }
}

/// What a use case was asked to act on does not exist (`reminder 12`). The control door answers
/// `NotFound`; a job records it as its failure message.
public struct NotFound: Error, CustomStringConvertible, Sendable {
    public let what: String
    public let id: String

    public init(_ what: String, _ id: String) {
        self.what = what
        self.id = id
    }

    public var description: String { "no \(what) \(id)" }
}
