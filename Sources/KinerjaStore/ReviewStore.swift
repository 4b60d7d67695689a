import Foundation
import GRDB
import KinerjaDomain

/// Reviews: one submitted by command, or a validated file applied in one
/// transaction; listing assignments; the atasan's perilaku override.
extension AppDatabase {
    /// Where a set of submissions applies: key-based rows (reviewer, subject, role) go to `cycle`, or
    /// to the only open cycle when `cycle` is nil; id-based rows name their assignment directly.
    ///
    /// Checked in the same transaction before anything is written, each problem with the line (and
    /// column) of the row: the assignment exists; its cycle is open; the id and the key, when both
    /// are given, name the same assignment; the same assignment only once; `hasil_kerja` fits the
    /// role; `submitted_at` not before the cycle opened and not after `now`. `columns` gives the file's
    /// column numbers for the problems. Throws `ImportFailure`
    /// (all problems up to `problemCap`) or `CycleStoreError`. A review of an assignment already
    /// reviewed replaces the scores (counted as `replaced`) and keeps the first submission time.
    public func submitReviews<Submissions: RandomAccessCollection & Sendable>(
        _ submissions: Submissions, cycle: CycleReference?, now: Date, dryRun: Bool, source: String,
        columns: CSVColumnMap? = nil, problemCap: Int = ProblemCollector.defaultCap,
        timeZone: TimeZone = TimeZone(identifier: "UTC")!, progress: ProgressSink = { _ in }
    ) throws -> ImportSummary where Submissions.Element == ReviewSubmission, Submissions.Index == Int {
        try submitReviews(from: SubmissionPages(submissions), cycle: cycle, now: now, dryRun: dryRun, source: source,
                          columns: columns, problemCap: problemCap, timeZone: timeZone, progress: progress)
    }

    /// `submitReviews(_:…)` for the reviews of a staged import, read back from its spool a page at a
    /// time: the memory used is a page's, whatever the size of the file.
    public func submitReviews(
        staged: StagedReviews, cycle: CycleReference?, now: Date, dryRun: Bool, source: String,
        columns: CSVColumnMap? = nil, problemCap: Int = ProblemCollector.defaultCap,
        timeZone: TimeZone = TimeZone(identifier: "UTC")!, progress: ProgressSink = { _ in }
    ) throws -> ImportSummary {
        try submitReviews(from: staged, cycle: cycle, now: now, dryRun: dryRun, source: source,
                          columns: columns, problemCap: problemCap, timeZone: timeZone, progress: progress)
    }

