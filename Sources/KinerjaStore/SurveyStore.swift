import Foundation
import GRDB
import KinerjaDomain

/// One day of a unit's SKM responses: the local day (YYYY-MM-DD) and the count per source.
public struct SKMDayCount: Sendable, Hashable {
    public var day: String
    public var bySource: [String: Int]
    public var total: Int { bySource.values.reduce(0, +) }
}

/// `skmStats`: a unit's responses of a period per day and source, and their IKM.
public struct SKMStats: Sendable, Hashable {
    public var unitName: String
    public var days: [SKMDayCount]
    public var ikm: IKMResult?
}

/// Public satisfaction survey responses and training records (`kinerjactl import skm`, `import training`).
extension AppDatabase {
    /// Applies a validated SKM file: the responses of every (unit, period) in the file replace those
    /// stored for it (re-importing a corrected survey does not double it). Throws `ImportFailure`.
    public func importSKM(_ input: SKMImport.Accumulator, dryRun: Bool, now: Date, source: String) throws -> ImportSummary {
        let responses: [SKMResponse]
        switch input.finish() {
        case .success(let r): responses = r
        case .failure(let failure): throw failure
        }
        let apply = { (db: Database) throws -> ImportSummary in
            var summary = ImportSummary(kind: "skm", dryRun: dryRun, records: responses.count)
            struct Group: Hashable { var unit: String; var period: String }
            var groups: [Group: Int] = [:]
            for r in responses { groups[Group(unit: r.unit, period: r.period.code), default: 0] += 1 }
            // A re-import replaces what was imported before; responses given on the web stay.
            let delete = try db.cachedStatement(sql: "DELETE FROM skm_response WHERE unit_code = ? AND period = ? AND source = 'import'")
            let count = try db.cachedStatement(sql: "SELECT COUNT(*) FROM skm_response WHERE unit_code = ? AND period = ? AND source = 'import'")
            for g in groups.keys.sorted(by: { ($0.unit, $0.period) < ($1.unit, $1.period) }) {
                let previous = try Int.fetchOne(count, arguments: [g.unit, g.period]) ?? 0
                summary.replaced += previous
                summary.details.append("\(g.unit) \(g.period): \(groups[g]!) responses" + (previous > 0 ? " (replacing \(previous))" : ""))
                if !dryRun { try delete.execute(arguments: [g.unit, g.period]) }
            }
            summary.added = responses.count
            guard !dryRun else { return summary }
            try Self.insertSKM(db, responses, source: "import", now: now)
            try Self.logImport(db, summary: summary, source: source, now: now)
            return summary
        }
        return dryRun ? try writer.read(apply) : try writer.write(apply)
    }

    /// Stores one response given on the web (`source` `web`), with the same validation (`SKMResponse`)
    /// and the same insert as an imported file, so it counts in IKM exactly like imported ones.
    /// An optional suggestion (saran) is stored beside it in the same transaction.
    public func addSKMResponse(_ response: SKMResponse, suggestion: String?, now: Date) throws {
        try writer.write { db in
            try Self.insertSKM(db, [response], source: "web", now: now)
            if let suggestion, !suggestion.isEmpty {
                try db.execute(sql: "INSERT INTO skm_suggestion(unit_code, period, text, submitted_at) VALUES (?, ?, ?, ?)",
                               arguments: [response.unit, response.period.code, suggestion, now])
            }
        }
    }

    /// The one insert of SKM responses, for imported files and web answers alike.
    static func insertSKM(_ db: Database, _ responses: [SKMResponse], source: String, now: Date) throws {
        var insert = BatchInsert(db, """
            INSERT INTO skm_response(unit_code, period, period_start, period_end, u1, u2, u3, u4, u5, u6, u7, u8, u9, imported_at, source,
                                     age_band, sex, education, occupation, service)
            """, columns: 20)
        let stamp = now.databaseValue, sourceValue = source.databaseValue
        for r in responses {
            let p = r.respondent
            try insert.add([r.unit.databaseValue, r.period.code.databaseValue, r.period.start.description.databaseValue,
                            r.period.end.description.databaseValue] + r.answers.map { $0.databaseValue } + [stamp, sourceValue]
                           + [p.ageBand, p.sex, p.education, p.occupation, p.service].map { $0.databaseValue })
        }
        try insert.finish()
    }

