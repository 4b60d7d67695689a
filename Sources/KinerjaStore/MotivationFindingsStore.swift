import Foundation
import GRDB
import KinerjaDomain

/// What one streamed motivation analysis found (`AppDatabase.motivationFindings`).
public struct MotivationRun: Sendable {
    /// One kind of period read: its closed periods (oldest first) and the subjects with a result in them.
    public struct KindRead: Sendable, Hashable {
        public var kind: PeriodKind
        public var closedPeriods: [Period]
        public var subjects: Int
    }

    /// The findings of the six rules over every kind, severities combined per person, sorted by identity:
    /// those of `MotivationHistory.findings` over the same data.
    public var findings: [FlagFinding] = []
    /// The unit of each person with a finding, in the latest period read (as a subject's result, or
    /// as a reviewer).
    public var units: [NIP: String] = [:]
    /// The kinds read, shortest periods first.
    public var kinds: [KindRead] = []
}

extension AppDatabase {
    /// The motivation analysis over the last `periods` closed cycles of each period kind, read one
    /// person at a time: the subjects' results, the reviewers' counts and the training dates come
    /// from three cursors sorted by NIP and are merged, and each person's rows are analysed
    /// (`MotivationAnalysis.analyze`, per kind, as `MotivationHistory.findings` does) and dropped. The
    /// process holds one person's rows and the findings, never every employee's rows: at 250,000
    /// employees the whole history (`motivationHistory`) took about 100 MB.
    public func motivationFindings(periods: Int, thresholds: MotivationThresholds, asOf today: CalendarDate) throws -> MotivationRun {
        try writer.read { db in
            var findings: [FlagFinding] = [], units: [NIP: String] = [:]
            var run = try Self.motivationFindings(db, periods: periods, thresholds: thresholds, asOf: today) { batch, batchUnits in
                findings += batch
                units.merge(batchUnits) { a, _ in a }
            }
            run.findings = findings
            run.units = units
            return run
        }
    }

    /// A run of the analysis written as it goes, in one write transaction: the findings of each batch
    /// of people go to `FlagFindingsWriter` as they are found, so the daemon holds one batch of
    /// findings, not the run's (at 250,000 employees the second quarter's 31,000 findings, with their
    /// evidence and explanations, took about 60 MB). The run's kinds are returned without findings.
    /// The writer is held while the history is read (about 5 s at 250,000 employees); reads go on.
    ///
    /// `stopped` is asked before each batch is written: when it answers true (the daemon is stopping)
    /// the run throws `CancellationError` and its transaction rolls back whole, as a crash would; the
    /// next run writes everything.
    ///
    /// `records`: the outcome also holds the created and escalated flags (every one of them). The daemon
    /// asks for none and reads them back a page at a time after the commit (`flagRunEvents`).
    public func analyseAndApply(periods: Int, thresholds: MotivationThresholds, asOf today: CalendarDate, at now: Date,
                                batchPeople: Int = findingsBatchPeople, records: Bool = true,
                                stopped: () -> Bool = { false }) throws -> (run: MotivationRun, outcome: FlagUpdateOutcome) {
        try writer.write { db in
            var flags = try FlagFindingsWriter(db, at: now)
            let run = try Self.motivationFindings(db, periods: periods, thresholds: thresholds, asOf: today,
                                                  batchPeople: batchPeople) { batch, units in
                if stopped() { throw CancellationError() }
                try flags.apply(batch, units: units)
            }
            return (run, try flags.finish(records: records))
        }
    }

    /// The people of a batch: their findings are handed on together.
    public static let findingsBatchPeople = 2_048