    /// The one path of both: each page of submissions is resolved to its assignments (500 rows a
    /// query through the unique index), checked, and, while no problem has been found and it is not a
    /// dry run, written at once in the transaction (a problem found later rolls it all back). The
    /// resolved (assignment, line) pairs go back to `pages`, which names the lines of an assignment
    /// resolved twice when the set of resolved ids (`AssignmentIDSet`) has found one.
    func submitReviews(
        from pages: some ReviewPages, cycle: CycleReference?, now: Date, dryRun: Bool, source: String,
        columns: CSVColumnMap?, problemCap: Int, timeZone: TimeZone, progress: ProgressSink
    ) throws -> ImportSummary {
        let total = pages.count
        let apply = { (db: Database) throws -> ImportSummary in
            var collector = ProblemCollector(cap: problemCap)
            func problem(_ s: ReviewSubmission, _ column: String?, _ code: ImportProblem.Code, _ message: String) {
                collector.add(line: s.line, column: column.flatMap { columns?.number($0) }, columnName: column, code: code, message)
            }
            // The cycle for key-based rows.
            var keyCycle: CycleInfo?
            if pages.hasKeys {
                if let cycle {
                    guard let c = try Self.findCycleRow(db, cycle) else { throw CycleStoreError.notFound(what: "cycle", id: cycle.description) }
                    keyCycle = c
                } else {
                    let open = try Self.fetchCycles(db, whereSQL: "WHERE c.status = 'open'", arguments: [], counts: false)
                    guard open.count == 1 else {
                        throw CycleStoreError.refused(open.isEmpty
                            ? "no cycle is open; open one first (cycles open PERIOD)"
                            : "\(open.count) cycles are open (\(open.map(\.period.code).sorted().joined(separator: ", "))); name one with --cycle")
                    }
                    keyCycle = open[0]
                }
            }
            progress(StoreProgress(phase: "checking", done: 0, total: total))
            var cycles: [Int64: CycleInfo] = [:]
            if let keyCycle { cycles[keyCycle.id] = keyCycle }
            var summary = ImportSummary(kind: "reviews", dryRun: dryRun, records: total)
            var resolvedCount = 0, done = 0
            // The ids of a few resolved rows, so marking them submitted reads only theirs.
            var fewIDs: [Int64] = []
            let stamp = StoredTime.seconds(now).databaseValue
            let sourceValue = dryRun ? DatabaseValue.null : try ReviewSource.id(db, source).databaseValue
            var insert = BatchInsert(db, """
                INSERT INTO review(assignment_id, berorientasi_pelayanan, akuntabel, kompeten, harmonis, loyal, adaptif,
                                   kolaboratif, comment, hasil_kerja, submitted_at, recorded_at, source_id)
                """, columns: 13, tail: """
                ON CONFLICT(assignment_id) DO UPDATE SET berorientasi_pelayanan = excluded.berorientasi_pelayanan,
                akuntabel = excluded.akuntabel, kompeten = excluded.kompeten, harmonis = excluded.harmonis,
                loyal = excluded.loyal, adaptif = excluded.adaptif, kolaboratif = excluded.kolaboratif,
                comment = excluded.comment, hasil_kerja = excluded.hasil_kerja, revised_at = excluded.recorded_at,
                source_id = excluded.source_id
                """)
            var values: [DatabaseValue] = []
            values.reserveCapacity(13)
            var keys = AssignmentKeyLookup(db)
            // Every assignment resolved so far, and how many rows named one already named.
            var seen = AssignmentIDSet(), named = 0
            try pages.startResolving()
            try pages.forEachPage(size: Self.reviewPage) { page in
                // (position in the page, assignment id) of the rows that resolve.
                var resolved: [(index: Int, id: Int64)] = []
                resolved.reserveCapacity(page.count)
                for start in stride(from: 0, to: page.count, by: Self.reviewChunk) {
                    let range = start..<min(start + Self.reviewChunk, page.count)
                    try Self.resolveReviews(db, page[range], base: start, keyCycle: keyCycle, keys: &keys, cycles: &cycles, now: now,
                                            timeZone: timeZone, problem: problem) { index, slot in
                        resolved.append((index, slot.id))
                        if slot.submitted != nil { summary.replaced += 1 }
                        if (slot.submitted ?? page[index].submittedAt ?? now) > slot.due { summary.late += 1 }
                    }
                }
                try pages.addResolved(resolved.map { (id: $0.id, line: page[$0.index].line) })
                for r in resolved where !seen.insert(r.id) { named += 1 }
                resolvedCount += resolved.count
                if resolvedCount <= Self.fewSubmissions { fewIDs += resolved.map(\.id) }
                // Written while nothing is wrong: a problem found later throws and rolls the transaction back.
                if !dryRun && collector.isEmpty {
                    for r in resolved {
                        let s = page[r.index]
                        values.removeAll(keepingCapacity: true)
                        values.append(r.id.databaseValue)
                        // Appended one by one: an array of them per row would be one more allocation a row.
                        for v in BerAKHLAKValue.allCases { values.append(Int64(s.review.scores[v]).databaseValue) }
                        values.append(s.review.comment?.databaseValue ?? .null)
                        values.append(s.review.hasilKerja?.rawValue.databaseValue ?? .null)
                        values.append(StoredTime.seconds(s.submittedAt ?? now).databaseValue)
                        values.append(stamp)
                        values.append(sourceValue)
                        try insert.add(values)
                    }
                }
                let before = done
                done += page.count
                if before / 20_000 != done / 20_000 { progress(StoreProgress(phase: "checking", done: done, total: total)) }
            }
            // The same assignment twice (by id and by key, or twice by id or by key across a file): the
            // lines are looked up only when the set of ids found one.
            if named > 0 {
                try pages.duplicates { id, first, second in
                    collector.add(line: second, column: nil, columnName: nil, code: .duplicateRecord,
                                  "assignment \(id) is reviewed on lines \(first) and \(second)")
                }
            }
            guard collector.isEmpty else { throw collector.failure }
            summary.added = resolvedCount - summary.replaced
            guard !dryRun else { return summary }
            try insert.finish()
            progress(StoreProgress(phase: "writing", done: resolvedCount, total: resolvedCount))
            // Mark the assignments submitted, set-based. A few rows (a web form, a command) name their
            // assignments, so the statement reads only theirs: without the ids it walks every open
            // assignment of the open cycles (about 150,000 at 25,000 employees, 16 ms or more per
            // submitted review).
            let few = resolvedCount <= Self.fewSubmissions
            try db.execute(sql: """
                UPDATE assignment SET submitted_at = review.submitted_at FROM review
                WHERE review.assignment_id = assignment.id AND assignment.submitted_at IS NULL
                  AND assignment.cycle_id IN (SELECT id FROM cycle WHERE status = 'open')
                """ + (few ? " AND assignment.id IN (\(Array(repeating: "?", count: resolvedCount).joined(separator: ",")))" : ""),
                arguments: few ? StatementArguments(fewIDs) : [], cached: few)
            try Self.logImport(db, summary: summary, source: source, now: now)
            return summary
        }
        return dryRun ? try writer.read(apply) : try writer.write(apply)
    }

