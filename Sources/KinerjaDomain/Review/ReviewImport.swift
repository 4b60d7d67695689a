import Foundation

/// Validation of a review file (issue 4 "kinerjactl reviews import FILE").
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
        + [.init("comment", aliases: ["komentar"], required: false),
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
        let hasID = columns.has("assignment_id")
        let hasKey = ["reviewer_nip", "subject_nip", "role"].allSatisfy(columns.has)
        guard hasID || hasKey else {
            let missing = ["reviewer_nip", "subject_nip", "role"].filter { !columns.has($0) }
            collector.add(line: columns.headerLine, column: nil, columnName: "assignment_id", code: .missingColumn,
                          "the header needs assignment_id, or reviewer_nip, subject_nip and role "
                              + "(missing: \(missing.joined(separator: ", "))); expected header: "
                              + schema.expectedHeader)
            return .failure(collector.failure)
        }
        func report(_ record: CSVRecord, _ column: String, _ code: ImportProblem.Code, _ message: String) {
            collector.add(line: record.line, column: columns.number(column), columnName: column, code: code, message)
        }
        var result: [ReviewSubmission] = []
        result.reserveCapacity(records.count)
        var lineByID: [Int64: Int] = [:]
        var lineByKey: [AssignmentKey: Int] = [:]
        for record in records {
            let before = collector.totalCount
            func value(_ name: String) -> String { columns.value(name, in: record) }

            // Reference.
            var id: Int64?
            var key: AssignmentKey?
            let idText = value("assignment_id")
            if !idText.isEmpty {
                if let n = FieldValue.integer(idText).flatMap(Int64.init(exactly:)), n > 0 {
                    id = n
                } else {
                    report(record, "assignment_id", .badReference,
                           "assignment_id must be a positive whole number, found '\(idText)'")
                }
            }
            let keyTexts = ["reviewer_nip", "subject_nip", "role"].map(value)
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
            for v in BerAKHLAKValue.allCases {
                let text = value(v.rawValue)
                if text.isEmpty {
                    report(record, v.rawValue, .missingValue, "the score for \(v.name) is required (1–5)")
                } else if let s = FieldValue.integer(text), BerAKHLAKScores.range.contains(s) {
                    scores.append(s)
                } else {
                    report(record, v.rawValue, .badScore, "the score for \(v.name) must be a whole number 1–5, found '\(text)'")
                }
            }

            // Comment, hasil kerja, submitted_at.
            let comment = value("comment")
            if comment.count > Review.maxCommentLength {
                report(record, "comment", .tooLong,
                       "the comment has \(comment.count) characters, at most \(Review.maxCommentLength) allowed")
            }
            var hasilKerja: Rating?
            let hkText = value("hasil_kerja")
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
            let tsText = value("submitted_at")
            if !tsText.isEmpty {
                if let date = Timestamp.parse(tsText, defaultTimeZone: timeZone) {
                    submittedAt = date
                } else {
                    report(record, "submitted_at", .badTimestamp,
                           "submitted_at must be an ISO 8601 time such as 2025-03-14T09:30:00+07:00, found '\(tsText)'")
                }
            }

            // Duplicates within the file.
            if let id {
                if let first = lineByID[id] {
                    report(record, "assignment_id", .duplicateRecord,
                           "assignment \(id) is reviewed on lines \(first) and \(record.line)")
                } else {
                    lineByID[id] = record.line
                }
            }
            if let key {
                if let first = lineByKey[key] {
                    report(record, "reviewer_nip", .duplicateRecord,
                           "the \(key.role.rawValue) review of \(key.subject) by \(key.reviewer) is on lines \(first) and \(record.line)")
                } else {
                    lineByKey[key] = record.line
                }
            }

            guard collector.totalCount == before, id != nil || key != nil,
                  let checked = try? BerAKHLAKScores(scores) else { continue }
            result.append(ReviewSubmission(
                line: record.line, reference: AssignmentReference(id: id, key: key),
                review: Review(scores: checked, comment: comment, hasilKerja: hasilKerja),
                submittedAt: submittedAt))
        }
        guard collector.isEmpty else { return .failure(collector.failure) }
        return .success(result)
    }
}