    /// The analysis over `db`'s history, each batch of findings (sorted by identity; the batches in
    /// identity order) with the units of its people handed to `each`. Returns the kinds read.
    static func motivationFindings(_ db: Database, periods: Int, thresholds: MotivationThresholds, asOf today: CalendarDate,
                                   batchPeople: Int = findingsBatchPeople,
                                   each: ([FlagFinding], [NIP: String]) throws -> Void) throws -> MotivationRun {
        let (byKind, cyclePeriod) = try Self.historyCycles(db, periods: periods)
        let kinds = byKind.keys.sorted { $0.months < $1.months }
        var run = MotivationRun()
        run.kinds = kinds.map { MotivationRun.KindRead(kind: $0, closedPeriods: byKind[$0]!.map(\.period), subjects: 0) }
        guard !cyclePeriod.isEmpty else { return run }
        var batch: [FlagFinding] = [], batchUnits: [NIP: String] = [:], people = 0
        let contexts = run.kinds.map { k in
            MotivationContext(closedPeriods: k.closedPeriods, asOf: k.closedPeriods.last.map { min($0.end, today) } ?? today)
        }
        let kindIndex = Dictionary(uniqueKeysWithValues: kinds.enumerated().map { ($1, $0) })
        let ids = cyclePeriod.keys.sorted().map(String.init).joined(separator: ",")

        // Each cursor's next row, read into values at once (a cursor's row changes as it moves).
        let subjects = try Row.fetchCursor(db, sql: Self.subjectRowsSQL(ids))
        func nextSubject() throws -> (key: String, unit: String, record: SubjectPeriodRecord)? {
            while let row = try subjects.next() {
                guard let period = cyclePeriod[row[0]], let nip = NIP(row[1] as String) else { continue }
                return (row[1], row[2], Self.subjectRecord(row, nip, period))
            }
            return nil
        }
        let reviewers = try Self.reviewerRowsCursor(db, ids: ids)
        func nextReviewer() throws -> (key: String, unit: String, activity: ReviewerPeriodActivity)? {
            while let reviewers, let row = try reviewers.next() {
                guard let period = cyclePeriod[row[1]], let nip = NIP(row[0] as String) else { continue }
                return (row[0], row[2], Self.reviewerActivity(row, nip, period))
            }
            return nil
        }
        let trainings = try Row.fetchCursor(db, sql: Self.trainingSQL)
        func nextTraining() throws -> (key: String, date: CalendarDate)? {
            while let row = try trainings.next() {
                guard let date = (row[1] as String?).flatMap(CalendarDate.init(iso:)) else { continue }
                return (row[0], date)
            }
            return nil
        }

        var subject = try nextSubject(), reviewer = try nextReviewer(), training = try nextTraining()
        var subjectRows = [[SubjectPeriodRecord]](repeating: [], count: kinds.count)
        var reviewerRows = [[ReviewerPeriodActivity]](repeating: [], count: kinds.count)
        var dates: [CalendarDate] = []
        while let key = [subject?.key, reviewer?.key].compactMap({ $0 }).min() {
            guard let nip = NIP(key) else { break }
            for k in kinds.indices {
                subjectRows[k].removeAll(keepingCapacity: true)
                reviewerRows[k].removeAll(keepingCapacity: true)
            }
            dates.removeAll(keepingCapacity: true)
            // The unit of the latest period, a reviewer's row winning over a subject's of the same period.
            var unit: (period: Period, code: String)?
            while let s = subject, s.key == key {
                if unit == nil || !(unit!.period > s.record.period) { unit = (s.record.period, s.unit) }
                subjectRows[kindIndex[s.record.period.kind]!].append(s.record)
                subject = try nextSubject()
            }
            while let r = reviewer, r.key == key {
                if unit == nil || !(unit!.period > r.activity.period) { unit = (r.activity.period, r.unit) }
                reviewerRows[kindIndex[r.activity.period.kind]!].append(r.activity)
                reviewer = try nextReviewer()
            }
            while let t = training, t.key <= key {
                if t.key == key { dates.append(t.date) }
                training = try nextTraining()
            }
            var found: [FlagFinding] = []
            for k in kinds.indices where !subjectRows[k].isEmpty || !reviewerRows[k].isEmpty {
                if !subjectRows[k].isEmpty { run.kinds[k].subjects += 1 }
                let last = dates.last { $0 <= contexts[k].asOf }
                found += MotivationAnalysis.analyze(subjectRows: subjectRows[k], lastTraining: last.map { [nip: $0] } ?? [:],
                                                    reviewerRows: reviewerRows[k], context: contexts[k], thresholds: thresholds)
            }
            if found.isEmpty { continue }
            batch += (kinds.count > 1 ? MotivationAnalysis.combine(found, thresholds: thresholds) : found)
                .sorted { $0.identity < $1.identity }
            if let unit { batchUnits[nip] = unit.code }
            people += 1
            if people == batchPeople {
                try each(batch, batchUnits)
                batch.removeAll(keepingCapacity: true)
                batchUnits.removeAll(keepingCapacity: true)
                people = 0
            }
        }
        if !batch.isEmpty { try each(batch, batchUnits) }
        return run
    }
}
