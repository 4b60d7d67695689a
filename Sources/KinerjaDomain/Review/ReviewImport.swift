import Foundation

/// Validation of a review file (`kinerjactl reviews import FILE`).
///
/// Columns (snake_case, any order, header matched case-insensitively):
/// - `assignment_id` — the store's assignment id; or all three of `reviewer_nip`, `subject_nip`,
///   `role` (`self`, `atasan`, `rekan`, `bawahan`). A file may carry both; each row needs one of them.
/// - `berorientasi_pelayanan`, `akuntabel`, `kompeten`, `harmonis`, `loyal`, `adaptif`,
///   `kolaboratif` — required, integers 1–5.
/// - `comment` (alias `komentar`) — optional column, optional value, at most 2,000 characters.
/// - `hasil_kerja` — optional column; required for the `atasan` role, not allowed for other roles
///   (`di_atas`, `sesuai`, `di_bawah`, or the official wording). For rows that name only an
///   `assignment_id` the role is unknown here: the store applies `Review.hasilKerjaProblem` once it
///   has resolved the assignment.
/// - `submitted_at` — optional; ISO 8601 (`2025-03-14T09:30:00+07:00`; without an offset the
///   caller's time zone applies).
///
/// Also checked: `self` reviews have reviewer = subject, other roles have reviewer ≠ subject; the same
/// assignment twice in a file (both lines named). All problems are collected up to the cap.
public enum ReviewImport {
    public static let referenceColumns = ["assignment_id", "reviewer_nip", "subject_nip", "role"]

    public static let schema = CSVSchema(
        referenceColumns.map { CSVSchema.Column($0, required: false) }
        + BerAKHLAKValue.allCases.map { CSVSchema.Column($0.rawValue) }
        + [.init("comment", aliases: ["komentar"], required: false, freeText: true),
           .init("hasil_kerja", required: false),
           .init("submitted_at", required: false)])

    /// Parses and validates a whole file.
    public static func validate(csv text: String, timeZone: TimeZone,
                                problemCap: Int = ProblemCollector.defaultCap)
        -> Result<[ReviewSubmission], ImportFailure> {
        var collector = ProblemCollector(cap: problemCap)
        guard let (columns, records) = ImportReading.read(csv: text, schema: schema, collector: &collector) else {
            return .failure(collector.failure)
        }
        return validate(records: records, columns: columns, timeZone: timeZone, collector: &collector)
    }

    /// Validates records already read (e.g. sent in batches), with the file's column map.
    public static func validate(records: [CSVRecord], columns: CSVColumnMap, timeZone: TimeZone,
                                problemCap: Int = ProblemCollector.defaultCap)
        -> Result<[ReviewSubmission], ImportFailure> {
        var collector = ProblemCollector(cap: problemCap)
        return validate(records: records, columns: columns, timeZone: timeZone, collector: &collector)
    }

    static func validate(records: [CSVRecord], columns: CSVColumnMap, timeZone: TimeZone,
                         collector: inout ProblemCollector) -> Result<[ReviewSubmission], ImportFailure> {
        var accumulator = Accumulator(columns: columns, timeZone: timeZone, collector: collector)
        accumulator.add(records)
        return accumulator.finish()
    }

    /// Validation of a file that arrives in batches (the daemon's streamed import): every record is
    /// checked as it is added, duplicates are found across batches, and `finish()` gives the
    /// submissions or every problem (up to the cap), exactly as `validate(csv:)` would for the whole
    /// file. Only the validated submissions are kept, not the text.
    public struct Accumulator: Sendable {
        public let columns: CSVColumnMap
        public let timeZone: TimeZone
        /// Submission times beyond it are refused; `nil` checks none.
        public var horizon: DateHorizon?
        private var collector: ProblemCollector
        private var result = ReviewSubmissions()
        private var lineByID: [Int64: Int] = [:]
        private var lineByKey: [AssignmentKey: Int] = [:]
        private let hasID: Bool
        private let hasKey: Bool
        /// The file's column (0-based) of each of `Field`'s, looked up once: a record's values are read
        /// by position, not by hashing fourteen column names for every record.
        private let places: [Int?]
        /// Whether the same assignment twice in the file is looked for here (see `init`).
        private let findsDuplicates: Bool
        private var headerUsable = true
        /// Non-blank records added so far.
        public private(set) var recordCount = 0

        /// Makes room for `count` records at once (the client knows how many it will send), so the
        /// kept values are not copied and doubled as they grow.
        public mutating func reserveCapacity(_ count: Int) {
            result.reserveCapacity(count)
        }

        /// Starts an import of a file whose header bound to `columns`. With `findsDuplicates` false the
        /// same assignment named twice is left to the caller (a store that resolves every row to its
        /// assignment finds it there, also between an id and a key), which saves a table of every row.
        public init(columns: CSVColumnMap, timeZone: TimeZone, problemCap: Int = ProblemCollector.defaultCap,
                    findsDuplicates: Bool = true) {
            self.init(columns: columns, timeZone: timeZone, collector: ProblemCollector(cap: problemCap),
                      findsDuplicates: findsDuplicates)
        }

