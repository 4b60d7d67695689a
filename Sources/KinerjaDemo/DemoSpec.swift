import Foundation
import KinerjaDomain

/// The motivation patterns the demo generator plants on purpose, named as the low-motivation rules
/// in docs/domain-rules.md ("Low-motivation flags": the names are contracts).
public enum DemoPattern: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Perilaku mean (and predikat) fall in each of the last periods.
    case decliningTrend = "declining_trend"
    /// Self-assessment well above the atasan's in every period.
    case recognitionGap = "recognition_gap"
    /// Own self-assessment late or missing in every period.
    case disengaged
    /// Peer and subordinate means drop sharply in the last period (with ≥ 3 peers).
    case feedbackDrop = "feedback_drop"
    /// Low predikat in every period and no training at all.
    case stalledDevelopment = "stalled_development"
    /// A reviewer (not a subject): the same score on all values for every reviewee, never a comment.
    case perfunctoryReviewer = "perfunctory_reviewer"

    public static func < (a: DemoPattern, b: DemoPattern) -> Bool { a.rawValue < b.rawValue }
}

/// One planted case: the employee (the reviewer, for `perfunctory_reviewer`) and the pattern.
public struct PlantedCase: Sendable, Hashable, Codable {
    public var nip: NIP
    public var pattern: DemoPattern
}

/// What to generate (`kinerjactl demo generate --employees N --periods P --seed S`).
///
/// The assignment policy must equal the daemon's (`cycles.rekan_per_subject`, `…_cap_per_reviewer`,
/// `…_seed`, `due_after`): the generator runs the same `AssignmentPlanner` to know who reviews whom,
/// and the review files name assignments by (reviewer, subject, role). The result policy decides who
/// counts as having a low predikat (they get training unless planted as `stalled_development`).
public struct DemoSpec: Sendable, Hashable {
    public var employees: Int
    public var periods: Int
    public var seed: UInt64
    /// The first period; the following ones are of the same kind.
    public var firstPeriod: Period
    public var assignmentPolicy: AssignmentPolicy
    public var resultPolicy: ResultPolicy
    /// The zone in which cycles open at 08:00 on the day after the period ends.
    public var timeZone: TimeZone
    /// Share of employees planted per pattern (at least 2 each when there are 50 employees or more).
    public var plantedShare: Double
    /// Share of employees given a follow-up with a planned outcome (`DemoFollowupCase`), when there
    /// are at least three periods (a flag, its task, and a period to recover in).
    public var followupShare: Double

    public init(employees: Int, periods: Int, seed: UInt64, firstPeriod: Period,
                assignmentPolicy: AssignmentPolicy = AssignmentPolicy(), resultPolicy: ResultPolicy = ResultPolicy(),
                timeZone: TimeZone = TimeZone(identifier: "Asia/Jakarta")!, plantedShare: Double = 0.01,
                followupShare: Double = 0.12) {
        self.employees = employees
        self.periods = periods
        self.seed = seed
        self.firstPeriod = firstPeriod
        self.assignmentPolicy = assignmentPolicy
        self.resultPolicy = resultPolicy
        self.timeZone = timeZone
        self.plantedShare = plantedShare
        self.followupShare = followupShare
    }

    /// What is wrong with the spec; empty when it can be generated.
    public var problems: [String] {
        var result: [String] = []
        if employees < 20 || employees > 1_000_000 { result.append("employees must be 20 to 1,000,000, found \(employees)") }
        if periods < 1 || periods > 60 { result.append("periods must be 1 to 60, found \(periods)") }
        if !(0...0.05).contains(plantedShare) { result.append("planted share must be 0 to 0.05, found \(plantedShare)") }
        if !(0...0.2).contains(followupShare) { result.append("follow-up share must be 0 to 0.2, found \(followupShare)") }
        result += assignmentPolicy.problems + resultPolicy.problems
        return result
    }

    /// The periods generated, in order.
    public var periodList: [Period] {
        var list = [firstPeriod]
        while list.count < periods, let next = list.last?.next { list.append(next) }
        return list
    }
}

/// Why a demo data set cannot be generated.
public struct DemoSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.joined(separator: "; ") }
}