    /// Submissions read from a staged import's spool at a time.
    static let reviewPage = 4_096
    /// Submissions resolved with one query.
    static let reviewChunk = 500

    /// Resolves `chunk` (positions `base`… of its page) to assignments with one query by key and one by
    /// id, reports what does not fit (unknown assignment, id and key disagreeing, closed cycle, hasil
    /// kerja for the role, submission time), and hands each row that fits to `resolved` with its slot.
    static func resolveReviews(
        _ db: Database, _ chunk: ArraySlice<ReviewSubmission>, base: Int, keyCycle: CycleInfo?, keys: inout AssignmentKeyLookup,
        cycles: inout [Int64: CycleInfo],
        now: Date, timeZone: TimeZone, problem: (ReviewSubmission, String?, ImportProblem.Code, String) -> Void,
        resolved: (Int, AssignmentSlot) -> Void
    ) throws {
        // The key-based rows' slots, in the order of `keyed` (each result row names its place).
        let keyed = chunk.compactMap { $0.reference.id == nil ? $0.reference.key : nil }
        var byKey: [AssignmentSlot?] = []
        if let keyCycle, !keyed.isEmpty { byKey = try keys.slots(keyed, cycle: keyCycle.id) }
        var keyedSeen = 0
        var byID: [Int64: (AssignmentSlot, AssignmentKey)] = [:]
        let ids = Array(Set(chunk.compactMap { $0.reference.id }))
        if !ids.isEmpty {
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            for row in try Row.fetchAll(db, sql: """
                SELECT id, subject_nip, role, reviewer_nip, due_at, submitted_at, cycle_id FROM assignment_named WHERE id IN (\(marks))
                """, arguments: StatementArguments(ids), cached: ids.count <= Self.cachedListLength) {
                guard let subject = NIP(row[1] as String), let reviewer = NIP(row[3] as String),
                      let role = ReviewerRole(rawValue: row[2]) else { continue }
                byID[row[0]] = (AssignmentSlot(subject: subject.value, reviewer: reviewer.value, role: role.code, id: row[0],
                                               cycle: row[6], due: row[4], submitted: row[5]),
                                AssignmentKey(subject: subject, reviewer: reviewer, role: role))
            }
            for cid in Set(byID.values.map(\.0.cycle)) where cycles[cid] == nil {
                cycles[cid] = try Self.findCycleRow(db, .id(cid))
            }
        }
        for (offset, s) in chunk.enumerated() {
            var target: AssignmentSlot?
            if let id = s.reference.id {
                guard let (t, key) = byID[id] else {
                    problem(s, "assignment_id", .badReference, "there is no assignment \(id)")
                    continue
                }
                if let k = s.reference.key, k != key {
                    problem(s, "assignment_id", .badReference,
                            "assignment \(id) is the \(key.role.rawValue) review of \(key.subject) by \(key.reviewer), not the \(k.role.rawValue) review of \(k.subject) by \(k.reviewer)")
                    continue
                }
                target = t
            } else if let key = s.reference.key {
                keyedSeen += 1
                guard let t = byKey.isEmpty ? nil : byKey[keyedSeen - 1] else {
                    problem(s, "reviewer_nip", .badReference,
                            "cycle \(keyCycle!.period.code) has no \(key.role.rawValue) assignment of \(key.subject) to \(key.reviewer)")
                    continue
                }
                target = t
            }
            guard let t = target, let c = cycles[t.cycle] else { continue }
            if c.status != .open {
                problem(s, nil, .badReference, "cycle \(c.period.code) is closed; its reviews can no longer change")
                continue
            }
            if s.reference.key == nil, let role = ReviewerRole(code: t.role),
               let message = Review.hasilKerjaProblem(role: role, hasilKerja: s.review.hasilKerja) {
                problem(s, "hasil_kerja", .hasilKerjaRole, message)
                continue
            }
            if let at = s.submittedAt {
                if at > now.addingTimeInterval(300) {
                    problem(s, "submitted_at", .badTimestamp,
                            "submitted_at \(Timestamp.format(at, in: timeZone)) is in the future")
                    continue
                }
                if at < c.openedAt {
                    problem(s, "submitted_at", .badTimestamp,
                            "submitted_at \(Timestamp.format(at, in: timeZone)) is before cycle \(c.period.code) "
                                + "opened (\(Timestamp.format(c.openedAt, in: timeZone)))")
                    continue
                }
            }
            resolved(base + offset, t)
        }
    }

