import Foundation
import KinerjaDomain
import KinerjaStore

/// Applying a staged import: validates what staging could not (the review file's duplicates and
/// assignments), then writes every record in one transaction, or nothing. Logs
/// `MessageIDs.importApplied` unless it was a dry run, and `MessageIDs.assignmentsAdjusted` for
/// each employee whose change altered an open cycle.
struct ApplyImport {
    let runtime: DaemonRuntime

    /// Applies `entry` (taken from `ImportStaging`, import `id`), reporting progress to `progress`.
    /// `options` (scope, expected deactivations) apply to an employee import.
    func callAsFunction(_ entry: ImportStaging.Entry, id: String, by actor: String,
                        options: EmployeeImportOptions? = nil, progress: @escaping ProgressSink) async throws -> ImportSummary {
        let options = options ?? EmployeeImportOptions(maxDeactivateShare: runtime.config.imports.maxDeactivateShare)
        let now = runtime.now(), source = "\(entry.kind.rawValue) import by \(actor)"
        let dryRun = entry.dryRun, cap = runtime.config.imports.problemCap, zone = runtime.config.cycles.zone
        let started = ContinuousClock.now
        let summary = try await runtime.withDatabase { db -> ImportSummary in
            switch entry.accumulator {
            case .units(let a): return try db.importUnits(a, dryRun: dryRun, now: now, source: source)
            case .employees(let a):
                return try db.importEmployees(a, dryRun: dryRun, now: now, source: source, options: options, progress: progress)
            case .skm(let a): return try db.importSKM(a, dryRun: dryRun, now: now, source: source)
            case .training(let a): return try db.importTraining(a, dryRun: dryRun, now: now, source: source)
            case .empty:
                throw Refusal("import \(id) has nothing staged")
            case .reviews(let a, let staged, let cycle):
                progress(StoreProgress(phase: "validating", done: 0, total: a.recordCount))
                if let failure = a.failure { throw failure }
                return try db.submitReviews(staged: staged, cycle: cycle, now: now, dryRun: dryRun, source: source,
                                            columns: a.columns, problemCap: cap, timeZone: zone, progress: progress)
            }
        }
        if !dryRun {
            runtime.logger.notice("Import of \(entry.kind.rawValue) applied: \(summary.records) records", metadata: [
                "message_id": "\(MessageIDs.importApplied)", "import": "\(entry.kind.rawValue)",
                "records": "\(summary.records)", "added": "\(summary.added)", "changed": "\(summary.changed)",
                "deactivated": "\(summary.deactivated)", "replaced": "\(summary.replaced)",
                "duration_ms": "\((ContinuousClock.now - started).wholeMilliseconds)", "peer": "\(actor)",
            ])
            // One entry per employee whose move, departure or leave changed an open cycle (those the
            // summary lists), then one that counts the rest.
            let listed = summary.cycleChanges ?? []
            for change in listed {
                runtime.logger.notice("\(change.message)", metadata: [
                    "message_id": "\(MessageIDs.assignmentsAdjusted)", "cycle": "\(change.cycle)", "nip": "\(change.nip)",
                    "event": "\(change.event)", "reassigned": "\(change.reassigned)", "cancelled": "\(change.cancelled)",
                ])
            }
            if let total = summary.cycleChangesTotal, total > listed.count {
                runtime.logger.notice("\(total - listed.count) more employees' open cycle assignments adjusted; the cycle report lists every one", metadata: [
                    "message_id": "\(MessageIDs.assignmentsAdjusted)", "employees": "\(total - listed.count)",
                ])
            }
        }
        return summary
    }
}
