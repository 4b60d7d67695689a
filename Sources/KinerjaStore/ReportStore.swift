import Foundation
import GRDB
import KinerjaDomain

/// One unit's figures in a cycle report.
public struct UnitFigures: Sendable, Hashable, Encodable {
    public var unit: String
    public var name: String
    /// Subjects in the cycle from this unit.
    public var employees: Int
    public var assignments: Int
    public var submitted: Int
    public var late: Int
    /// Results (closed cycles only).
    public var results: Int
    /// Count per predikat (every predikat present).
    public var predikat: [Predikat: Int]
    /// Public satisfaction over the SKM periods that overlap the cycle's period, pooled.
    public var ikm: IKMResult?

    public init(unit: String, name: String, employees: Int = 0, assignments: Int = 0, submitted: Int = 0, late: Int = 0,
                results: Int = 0, predikat: [Predikat: Int] = [:], ikm: IKMResult? = nil) {
        self.unit = unit
        self.name = name
        self.employees = employees
        self.assignments = assignments
        self.submitted = submitted
        self.late = late
        self.results = results
        self.predikat = predikat
        self.ikm = ikm
    }
}

/// The figures behind `report cycle`: per unit, plus the cycle.
public struct CycleReportData: Sendable, Hashable {
    public var cycle: CycleInfo
    public var units: [UnitFigures]
}

/// One closed (or open) cycle in an employee's history.
public struct HistoryEntry: Sendable, Hashable, Encodable {
    public var cycle: Int64
    public var period: Period
    public var status: CycleInfo.Status
    public var unit: String
    public var selfMean: Double?
    public var atasanMean: Double?
    public var rekanMean: Double?
    public var rekanCount: Int?
    public var bawahanMean: Double?
    public var bawahanCount: Int?
    public var weightedMean: Double?
    public var computedRating: Rating?
    public var overrideRating: Rating?
    public var overrideReason: String?
    public var perilakuRating: Rating?
    public var hasilKerja: Rating?
    public var predikat: Predikat?
    /// When the own self-assessment was submitted (nil: missing) and whether it was late.
    public var selfSubmittedAt: Date?
    public var selfLate: Bool
}

extension AppDatabase {
    /// Completion, predikat distribution and IKM per unit of a cycle (`unit` limits to one unit).
    public func cycleReport(_ reference: CycleReference, unit: String?) throws -> CycleReportData {
        try writer.read { db in
            guard let c = try Self.findCycle(db, reference) else { throw CycleStoreError.notFound(what: "cycle", id: reference.description) }
            var names: [String: String] = [:]
            for u in try Self.fetchUnits(db) { names[u.code] = u.name }
            var figures: [String: UnitFigures] = [:]
            func blank(_ code: String) -> UnitFigures {
                var counts: [Predikat: Int] = [:]
                for p in Predikat.allCases { counts[p] = 0 }
                return UnitFigures(unit: code, name: names[code] ?? code, employees: 0, assignments: 0, submitted: 0, late: 0,
                                   results: 0, predikat: counts, ikm: nil)
            }
            var args: [any DatabaseValueConvertible] = [c.id]
            if let unit { args.append(unit) }
            let rows = try Self.cycleRows(db, cycle: c.id)
            for row in try Row.fetchAll(db, sql: """
                SELECT u.code AS subject_unit, x.total, x.submitted, x.late, x.subjects FROM (
                  SELECT subject_unit_id, COUNT(*) AS total, COUNT(submitted_at) AS submitted, SUM(submitted_at > due_at) AS late,
                         SUM(role = \(ReviewerRole.selfAssessment.code)) AS subjects
                  FROM assignment WHERE \(rows.condition) GROUP BY subject_unit_id) x
                JOIN unit_key u ON u.id = x.subject_unit_id\(unit == nil ? "" : " WHERE u.code = ? COLLATE NOCASE")
                """, arguments: StatementArguments(rows.arguments.map { $0 as any DatabaseValueConvertible } + args.dropFirst())) {
                let code: String = row["subject_unit"]
                var f = blank(code)
                f.assignments = row["total"]
                f.submitted = row["submitted"]
                f.late = row["late"] ?? 0
                f.employees = row["subjects"] ?? 0
                figures[code] = f
            }
            for row in try Row.fetchAll(db, sql: Self.resultCountsSQL(unit: unit != nil), arguments: StatementArguments(args)) {
                let code: String = row["unit_code"]
                var f = figures[code] ?? blank(code)
                let n: Int = row["n"]
                f.results += n
                if let p = PredikatCode.value(row["predikat"]) { f.predikat[p, default: 0] += n }
                figures[code] = f
            }
            let skmFilter = unit == nil ? "" : " AND unit_code = ? COLLATE NOCASE"
            var skmArgs: [any DatabaseValueConvertible] = [c.period.end.description, c.period.start.description]
            if let unit { skmArgs.append(unit) }
            for row in try Row.fetchAll(db, sql: """
                SELECT unit_code, COUNT(*) AS n, SUM(u1), SUM(u2), SUM(u3), SUM(u4), SUM(u5), SUM(u6), SUM(u7), SUM(u8), SUM(u9)
                FROM skm_response WHERE period_start <= ? AND period_end >= ?\(skmFilter) GROUP BY unit_code
                """, arguments: StatementArguments(skmArgs)) {
                let code: String = row["unit_code"]
                var f = figures[code] ?? blank(code)
                f.ikm = IKMResult.compute(unit: code, period: c.period, respondents: row["n"], elementSums: (2...10).map { row[$0] as Int })
                figures[code] = f
            }
            return CycleReportData(cycle: c, units: figures.keys.sorted().map { figures[$0]! })
        }
    }