        init(columns: CSVColumnMap, timeZone: TimeZone, collector: ProblemCollector, findsDuplicates: Bool = true) {
            self.findsDuplicates = findsDuplicates
            self.columns = columns
            self.timeZone = timeZone
            self.collector = collector
            places = Field.names.map { columns.number($0).map { $0 - 1 } }
            hasID = columns.has("assignment_id")
            hasKey = ["reviewer_nip", "subject_nip", "role"].allSatisfy(columns.has)
            if !hasID && !hasKey {
                let missing = ["reviewer_nip", "subject_nip", "role"].filter { !columns.has($0) }
                self.collector.add(line: columns.headerLine, column: nil, columnName: "assignment_id", code: .missingColumn,
                                   "the header needs assignment_id, or reviewer_nip, subject_nip and role "
                                       + "(missing: \(missing.joined(separator: ", "))); expected header: "
                                       + ReviewImport.schema.expectedHeader)
                headerUsable = false
            }
        }

        /// Problems found so far (including those beyond the cap).
        public var problemCount: Int { collector.totalCount }

        /// Checks `records` (blank ones skipped, field counts checked) and keeps the valid ones.
        public mutating func add(_ records: [CSVRecord]) {
            for submission in check(records) { result.append(submission) }
        }

        /// Checks `records` like `add(_:)` but hands the batch's valid submissions back instead of
        /// keeping them (the daemon spools them on disk): the accumulator keeps only its problems.
        public mutating func check(_ records: [CSVRecord]) -> [ReviewSubmission] {
            var valid: [ReviewSubmission] = []
            valid.reserveCapacity(records.count)
            for record in records where !record.isBlank {
                recordCount += 1
                if let problem = columns.recordProblem(record) {
                    collector.add(problem)
                    continue
                }
                // Field counts are checked even when the header lacks the reference columns, as
                // `validate(csv:)` does (found by the csv-reviews fuzz target).
                guard headerUsable else { continue }
                if let submission = check(record) { valid.append(submission) }
            }
            return valid
        }

        /// Every problem found (up to the cap), a file without records included; `nil` when there is none.
        public var failure: ImportFailure? {
            if case .failure(let failure) = finishCompact() { return failure }
            return nil
        }

        /// The submissions in file order, or every problem found (up to the cap).
        public func finish() -> Result<[ReviewSubmission], ImportFailure> {
            finishCompact().map { Array($0) }
        }

        /// Like `finish()`, as the compact collection the accumulator keeps (about 60 bytes a review
        /// plus its comment's text, instead of about 170).
        public func finishCompact() -> Result<ReviewSubmissions, ImportFailure> {
            var collector = self.collector
            if recordCount == 0 && (collector.isEmpty || (!headerUsable && collector.totalCount == 1)) {
                // A file without any record is only that (not also a header without reference
                // columns), as `validate(csv:)` reports it.
                collector = ProblemCollector(cap: collector.cap)
                collector.add(line: columns.headerLine, column: nil, columnName: nil, code: .noRecords,
                              "the file has a header but no records")
            }
            guard collector.isEmpty else { return .failure(collector.failure) }
            return .success(result)
        }

        private mutating func report(_ record: CSVRecord, _ column: String, _ code: ImportProblem.Code, _ message: String) {
            collector.add(line: record.line, column: columns.number(column), columnName: column, code: code, message)
        }

        private mutating func check(_ record: CSVRecord) -> ReviewSubmission? {
            let before = collector.totalCount
            // As `CSVColumnMap.value(_:in:)`, by the column's place. A field that starts and ends with
            // a printable ASCII character other than a space has nothing to trim (most have not).
            func value(_ field: Int) -> String {
                guard let n = places[field], n < record.fields.count else { return "" }
                let text = record.fields[n]
                if let first = text.utf8.first, let last = text.utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) {
                    return text
                }
                return text.trimmedKeepingTabs
            }