    /// A unit's SKM responses of `period`: counted per day (in `zone`, from the instant each was
    /// stored) and source (`web`, `import`), oldest day first, so a flood of answers shows as one tall
    /// day (an imported file's rows all fall on the day of the import); and the IKM of them all. nil
    /// when there is no such unit.
    public func skmStats(unit: String, period: Period, in zone: TimeZone) throws -> SKMStats? {
        try writer.read { db in
            guard let name = try String.fetchOne(db, sql: "SELECT name FROM unit WHERE code = ?", arguments: [unit]) else { return nil }
            var counts: [String: [String: Int]] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT imported_at, source FROM skm_response WHERE unit_code = ? AND period = ?",
                                           arguments: [unit, period.code])
            while let row = try rows.next() {
                let day = CalendarDate(row[0] as Date, in: zone).description
                counts[day, default: [:]][row[1] as String, default: 0] += 1
            }
            let sums = try Row.fetchOne(db, sql: """
                SELECT COUNT(*), SUM(u1), SUM(u2), SUM(u3), SUM(u4), SUM(u5), SUM(u6), SUM(u7), SUM(u8), SUM(u9)
                FROM skm_response WHERE unit_code = ? AND period = ?
                """, arguments: [unit, period.code])
            let n: Int = sums?[0] ?? 0
            let ikm = n > 0 ? IKMResult.compute(unit: unit, period: period, respondents: n,
                                                 elementSums: (1...9).map { (sums?[$0] as Int?) ?? 0 }) : nil
            return SKMStats(unitName: name, days: counts.keys.sorted().map { SKMDayCount(day: $0, bySource: counts[$0]!) }, ikm: ikm)
        }
    }

    /// Applies a validated training file; a record already stored (same NIP, course ignoring case,
    /// date) is skipped and counted as `replaced`. Throws `ImportFailure`.
    public func importTraining(_ input: TrainingImport.Accumulator, dryRun: Bool, now: Date, source: String) throws -> ImportSummary {
        let records: [TrainingRecord]
        switch input.finish() {
        case .success(let r): records = r
        case .failure(let failure): throw failure
        }
        let apply = { (db: Database) throws -> ImportSummary in
            var summary = ImportSummary(kind: "training", dryRun: dryRun, records: records.count)
            if dryRun {
                let exists = try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM training WHERE nip = ? AND course_key = ? AND date = ?)")
                for r in records where try Bool.fetchOne(exists, arguments: [r.nip.description, r.course.lowercased(), r.date.description]) == true {
                    summary.replaced += 1
                }
                summary.added = records.count - summary.replaced
                return summary
            }
            var insert = BatchInsert(db, "INSERT INTO training(nip, course, course_key, date, hours, imported_at)", columns: 6,
                                     tail: "ON CONFLICT(nip, course_key, date) DO NOTHING")
            let stamp = now.databaseValue
            for r in records {
                try insert.add([r.nip.description.databaseValue, r.course.databaseValue, r.course.lowercased().databaseValue,
                                r.date.description.databaseValue, r.hours.databaseValue, stamp])
            }
            try insert.finish()
            summary.added = insert.changes
            summary.replaced = records.count - insert.changes
            try Self.logImport(db, summary: summary, source: source, now: now)
            return summary
        }
        return dryRun ? try writer.read(apply) : try writer.write(apply)
    }

    /// The training records of one employee, newest first.
    public func training(of nip: NIP) throws -> [TrainingRecord] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT course, date, hours FROM training WHERE nip = ? ORDER BY date DESC, course",
                             arguments: [nip.description]).compactMap { row in
                guard let date = CalendarDate(iso: row["date"]) else { return nil }
                return TrainingRecord(nip: nip, course: row["course"], date: date, hours: row["hours"])
            }
        }
    }
}