    /// `rows` (subject NIP, role code, reviewer NIP) keys resolved to their assignments of one cycle
    /// (the last argument): each NIP by `person`'s unique key, each assignment by the unique key. Each
    /// result row starts with its key's place in the list (a constant in the text), so the reader
    /// needs neither the NIPs back nor a table to find them.
    static func assignmentsByKeySQL(_ rows: Int) -> String {
        """
        WITH k(i, s, r, v) AS (VALUES \((0..<rows).map { "(\($0),?,?,?)" }.joined(separator: ",")))
        SELECT k.i, a.id, a.due_at, a.submitted_at
        FROM k JOIN person ps ON ps.nip = k.s JOIN person pr ON pr.nip = k.v
        JOIN assignment a ON a.cycle_id = ? AND a.subject_id = ps.id AND a.role = k.r AND a.reviewer_id = pr.id
        """
    }

    /// What to list (all filters optional; `limit` caps the rows returned, `total` counts them all).
    public struct AssignmentFilter: Sendable {
        public enum Status: String, Sendable { case submitted, open, overdue }
        public var cycle: CycleReference?
        /// One assignment by id.
        public var id: Int64?
        /// Only assignments of open cycles.
        public var openCyclesOnly = false
        public var reviewer: NIP?
        public var subject: NIP?
        /// For `overdue`: the reviewer's unit; otherwise the subject's.
        public var unit: String?
        public var role: ReviewerRole?
        public var status: Status?
        /// Decides what is overdue.
        public var at: Date
        public var limit: Int

        public init(cycle: CycleReference? = nil, reviewer: NIP? = nil, subject: NIP? = nil, unit: String? = nil,
                    role: ReviewerRole? = nil, status: Status? = nil, at: Date, limit: Int = 1000) {
            self.cycle = cycle
            self.reviewer = reviewer
            self.subject = subject
            self.unit = unit
            self.role = role
            self.status = status
            self.at = at
            self.limit = limit
        }
    }