            // Reference.
            var id: Int64?
            var key: AssignmentKey?
            let idText = value(Field.assignmentID)
            if !idText.isEmpty {
                if let n = FieldValue.integer(idText).flatMap(Int64.init(exactly:)), n > 0 {
                    id = n
                } else {
                    report(record, "assignment_id", .badReference,
                           "assignment_id must be a positive whole number, found '\(idText)'")
                }
            }
            let keyTexts = [value(Field.reviewer), value(Field.subject), value(Field.role)]
            if hasKey, keyTexts.contains(where: { !$0.isEmpty }) {
                var reviewer: NIP?, subject: NIP?, role: ReviewerRole?
                for (name, text) in zip(["reviewer_nip", "subject_nip"], keyTexts) {
                    if text.isEmpty {
                        report(record, name, .missingValue, "\(name) is required when assignment_id is not given")
                        continue
                    }
                    switch NIP.parse(text) {
                    case .success(let nip): if name == "reviewer_nip" { reviewer = nip } else { subject = nip }
                    case .failure(let error): report(record, name, .badNIP, "'\(text)' is not a valid NIP: \(error.message)")
                    }
                }
                let roleText = keyTexts[2]
                if roleText.isEmpty {
                    report(record, "role", .missingValue, "role is required when assignment_id is not given")
                } else if let r = ReviewerRole(parsing: roleText) {
                    role = r
                } else if roleText.lowercased() == "masyarakat" {
                    report(record, "role", .badRole,
                           "masyarakat is heard through the SKM survey (import skm), not through reviews")
                } else {
                    report(record, "role", .badRole, "role must be self, atasan, rekan or bawahan, found '\(roleText)'")
                }
                if let reviewer, let subject, let role {
                    if role == .selfAssessment, reviewer != subject {
                        report(record, "reviewer_nip", .badReference,
                               "a self review needs reviewer_nip equal to subject_nip")
                    } else if role != .selfAssessment, reviewer == subject {
                        report(record, "reviewer_nip", .badReference,
                               "reviewer_nip equals subject_nip but the role is \(role.rawValue), not self")
                    } else {
                        key = AssignmentKey(subject: subject, reviewer: reviewer, role: role)
                    }
                }
            } else if id == nil, idText.isEmpty {
                report(record, hasID ? "assignment_id" : "reviewer_nip", .missingValue,
                       "each record needs assignment_id or reviewer_nip, subject_nip and role")
            }

            // Scores.
            var scores: [Int] = []
            for (offset, v) in BerAKHLAKValue.allCases.enumerated() {
                let text = value(Field.firstScore + offset)
                if text.isEmpty {
                    report(record, v.rawValue, .missingValue, "the score for \(v.name) is required (1–5)")
                } else if let s = FieldValue.integer(text), BerAKHLAKScores.range.contains(s) {
                    scores.append(s)
                } else {
                    report(record, v.rawValue, .badScore, "the score for \(v.name) must be a whole number 1–5, found '\(text)'")
                }
            }

            // Comment, hasil kerja, submitted_at.
            let comment = value(Field.comment)
            // At most as many characters as UTF-8 bytes: most comments need no counting of characters.
            if comment.utf8.count > Review.maxCommentLength, comment.count > Review.maxCommentLength {
                report(record, "comment", .tooLong,
                       "the comment has \(comment.count) characters, at most \(Review.maxCommentLength) allowed")
            }
            var hasilKerja: Rating?
            let hkText = value(Field.hasilKerja)
            if !hkText.isEmpty {
                if let r = Rating(parsing: hkText) {
                    hasilKerja = r
                } else {
                    report(record, "hasil_kerja", .badRating, "hasil_kerja must be \(Rating.spellings), found '\(hkText)'")
                }
            }
            if let role = key?.role, hkText.isEmpty || hasilKerja != nil,
               let problem = Review.hasilKerjaProblem(role: role, hasilKerja: hasilKerja) {
                report(record, "hasil_kerja", .hasilKerjaRole, problem)
            }
            var submittedAt: Date?
            let tsText = value(Field.submittedAt)
            if !tsText.isEmpty {
                if let date = Timestamp.parse(tsText, defaultTimeZone: timeZone) {
                    if let message = horizon?.problem(instant: date, timeZone: timeZone) {
                        report(record, "submitted_at", .tooFarAhead, message)
                    } else {
                        submittedAt = date
                    }
                } else {
                    report(record, "submitted_at", .badTimestamp,
                           "submitted_at must be an ISO 8601 time such as 2025-03-14T09:30:00+07:00, found '\(tsText)'")
                }
            }

            // Duplicates within the file.
            if findsDuplicates, let id {
                if let first = lineByID[id] {
                    report(record, "assignment_id", .duplicateRecord,
                           "assignment \(id) is reviewed on lines \(first) and \(record.line)")
                } else {
                    lineByID[id] = record.line
                }
            }
            if findsDuplicates, let key {
                if let first = lineByKey[key] {
                    report(record, "reviewer_nip", .duplicateRecord,
                           "the \(key.role.rawValue) review of \(key.subject) by \(key.reviewer) is on lines \(first) and \(record.line)")
                } else {
                    lineByKey[key] = record.line
                }
            }

            guard collector.totalCount == before, id != nil || key != nil,
                  let checked = try? BerAKHLAKScores(scores) else { return nil }
            return ReviewSubmission(
                line: record.line, reference: AssignmentReference(id: id, key: key),
                review: Review(scores: checked, comment: comment, hasilKerja: hasilKerja),
                submittedAt: submittedAt)
        }

        /// The columns a record's values are read from, by their place in `names`.
        enum Field {
            static let names = ReviewImport.referenceColumns + BerAKHLAKValue.allCases.map(\.rawValue)
                + ["comment", "hasil_kerja", "submitted_at"]
            static let assignmentID = 0, reviewer = 1, subject = 2, role = 3, firstScore = 4
            static let comment = firstScore + BerAKHLAKValue.allCases.count, hasilKerja = comment + 1, submittedAt = comment + 2
        }
    }
}
