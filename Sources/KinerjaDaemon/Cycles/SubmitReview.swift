import Foundation
import KinerjaDomain
import KinerjaStore

/// Submits or revises one review, from every door: an admin's `SubmitReview` call and a reviewer's
/// web form. The store checks the assignment, the cycle (open), `hasil_kerja` against the role and the
/// time, and keeps the first submission time on a revision. `source` is recorded with the review
/// (`web`, or `review by uid 0 (root)` for an admin's call).
public struct SubmitReview: Sendable {
    public struct Outcome: Sendable {
        public var assignment: AssignmentInfo
        public var revised: Bool
    }

    let runtime: DaemonRuntime

    public init(runtime: DaemonRuntime) {
        self.runtime = runtime
    }

    public func callAsFunction(_ submission: ReviewSubmission, cycle: CycleReference?, source: String) async throws -> Outcome {
        let now = runtime.now()
        let (summary, info) = try await runtime.withDatabase { db -> (ImportSummary, AssignmentInfo?) in
            let summary = try db.submitReviews([submission], cycle: cycle, now: now, dryRun: false, source: source,
                                           timeZone: runtime.config.cycles.zone)
            let key = submission.reference.key
            var filter = AppDatabase.AssignmentFilter(cycle: cycle, reviewer: key?.reviewer, subject: key?.subject, role: key?.role,
                                                      at: now, limit: 1)
            filter.id = submission.reference.id
            filter.openCyclesOnly = cycle == nil
            return (summary, try db.assignmentRows(filter).first)
        }
        guard let info else { throw NotFound("assignment", submission.reference.id.map(String.init) ?? "named by reviewer, subject and role") }
        runtime.logger.notice(summary.replaced > 0 ? "Review revised" : "Review submitted", metadata: [
            "message_id": "\(MessageIDs.reviewSubmitted)", "cycle": "\(info.cycle)", "assignment": "\(info.id)",
            "role": "\(info.role.rawValue)", "source": "\(source)",
        ])
        return Outcome(assignment: info, revised: summary.replaced > 0)
    }
}