    /// Assignments matching `filter`, ordered by cycle, due date, reviewer NIP, subject NIP, role (the
    /// rows of one cycle share a due date). Without a cycle: the open cycles (for `open`/`overdue`) or
    /// all cycles. At most `filter.limit` rows.
    public func assignments(_ filter: AssignmentFilter) throws -> (rows: [AssignmentInfo], total: Int) {
        let page = try assignmentPage(filter, after: nil, limit: filter.limit)
        return (page.rows, page.total ?? page.rows.count)
    }

    /// Submissions up to this many mark their own assignments submitted by id; more, set-based.
    static let fewSubmissions = cachedListLength

    /// At most `filter.limit` assignments matching `filter`, without counting all the matches: for the
    /// web front's requests, which show every row they get. The count is answered from the unique
    /// index's cycle prefix (every assignment of the cycle, about 150,000 entries at 25,000
    /// employees, some 12 ms) even when the filter names one reviewer.
    public func assignmentRows(_ filter: AssignmentFilter) throws -> [AssignmentInfo] {
        try assignmentPage(filter, after: nil, limit: filter.limit, counting: false).rows
    }

    /// One page of `assignments(_:)` (`filter.limit` is not applied): at most `limit` rows after
    /// `cursor`; the first page counts all matches unless `counting` is false.
    public func assignmentPage(_ filter: AssignmentFilter, after cursor: PageCursor?, limit: Int,
                               counting: Bool = true) throws -> Page<AssignmentInfo> {
        try writer.read { db in
            var cycleID: Int64?
            if let cycle = filter.cycle {
                guard let c = try Self.findCycleRow(db, cycle) else { throw CycleStoreError.notFound(what: "cycle", id: cycle.description) }
                cycleID = c.id
            }
            return try Self.assignmentQuery(filter, cycleID: cycleID)
                .page(db, after: cursor, limit: limit, counting: counting, Self.assignmentInfo)
        }
    }

    /// The listing of `filter` (the cycle already resolved to `cycleID`), in the order of
    /// `assignments(_:)`.
    ///
    /// One cycle's listing is ordered by reviewer NIP, subject NIP, role, id (the open writes a
    /// cycle's rows with one due date, so this is the order of a listing over several cycles too) and
    /// read as a walk: reviewers in NIP order from `person`'s unique key (`CROSS JOIN` keeps it the
    /// outer loop, which SQLite would not choose without statistics), each probed in
    /// `assignment_reviewer`, the few rows of one reviewer sorted by subject. A page costs its own rows
    /// and the people it passes over, not a sort of the cycle (150,000 rows at 25,000 employees). With
    /// a subject or an id the planner chooses (a handful of rows, sorted). The count, when the cycle is
    /// the only filter, is read from `assignment_reviewer`'s cycle prefix alone (`AssignmentListPlanTests`).
    /// The walk's cycle condition is on `assignment_reviewer` (x), the other listings' on the row (a).
    static func assignmentQuery(_ filter: AssignmentFilter, cycleID: Int64?) -> KeysetQuery {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        let walk = cycleID != nil && filter.subject == nil && filter.id == nil
        if let cycleID {
            conditions.append(walk ? "x.cycle_id = ?" : "a.cycle_id = ?")
            arguments.append(cycleID)
        } else if filter.status == .open || filter.status == .overdue {
            conditions.append("c.status = 'open'")
        }
        let reviewerNIP = cycleID == nil ? "a.reviewer_nip" : "w.nip"
        if let id = filter.id { conditions.append("a.id = ?"); arguments.append(id) }
        if filter.openCyclesOnly { conditions.append("c.status = 'open'") }
        if let r = filter.reviewer { conditions.append("\(reviewerNIP) = ?"); arguments.append(r.description) }
        if let s = filter.subject { conditions.append("a.subject_nip = ?"); arguments.append(s.description) }
        if let u = filter.unit {
            conditions.append(filter.status == .overdue ? "a.reviewer_unit = ? COLLATE NOCASE" : "a.subject_unit = ? COLLATE NOCASE")
            arguments.append(u)
        }
        if let role = filter.role { conditions.append("a.role = ?"); arguments.append(role.rawValue) }
        switch filter.status {
        case .submitted?: conditions.append("a.submitted_at IS NOT NULL")
        case .open?: conditions.append("a.submitted_at IS NULL")
        case .overdue?:
            conditions.append("a.submitted_at IS NULL AND a.due_at < ? AND c.status = 'open'")
            arguments.append(StoredTime.seconds(filter.at))
        case nil: break
        }
        let onlyCycle = cycleID != nil && conditions.count == 1
        let rows = cycleID == nil
            ? "FROM assignment_named a JOIN cycle c ON c.id = a.cycle_id"
            : walk
            ? """
              FROM person w CROSS JOIN assignment_reviewer x ON x.reviewer_id = w.id
              CROSS JOIN assignment_named a ON a.id = x.assignment_id JOIN cycle c ON c.id = a.cycle_id
              """
            : "FROM person w JOIN assignment_named a ON a.reviewer_id = w.id JOIN cycle c ON c.id = a.cycle_id"
        return KeysetQuery(
            select: """
                a.*, c.period, s.nama AS subject_name, \(Self.reviewerNameSQL) AS reviewer_name,
                (v.berorientasi_pelayanan + v.akuntabel + v.kompeten + v.harmonis + v.loyal + v.adaptif + v.kolaboratif) AS total_score,
                v.hasil_kerja, v.comment, vs.text AS review_source
                """,
            from: """
                \(rows) LEFT JOIN review v ON v.assignment_id = a.id
                LEFT JOIN review_source vs ON vs.id = v.source_id
                LEFT JOIN employee s ON s.nip = a.subject_nip \(Self.reviewerJoinSQL)
                """,
            conditions: conditions, arguments: arguments,
            keys: cycleID == nil
                ? ["c.period_start", "a.due_at", "a.reviewer_nip", "a.subject_nip", "a.role", "a.id"]
                : ["w.nip", "a.subject_nip", "a.role", "a.id"],
            // The left joins match at most one row each (primary or unique keys), so the count leaves them out.
            countFrom: onlyCycle ? "FROM assignment_reviewer x" : rows,
            seeksFirstKey: walk)
    }

