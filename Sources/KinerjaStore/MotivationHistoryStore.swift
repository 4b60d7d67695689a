import Foundation
import GRDB
import KinerjaDomain

/// The rows the motivation rules read for one kind of period (quarterly, annual, …): periods of
/// different lengths are never mixed in one trend.
public struct MotivationKindHistory: Sendable {
    public var kind: PeriodKind
    /// The most recent closed periods of this kind, oldest first.
    public var closedPeriods: [Period]
    /// One row per subject with a result in one of those periods.
    public var subjectRows: [SubjectPeriodRecord]
    /// One row per reviewer with reviews (other than self) in one of those periods.
    public var reviewerRows: [ReviewerPeriodActivity]
}

/// Everything the analysis reads, loaded with a handful of set-based queries.
public struct MotivationHistory: Sendable {
    public var kinds: [MotivationKindHistory]
    /// Each employee's most recent training date.
    public var lastTraining: [NIP: CalendarDate]
    /// Each employee's training dates, oldest first.
    public var trainingDates: [NIP: [CalendarDate]]
    /// Each employee's unit in the latest period read (as a subject's result, or as a reviewer).
    public var units: [NIP: String]

    /// The findings of the six rules over every kind, severities combined per person.
    ///
    /// Each kind's window is judged as of the end of its latest closed period (`today` when that is
    /// earlier, after an early close): "no training in the 12 months up to 2025-12-31" for a window
    /// ending in 2025-Q4, counting only trainings up to that day, whatever the date of the run. So
    /// loading past periods judges each of them as it stood then, not against today.
    public func findings(thresholds: MotivationThresholds, asOf today: CalendarDate) -> [FlagFinding] {
        var all: [FlagFinding] = []
        for k in kinds {
            let asOf = k.closedPeriods.last.map { min($0.end, today) } ?? today
            all += MotivationAnalysis.analyze(subjectRows: k.subjectRows, lastTraining: lastTraining(upTo: asOf),
                                              reviewerRows: k.reviewerRows,
                                              context: MotivationContext(closedPeriods: k.closedPeriods, asOf: asOf),
                                              thresholds: thresholds)
        }
        return kinds.count > 1 ? MotivationAnalysis.combine(all, thresholds: thresholds) : all
    }

    /// Each employee's latest training on or before `day` (employees without one are absent).
    public func lastTraining(upTo day: CalendarDate) -> [NIP: CalendarDate] {
        var result: [NIP: CalendarDate] = [:]
        result.reserveCapacity(trainingDates.count)
        for (nip, dates) in trainingDates {
            if let last = dates.last(where: { $0 <= day }) { result[nip] = last }
        }
        return result
    }
}

