import Foundation
import GRDB
import KinerjaDomain
import KinerjaPausePoints

/// Closing a cycle (`kinerjactl cycles close ID`: computes results; refuses, with the list, while
/// required assignments are open, unless --force --reason TEXT, and the reason is recorded).
extension AppDatabase {
    /// How many open assignments of the sample a refusal lists.
    public static let closeRefusalSample = 100

    /// Computes every subject's result and closes the cycle, in one transaction. Refuses
    /// (`CycleStoreError.notClosable`) while assignments in `requiredRoles` are open, unless `force`
    /// with a non-empty `reason` (recorded with the cycle). Closing a closed cycle changes nothing
    /// and says so. Reviews are read in one ordered pass (subject by subject), so memory stays at one
    /// subject's reviews plus the results.
    public func closeCycle(_ reference: CycleReference, force: Bool, reason: String?, requiredRoles: Set<ReviewerRole>,
                           policy: ResultPolicy, at now: Date, by: String, requestingJobs: [String] = [],
                           progress: ProgressSink = { _ in }) throws -> CloseCycleOutcome {
        try writer.write { db in
            guard let c = try Self.findCycle(db, reference) else {
                throw CycleStoreError.notFound(what: "cycle", id: reference.description)
            }
            if c.status == .closed {
                let counts = try Self.predikatCounts(db, cycle: c.id)
                return CloseCycleOutcome(closed: false, cycle: c, results: counts.results, withPredikat: counts.withPredikat,
                                         predikat: counts.byPredikat,
                                         message: "cycle \(c.period.code) is already closed; nothing changed")
            }
            let roles = RoleCode.list(requiredRoles)
            let openRequired = roles.isEmpty ? 0 : try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM assignment WHERE cycle_id = ? AND submitted_at IS NULL AND role IN (\(roles))
                """, arguments: [c.id]) ?? 0
            let trimmedReason = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if force && trimmedReason.isEmpty {
                throw CycleStoreError.refused("closing with --force needs --reason TEXT (it is recorded with the cycle)")
            }
            if openRequired > 0 && !force {
                let sample = try Row.fetchAll(db, sql: """
                    SELECT a.*, c.period, s.nama AS subject_name, \(Self.reviewerNameSQL) AS reviewer_name, NULL AS total_score,
                           NULL AS hasil_kerja, NULL AS comment
                    FROM assignment_named a JOIN cycle c ON c.id = a.cycle_id
                    LEFT JOIN employee s ON s.nip = a.subject_nip \(Self.reviewerJoinSQL)
                    WHERE a.cycle_id = ? AND a.submitted_at IS NULL AND a.role_code IN (\(roles))
                    ORDER BY a.subject_unit, a.reviewer_nip, a.subject_nip LIMIT \(Self.closeRefusalSample)
                    """, arguments: [c.id]).map(Self.assignmentInfo)
                throw CycleStoreError.notClosable(cycle: c, openRequired: openRequired, sample: sample)
            }

            // The pass over the reviews reads a cycle's assignments in the unique key's order and their
            // reviews by key, which the open wrote in that order: no look-up at random pages.
            let (counts, withPredikat, index, subjectCount) = try {
                () throws -> ([Predikat: Int], Int, Int, Int) in
                // Subjects and their units: everyone with an assignment about them (someone on leave has no
                // self review left but is still appraised; someone who left has none). Read with a cursor in
                // subject id order (the unique key's), beside the reviews below in the same order, so no
                // step holds every subject: at 250,000 employees the rows fetched whole were tens of MB.
                let subjectCount = try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT subject_id) FROM assignment WHERE cycle_id = ?",
                                                    arguments: [c.id]) ?? 0
                let subjects = try Row.fetchCursor(db, sql: """
                    SELECT a.subject_id, p.nip, MIN(u.code), u.id FROM assignment a JOIN person p ON p.id = a.subject_id
                    JOIN unit_key u ON u.id = a.subject_unit_id
                    WHERE a.cycle_id = ? GROUP BY a.subject_id ORDER BY a.subject_id
                    """, arguments: [c.id])
                var overrides: [Int64: PerilakuOverride] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT subject_id, rating, reason FROM perilaku_override WHERE cycle_id = ?",
                                            arguments: [c.id]) {
                    if let rating = RatingCode.value(row[1]), let o = try? PerilakuOverride(rating: rating, reason: row[2]) {
                        overrides[row[0]] = o
                    }
                }
                progress(StoreProgress(phase: "computing", done: 0, total: subjectCount))
                var insert = BatchInsert(db, """
                    INSERT INTO result(cycle_id, subject_id, unit_id, self_mean, atasan_mean, rekan_mean, rekan_count,
                                       bawahan_mean, bawahan_count, weighted_mean, computed_rating, override_rating,
                                       override_reason, perilaku_rating, hasil_kerja, predikat)
                    """, columns: 16)
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT a.subject_id, a.role, v.berorientasi_pelayanan, v.akuntabel, v.kompeten,
                           v.harmonis, v.loyal, v.adaptif, v.kolaboratif, v.hasil_kerja
                    FROM assignment a JOIN review v ON v.assignment_id = a.id
                    WHERE a.cycle_id = ? ORDER BY a.subject_id
                    """, arguments: [c.id])
                var pending: Row? = try cursor.next()
                var counts: [Predikat: Int] = [:]
                var withPredikat = 0
                let cycleValue = c.id.databaseValue
                var index = 0
                while let subjectRow = try subjects.next() {
                    guard let subject = NIP(subjectRow[1] as String) else { continue }
                    // The unit whose code sorts first, and its id (SQLite's bare column beside MIN).
                    let subjectID: Int64 = subjectRow[0], unitID: Int64 = subjectRow[3]
                    defer { index += 1 }
                    var reviews: [RoleScores] = []
                    var hasil: Rating?
                    // The cursor is ordered by subject id, as the subjects are.
                    while let row = pending, (row[0] as Int64) <= subjectID {
                        if (row[0] as Int64) == subjectID, let role = ReviewerRole(code: row[1]),
                           let scores = try? BerAKHLAKScores((2...8).map { row[$0] as Int }) {
                            reviews.append(RoleScores(role: role, scores: scores))
                            if role == .atasan { hasil = (row[9] as String?).flatMap(Rating.init(rawValue:)) }
                        }
                        pending = try cursor.next()
                    }
                    let result = PerformanceEvaluation.evaluate(subject: subject, reviews: reviews, hasilKerja: hasil,
                                                                override: overrides[subjectID], policy: policy)
                    if let p = result.predikat {
                        counts[p, default: 0] += 1
                        withPredikat += 1
                    }
                    func mean(_ role: ReviewerRole) -> DatabaseValue { result.perilaku.aggregate(role)?.mean?.databaseValue ?? .null }
                    func count(_ role: ReviewerRole) -> DatabaseValue { (result.perilaku.aggregate(role)?.reviewerCount ?? 0).databaseValue }
                    try insert.add([
                        cycleValue, subjectID.databaseValue, unitID.databaseValue, mean(.selfAssessment), mean(.atasan), mean(.rekan),
                        count(.rekan), mean(.bawahan), count(.bawahan), result.perilaku.weightedMean?.databaseValue ?? .null,
                        RatingCode.database(result.perilaku.computedRating), RatingCode.database(result.perilakuOverride?.rating),
                        result.perilakuOverride?.reason.databaseValue ?? .null,
                        RatingCode.database(result.perilakuRating), RatingCode.database(result.hasilKerja),
                        PredikatCode.database(result.predikat),
                    ])
                    if index % 5000 == 4999 { progress(StoreProgress(phase: "computing", done: index + 1, total: subjectCount)) }
                }
                try insert.finish()
                return (counts, withPredikat, index, subjectCount)
            }()
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let policyText = String(decoding: try encoder.encode(policy), as: UTF8.self)
            try db.execute(sql: """
                UPDATE cycle SET status = 'closed', closed_at = ?, closed_by = ?, forced = ?, force_reason = ?,
                       open_required_at_close = ?, result_policy = ? WHERE id = ?
                """, arguments: [now, by, force && openRequired > 0, force ? trimmedReason : nil, openRequired, policyText, c.id])
            progress(StoreProgress(phase: "computing", done: index, total: subjectCount))
            var byPredikat: [String: Int] = [:]
            for p in Predikat.allCases { byPredikat[p.rawValue] = counts[p] ?? 0 }
            let closed = try Self.findCycle(db, .id(c.id))!
            var message = "closed cycle \(c.period.code): \(index) results, \(withPredikat) with a predikat"
            if force && openRequired > 0 { message += "; forced with \(openRequired) required assignments open (reason recorded)" }
            for job in requestingJobs {
                try Self.requestJob(db, name: job, reason: "cycle \(c.period.code) closed", at: now)
            }
            #if DEBUG
            PausePoint.reach("cycle-close.results-written")
            #endif
            return CloseCycleOutcome(closed: true, cycle: closed, results: index, withPredikat: withPredikat,
                                     predikat: byPredikat, message: message)
        }
    }

    /// A cycle's results per predikat code (`?` the cycle id).
    static let predikatCountsSQL = "SELECT predikat, COUNT(*) FROM result WHERE cycle_id = ? GROUP BY predikat"

    static func predikatCounts(_ db: Database, cycle: Int64) throws -> (results: Int, withPredikat: Int, byPredikat: [String: Int]) {
        var by: [String: Int] = [:]
        for p in Predikat.allCases { by[p.rawValue] = 0 }
        var results = 0, with = 0
        for row in try Row.fetchAll(db, sql: predikatCountsSQL, arguments: [cycle]) {
            let n: Int = row[1]
            results += n
            if let p = PredikatCode.value(row[0]) { by[p.rawValue] = n; with += n }
        }
        return (results, with, by)
    }
}