    /// A cycle's results per unit code and predikat code (`?` the cycle id, then with `unit` the unit code):
    /// the cycle's range of the result key, grouped by unit id, then each group's unit named.
    static func resultCountsSQL(unit: Bool) -> String {
        """
        SELECT u.code AS unit_code, x.predikat, x.n FROM (
          SELECT unit_id, predikat, COUNT(*) AS n FROM result WHERE cycle_id = ? GROUP BY unit_id, predikat) x
        JOIN unit_key u ON u.id = x.unit_id\(unit ? " WHERE u.code = ? COLLATE NOCASE" : "")
        """
    }

    /// An employee's self-assessments (`?` the NIP), each with its cycle and the cycle's result, if any.
    static let historySQL = """
        SELECT c.id AS cycle_id, c.period, c.status, c.closed_at AS cycle_closed_at, a.subject_unit, a.submitted_at,
               a.due_at, r.*
        FROM assignment_named a JOIN cycle c ON c.id = a.cycle_id
        LEFT JOIN result r ON r.cycle_id = a.cycle_id AND r.subject_id = a.subject_id
        WHERE a.subject_nip = ? AND a.role_code = \(ReviewerRole.selfAssessment.code)
        ORDER BY c.period_start, c.kind
        """

    /// An employee's results across cycles (oldest first) with the self-assessment's timing.
    public func history(of nip: NIP) throws -> [HistoryEntry] {
        try writer.read { db in
            try Row.fetchAll(db, sql: Self.historySQL, arguments: [nip.description]).compactMap { row in
                guard let period = try? Period(parsing: row["period"] as String) else { return nil }
                let submitted: Date? = row["submitted_at"], due: Date = row["due_at"]
                func rating(_ column: String) -> Rating? { RatingCode.value(row[column]) }
                let closed = (row["status"] as String) == "closed"
                // Missing counts as late only when it was due before the cycle closed.
                let closedAt: Date? = row["cycle_closed_at"]
                let dueBeforeClose = closedAt.map { due <= $0 } ?? false
                return HistoryEntry(
                    cycle: row["cycle_id"], period: period, status: closed ? .closed : .open, unit: row["subject_unit"],
                    selfMean: row["self_mean"], atasanMean: row["atasan_mean"], rekanMean: row["rekan_mean"],
                    rekanCount: row["rekan_count"], bawahanMean: row["bawahan_mean"], bawahanCount: row["bawahan_count"],
                    weightedMean: row["weighted_mean"], computedRating: rating("computed_rating"),
                    overrideRating: rating("override_rating"), overrideReason: row["override_reason"],
                    perilakuRating: rating("perilaku_rating"), hasilKerja: rating("hasil_kerja"),
                    predikat: PredikatCode.value(row["predikat"]),
                    selfSubmittedAt: submitted, selfLate: submitted.map { $0 > due } ?? (closed && dueBeforeClose))
            }
        }
    }
}
