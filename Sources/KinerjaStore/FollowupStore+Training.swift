import Foundation
import GRDB
import KinerjaDomain

/// A course recommended for a task, and the first training record of the employee on or after the
/// task's creation whose course is the course's code or title (a record imported later links itself).
public struct FollowupTrainingRow: Sendable, Hashable {
    public var course: TrainingCourse
    public var reason: String
    public var attendedOn: CalendarDate?
}

extension AppDatabase {
    /// Replaces the training catalogue with `courses` (the file is the whole catalogue); returns how many.
    public func replaceTrainingCatalogue(_ courses: [TrainingCourse], now: Date) throws -> Int {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM training_course")
            let insert = try db.cachedStatement(sql: """
                INSERT INTO training_course(code, title, provider, mode, hours, bervalues, competencies, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for c in courses {
                try insert.execute(arguments: [c.code, c.title, c.provider, c.mode.rawValue, c.hours,
                                               c.values.map(\.rawValue).joined(separator: ";"), c.competencies.joined(separator: ";"), now])
            }
            return courses.count
        }
    }

    static func course(_ row: Row) -> TrainingCourse {
        TrainingCourse(code: row["code"], title: row["title"], provider: row["provider"], mode: TrainingMode(rawValue: row["mode"]) ?? .klasikal,
                       hours: row["hours"], values: (row["bervalues"] as String).split(separator: ";").compactMap { BerAKHLAKValue(rawValue: String($0)) },
                       competencies: (row["competencies"] as String).split(separator: ";").map(String.init))
    }

    public func trainingCatalogue() throws -> [TrainingCourse] {
        try writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM training_course ORDER BY code").map(Self.course) }
    }

    /// Tasks awaiting an outcome whose flag is `stalled_development` or recommends training, with no
    /// course recommended yet.
    public func followupsWantingTraining() throws -> [FollowupRecord] {
        try writer.read { db in
            let ids = try Int64.fetchAll(db, sql: """
                SELECT fu.id FROM followup fu JOIN flag f ON f.id = fu.flag_id
                WHERE fu.status IN ('open', 'overdue', 'escalated') AND (f.rule = 'stalled_development' OR fu.recommendation = 'training')
                  AND NOT EXISTS (SELECT 1 FROM followup_training t WHERE t.followup_id = fu.id)
                ORDER BY fu.id
                """)
            return try Self.followups(db, ids: ids)
        }
    }

    /// Each BerAKHLAK value's mean for `subject` over the closed cycles of the flag's window, from the
    /// atasan's reviews and, when at least `anonymityMinimum` rekan reviews exist, the rekan's: one
    /// aggregate, never one reviewer's scores.
    public func valueMeans(followup id: Int64, anonymityMinimum: Int) throws -> [ValueMean] {
        try writer.read { db in
            let columns = BerAKHLAKValue.allCases.map(\.rawValue)
            func means(roles: String) throws -> (count: Int, means: [Double?]) {
                let row = try Row.fetchOne(db, sql: """
                    SELECT COUNT(*), \(columns.map { "AVG(r.\($0))" }.joined(separator: ", "))
                    FROM followup fu JOIN flag f ON f.id = fu.flag_id
                    JOIN cycle c ON c.status = 'closed' AND c.period_start >= f.window_start_date AND c.period_end <= f.window_end_date
                    JOIN assignment a ON a.cycle_id = c.id AND a.subject_id = fu.subject_id AND a.role IN (\(roles))
                    JOIN review r ON r.assignment_id = a.id
                    WHERE fu.id = ?
                    """, arguments: [id])!
                return (row[0], (1...columns.count).map { row[$0] as Double? })
            }
            let rekan = try means(roles: RoleCode.list([.rekan])).count
            let withRekan = rekan >= anonymityMinimum
            let (count, values) = try means(roles: RoleCode.list(withRekan ? [.atasan, .rekan] : [.atasan]))
            guard count > 0 else { return [] }
            let sources = withRekan ? ["atasan", "rekan"] : ["atasan"]
            return zip(BerAKHLAKValue.allCases, values).compactMap { v, m in m.map { ValueMean(value: v, mean: $0, sources: sources) } }
        }
    }

    public func setFollowupTrainings(_ id: Int64, _ recommendations: [TrainingRecommendation]) throws {
        try writer.write { db in
            for (rank, r) in recommendations.enumerated() {
                try db.execute(sql: "INSERT OR IGNORE INTO followup_training(followup_id, code, reason, rank) VALUES (?, ?, ?, ?)",
                               arguments: [id, r.course.code, r.reason, rank])
            }
        }
    }

    static func followupTrainings(_ db: Database, _ id: Int64) throws -> [FollowupTrainingRow] {
        try Row.fetchAll(db, sql: """
            SELECT c.*, t.reason, (SELECT MIN(tr.date) FROM training tr WHERE tr.nip = sp.nip AND tr.date >= fu.created_on
                                   AND tr.course_key IN (lower(c.code), lower(c.title))) AS attended
            FROM followup_training t JOIN followup fu ON fu.id = t.followup_id JOIN person sp ON sp.id = fu.subject_id
            JOIN training_course c ON c.code = t.code
            WHERE t.followup_id = ? ORDER BY t.rank
            """, arguments: [id]).map { row in
            FollowupTrainingRow(course: Self.course(row), reason: row["reason"], attendedOn: (row["attended"] as String?).flatMap(CalendarDate.init(iso:)))
        }
    }

    /// The courses recommended for a task, with the training records that followed.
    public func followupTrainings(_ id: Int64) throws -> [FollowupTrainingRow] {
        try writer.read { db in try Self.followupTrainings(db, id) }
    }
}