extension AppDatabase {
    /// Loads the motivation history of the last `periods` closed cycles of each period kind.
    ///
    /// Set-based, never one query per employee: one query for the cycles, one for every
    /// subject's results with their own self-assessment's timing, one for every reviewer's counts per
    /// cycle (reviews, uniform ones, commented ones), one for the latest training per employee. Rows
    /// come sorted by person, so the analysis reads them in place. No individual review's scores leave SQLite; rekan and bawahan come as the results'
    /// aggregates, which are NULL below the anonymity minimum.
    ///
    /// The whole history at once, for inspecting what the rules read (the tests); the daemon runs
    /// `motivationFindings`, the same queries read one person at a time, which the tests check
    /// finds the same.
    public func motivationHistory(periods: Int) throws -> MotivationHistory {
        try writer.read { db in
            let (byKind, cyclePeriod) = try Self.historyCycles(db, periods: periods)
            var units: [NIP: (period: Period, unit: String)] = [:]
            func noteUnit(_ nip: NIP, _ period: Period, _ unit: String) {
                if let known = units[nip], known.period > period { return }
                units[nip] = (period, unit)
            }
            var subjectRows: [PeriodKind: [SubjectPeriodRecord]] = [:]
            var reviewerRows: [PeriodKind: [ReviewerPeriodActivity]] = [:]
            if !cyclePeriod.isEmpty {
                let ids = cyclePeriod.keys.sorted().map(String.init).joined(separator: ",")
                // Arrays sized once: growing them by doubling would hold two copies at the end.
                var expected: [PeriodKind: Int] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT cycle_id, COUNT(*) FROM result WHERE cycle_id IN (\(ids)) GROUP BY cycle_id") {
                    if let kind = cyclePeriod[row[0]]?.kind { expected[kind, default: 0] += row[1] as Int }
                }
                for (kind, n) in expected {
                    subjectRows[kind, default: []].reserveCapacity(n)
                    reviewerRows[kind, default: []].reserveCapacity(n)
                }
                let subjects = try Row.fetchCursor(db, sql: Self.subjectRowsSQL(ids))
                while let row = try subjects.next() {
                    guard let period = cyclePeriod[row[0]], let nip = NIP(row[1] as String) else { continue }
                    noteUnit(nip, period, row[2])
                    subjectRows[period.kind, default: []].append(Self.subjectRecord(row, nip, period))
                }
                if let reviewers = try Self.reviewerRowsCursor(db, ids: ids) {
                    while let row = try reviewers.next() {
                        guard let period = cyclePeriod[row[1]], let nip = NIP(row[0] as String) else { continue }
                        noteUnit(nip, period, row[2])
                        reviewerRows[period.kind, default: []].append(Self.reviewerActivity(row, nip, period))
                    }
                }
            }
            var training: [NIP: CalendarDate] = [:]
            var trainingDates: [NIP: [CalendarDate]] = [:]
            let trainings = try Row.fetchCursor(db, sql: Self.trainingSQL)
            while let row = try trainings.next() {
                if let nip = NIP(row[0] as String), let date = (row[1] as String?).flatMap(CalendarDate.init(iso:)) {
                    trainingDates[nip, default: []].append(date)
                    training[nip] = date
                }
            }
            let kinds = byKind.keys.sorted { $0.months < $1.months }.map { kind in
                MotivationKindHistory(kind: kind, closedPeriods: byKind[kind]!.map(\.period),
                                      subjectRows: subjectRows[kind] ?? [], reviewerRows: reviewerRows[kind] ?? [])
            }
            return MotivationHistory(kinds: kinds, lastTraining: training, trainingDates: trainingDates,
                                     units: units.mapValues(\.unit))
        }
    }

    /// The last `periods` closed cycles of each period kind, oldest first, and the period of each.
    static func historyCycles(_ db: Database, periods: Int) throws
        -> (byKind: [PeriodKind: [(id: Int64, period: Period)]], cyclePeriod: [Int64: Period]) {
        var byKind: [PeriodKind: [(id: Int64, period: Period)]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, period FROM cycle WHERE status = 'closed' ORDER BY period_start, kind") {
            guard let period = try? Period(parsing: row[1] as String) else { continue }
            byKind[period.kind, default: []].append((row[0], period))
        }
        var cyclePeriod: [Int64: Period] = [:]
        for (kind, list) in byKind {
            let kept = Array(list.sorted { $0.period < $1.period }.suffix(max(1, periods)))
            byKind[kind] = kept
            for c in kept { cyclePeriod[c.id] = c.period }
        }
        return (byKind, cyclePeriod)
    }

    /// Every subject's result in cycles `ids` (a comma list) with their own self-assessment's timing,
    /// sorted by subject NIP, then cycle.
    ///
    /// `person` is read in NIP order (its unique index) and each person's results are found by key,
    /// cycle by cycle, so the rows come in the order asked without a sort (`ResultPlanTests`).
    static func subjectRowsSQL(_ ids: String) -> String {
        """
        SELECT r.cycle_id, sp.nip, u.code, r.predikat, r.weighted_mean, r.self_mean, r.atasan_mean,
               r.rekan_mean, r.rekan_count, r.bawahan_mean, r.bawahan_count, a.id,
               (a.submitted_at - a.due_at) * 1.0,
               (a.submitted_at IS NULL AND a.due_at > unixepoch(c.closed_at)) AS not_due
        FROM person sp
        CROSS JOIN result r ON r.subject_id = sp.id AND r.cycle_id IN (\(ids))
        JOIN unit_key u ON u.id = r.unit_id
        JOIN cycle c ON c.id = r.cycle_id
        LEFT JOIN assignment a ON a.cycle_id = r.cycle_id AND a.subject_id = sp.id
                              AND a.role = \(ReviewerRole.selfAssessment.code) AND a.reviewer_id = sp.id
        ORDER BY sp.nip, r.cycle_id
        """
    }

    /// One row of `subjectRowsSQL`.
    static func subjectRecord(_ row: Row, _ nip: NIP, _ period: Period) -> SubjectPeriodRecord {
        func aggregate(_ mean: Int, _ count: Int) -> AnonymousAggregate? {
            guard let m: Double = row[mean] else { return nil }
            return AnonymousAggregate(mean: m, reviewerCount: row[count] ?? 0)
        }
        return SubjectPeriodRecord(
            subject: nip, period: period, predikat: PredikatCode.value(row[3]),
            perilakuMean: row[4], selfMean: row[5], atasanMean: row[6],
            selfAssessment: selfAssessment(assigned: (row[11] as Int64?) != nil, lateSeconds: row[12],
                                           dueAfterClose: (row[13] as Bool?) ?? false),
            rekan: aggregate(7, 8), bawahan: aggregate(9, 10))
    }

    /// Every reviewer's counts per cycle of `ids` (reviews other than self, uniform ones, commented
    /// ones, the reviewer's unit), sorted by reviewer NIP, then cycle; nil when the cycles have no
    /// assignments.
    ///
    /// Reviews in the order they are stored, cycle by cycle: a cycle's assignments have consecutive
    /// ids (opened in one transaction) and a review's key is its assignment's id, so each cycle's id
    /// range reads both tables in order instead of one random look-up per review (3x faster at 1.2
    /// million reviews); the cycle_id test keeps it exact whatever the ids. Grouped in SQLite, whose
    /// sorter spills to disk, so the process holds only the rows it reads: grouped by the reviewer's
    /// integer key first, so the big sort (one row per review) compares integers and spills small
    /// rows, and only the groups (one per reviewer and cycle) are then ordered by NIP. Grouping the
    /// reviews by NIP text instead cost 13.8 times as much CPU at 250,000 employees as at 25,000
    /// (3.2 s, 0.8 s of it writing and reading back the sorter's spill); this, 11 times (2.0 s).
    static func reviewerRowsCursor(_ db: Database, ids: String) throws -> RowCursor? {
        let ranges = try Row.fetchAll(db, sql: """
            SELECT cycle_id, MIN(id), MAX(id) FROM assignment WHERE cycle_id IN (\(ids)) GROUP BY cycle_id
            """)
        guard !ranges.isEmpty else { return nil }
        var arguments: [any DatabaseValueConvertible] = []
        for range in ranges { arguments += [range[1] as Int64, range[2] as Int64, range[0] as Int64] }
        return try Row.fetchCursor(db, sql: reviewerRowsSQL(cycles: ranges.count), arguments: StatementArguments(arguments))
    }

    /// The statement of `reviewerRowsCursor` over `cycles` id ranges (each `?` lowest id, highest id, cycle).
    static func reviewerRowsSQL(cycles: Int) -> String {
        let perCycle = Array(repeating: """
            SELECT a.reviewer_id AS reviewer_id, a.cycle_id AS cycle, u.code AS unit,
                   (v.berorientasi_pelayanan = v.akuntabel AND v.akuntabel = v.kompeten AND v.kompeten = v.harmonis
                    AND v.harmonis = v.loyal AND v.loyal = v.adaptif AND v.adaptif = v.kolaboratif) AS uniform,
                   (v.comment IS NOT NULL AND v.comment <> '') AS commented
            FROM review v CROSS JOIN assignment a ON a.id = v.assignment_id JOIN unit_key u ON u.id = a.reviewer_unit_id
            WHERE v.assignment_id BETWEEN ? AND ? AND a.cycle_id = ? AND a.role <> \(ReviewerRole.selfAssessment.code)
            """, count: cycles).joined(separator: " UNION ALL ")
        return """
            SELECT p.nip, g.cycle, g.unit, g.reviews, g.uniform, g.commented
            FROM (SELECT reviewer_id, cycle, MAX(unit) AS unit, COUNT(*) AS reviews, SUM(uniform) AS uniform,
                         SUM(commented) AS commented
                  FROM (\(perCycle)) GROUP BY reviewer_id, cycle) g
            CROSS JOIN person p ON p.id = g.reviewer_id
            ORDER BY p.nip, g.cycle
            """
    }

    /// One row of `reviewerRowsCursor`.
    static func reviewerActivity(_ row: Row, _ nip: NIP, _ period: Period) -> ReviewerPeriodActivity {
        ReviewerPeriodActivity(reviewer: nip, period: period, reviews: row[3], uniformReviews: row[4] ?? 0,
                               commentedReviews: row[5] ?? 0)
    }

    /// Every training date, by NIP, then date.
    static let trainingSQL = "SELECT DISTINCT nip, date FROM training ORDER BY nip, date"

    /// The self-assessment's status from the join: none assigned, missing (not submitted), on time,
    /// or late by whole days rounded up (a few hours late is one day late). One not submitted and not
    /// yet due when the cycle closed (an early, forced close) counts neither way: nobody was late.
    static func selfAssessment(assigned: Bool, lateSeconds: Double?, dueAfterClose: Bool = false) -> SelfAssessmentStatus? {
        guard assigned, !dueAfterClose else { return nil }
        guard let late = lateSeconds else { return .missing }
        return late > 0 ? .late(days: max(1, Int((late / 86_400).rounded(.up)))) : .onTime
    }
}