    static func assignmentInfo(_ row: Row) -> AssignmentInfo {
        let role = ReviewerRole(rawValue: row["role"]) ?? .rekan
        let shown = !role.isAnonymous
        let submitted: Date? = row["submitted_at"]
        let due: Date = row["due_at"]
        let total: Int? = row["total_score"]
        return AssignmentInfo(
            id: row["id"], cycle: row["period"], subject: NIP(row["subject_nip"] as String)!, subjectName: row["subject_name"],
            reviewer: NIP(row["reviewer_nip"] as String)!, reviewerName: row["reviewer_name"], role: role,
            unit: row["subject_unit"], reviewerUnit: row["reviewer_unit"], dueAt: due, submittedAt: submitted,
            late: submitted.map { $0 > due } ?? false,
            mean: shown ? total.map { Double($0) / 7 } : nil,
            hasilKerja: shown ? (row["hasil_kerja"] as String?).flatMap(Rating.init(rawValue:)) : nil,
            comment: shown ? row["comment"] : nil, source: row["review_source"])
    }

    /// Records the atasan's override of a subject's perilaku rating (the reason is required). When the
    /// cycle is already closed, the subject's result is updated in the same transaction.
    public func setPerilakuOverride(cycle: CycleReference, subject: NIP, override: PerilakuOverride, by: String,
                                    at now: Date) throws -> CycleInfo {
        try writer.write { db in
            guard let c = try Self.findCycle(db, cycle) else { throw CycleStoreError.notFound(what: "cycle", id: cycle.description) }
            guard let subjectID = try Int64.fetchOne(db, sql: """
                SELECT a.subject_id FROM assignment a JOIN person p ON p.id = a.subject_id
                WHERE a.cycle_id = ? AND p.nip = ? AND a.role = \(ReviewerRole.selfAssessment.code) LIMIT 1
                """, arguments: [c.id, subject.description]) else {
                throw CycleStoreError.notFound(what: "subject in cycle \(c.period.code)", id: subject.description)
            }
            try db.execute(sql: """
                INSERT INTO perilaku_override(cycle_id, subject_id, rating, reason, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(cycle_id, subject_id) DO UPDATE SET rating = excluded.rating, reason = excluded.reason,
                set_by = excluded.set_by, set_at = excluded.set_at
                """, arguments: [c.id, subjectID, RatingCode.code(override.rating), override.reason, by, StoredTime.seconds(now)])
            if c.status == .closed, let row = try Row.fetchOne(db, sql: "SELECT hasil_kerja FROM result WHERE cycle_id = ? AND subject_id = ?",
                                                              arguments: [c.id, subjectID]) {
                let hasil = RatingCode.value(row["hasil_kerja"])
                let predikat = hasil.map { Predikat(hasilKerja: $0, perilaku: override.rating) }
                try db.execute(sql: """
                    UPDATE result SET override_rating = ?, override_reason = ?, perilaku_rating = ?, predikat = ?
                    WHERE cycle_id = ? AND subject_id = ?
                    """, arguments: [RatingCode.code(override.rating), override.reason, RatingCode.code(override.rating),
                                     PredikatCode.database(predikat), c.id, subjectID])
            }
            return c
        }
    }
}

/// Submissions in pages, for `submitReviews`: from memory, or from a staged import's spool.
protocol ReviewPages {
    /// The submissions in all.
    var count: Int { get }
    /// Whether any names its assignment by (reviewer, subject, role).
    var hasKeys: Bool { get }
    /// Hands the submissions to `body` in order, at most `size` at a time.
    func forEachPage(size: Int, _ body: ([ReviewSubmission]) throws -> Void) throws
    /// Forgets the pairs recorded by an earlier pass over the same submissions.
    func startResolving() throws
    /// Records the assignments a page resolved to, with their lines.
    func addResolved(_ pairs: [(id: Int64, line: Int)]) throws
    /// Each assignment resolved from more than one line, with two consecutive lines of it, by assignment.
    func duplicates(_ body: (_ id: Int64, _ first: Int, _ second: Int) -> Void) throws
}

extension StagedReviews: ReviewPages {}

/// Submissions already in memory (a web form's, a command's, a test's): the resolved pairs are kept in
/// memory too (16 bytes a row) and sorted to find duplicates.
final class SubmissionPages<Submissions: RandomAccessCollection>: ReviewPages
where Submissions.Element == ReviewSubmission, Submissions.Index == Int {
    let submissions: Submissions
    private var resolved: [(id: Int64, line: Int)] = []

    init(_ submissions: Submissions) { self.submissions = submissions }

    var count: Int { submissions.count }
    var hasKeys: Bool { submissions.contains { $0.reference.key != nil } }

    func forEachPage(size: Int, _ body: ([ReviewSubmission]) throws -> Void) throws {
        for start in stride(from: 0, to: submissions.count, by: size) {
            try body(Array(submissions[start..<min(start + size, submissions.count)]))
        }
    }

    func startResolving() throws { resolved = [] }

    func addResolved(_ pairs: [(id: Int64, line: Int)]) throws { resolved += pairs }

    func duplicates(_ body: (Int64, Int, Int) -> Void) throws {
        let sorted = resolved.sorted { ($0.id, $0.line) < ($1.id, $1.line) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.id == b.id { body(a.id, a.line, b.line) }
    }
}

/// One assignment as a review is resolved to it.
struct AssignmentSlot {
    var subject: UInt64
    var reviewer: UInt64
    var role: UInt8
    var id: Int64
    var cycle: Int64
    var due: Date
    var submitted: Date?
}

extension ReviewerRole {
    /// A one-byte code for compact storage in memory, in the order the names sort as text.
    var code: UInt8 {
        switch self {
        case .atasan: return 0
        case .bawahan: return 1
        case .rekan: return 2
        case .selfAssessment: return 3
        }
    }

    init?(code: UInt8) {
        switch code {
        case 0: self = .atasan
        case 1: self = .bawahan
        case 2: self = .rekan
        case 3: self = .selfAssessment
        default: return nil
        }
    }
}
