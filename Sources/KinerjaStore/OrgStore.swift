import Foundation
import GRDB
import KinerjaDomain
import KinerjaPausePoints

/// Units and employees (`kinerjactl import employees`, `import units`): reads, and imports applied as a merge
/// in one transaction after the whole file was validated.
extension AppDatabase {
    /// Every unit, sorted by code.
    public func units() throws -> [KinerjaDomain.Unit] {
        try writer.read { db in try Self.fetchUnits(db) }
    }

    static func fetchUnits(_ db: Database) throws -> [KinerjaDomain.Unit] {
        try Row.fetchAll(db, sql: "SELECT code, name, head_nip FROM unit ORDER BY code").map { row in
            KinerjaDomain.Unit(code: row["code"], name: row["name"], head: (row["head_nip"] as String?).flatMap(NIP.init))
        }
    }

    /// The NIPs of every stored employee (active or not).
    public func employeeNIPs() throws -> Set<NIP> {
        try writer.read { db in
            var result = Set<NIP>()
            let cursor = try String.fetchCursor(db, sql: "SELECT nip FROM employee")
            while let text = try cursor.next() { if let nip = NIP(text) { result.insert(nip) } }
            return result
        }
    }

    /// One employee, or nil.
    public func employee(_ nip: NIP) throws -> Employee? {
        try writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM employee WHERE nip = ?", arguments: [nip.description]).map(Self.employee)
        }
    }

    static func employee(_ row: Row) -> Employee {
        let rank = EmployeeRank(jenisJabatan: (row["jenis_jabatan"] as String?).flatMap(JenisJabatan.init(rawValue:)),
                                kelasJabatan: row["kelas_jabatan"], eselon: (row["eselon"] as String?).flatMap(Eselon.init(rawValue:)),
                                subUnit: row["sub_unit"])
        let acting = (row["acting_nip"] as String?).flatMap(NIP.init).map {
            ActingAppraiser(nip: $0, kind: (row["acting_kind"] as String?).flatMap(ActingKind.init(rawValue:)) ?? .plt)
        }
        return Employee(nip: NIP(row["nip"] as String)!, nama: row["nama"], jabatan: row["jabatan"], unit: row["unit_code"],
                        supervisor: (row["supervisor_nip"] as String?).flatMap(NIP.init), email: row["email"],
                        telepon: row["telepon"], status: EmploymentStatus(rawValue: row["status"]) ?? .pns, aktif: row["aktif"],
                        rank: rank, acting: acting,
                        inactiveReason: (row["inactive_reason"] as String?).flatMap(InactiveReason.init(rawValue:)))
    }

    /// Validates a staged unit file and applies it: new units added, names and heads updated. Units
    /// absent from the file are kept (employees refer to them). Throws `ImportFailure` when invalid.
    public func importUnits(_ input: UnitImport.Accumulator, dryRun: Bool, now: Date, source: String) throws -> ImportSummary {
        let units: [KinerjaDomain.Unit]
        switch input.finish() {
        case .success(let u): units = u
        case .failure(let failure): throw failure
        }
        let apply = { (db: Database) throws -> ImportSummary in
            var members: [NIP: UnitHeadCheck.Membership] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT nip, unit_code, aktif FROM employee") {
                guard let nip = NIP(row[0] as String) else { continue }
                members[nip] = UnitHeadCheck.Membership(unit: row[1], active: row[2])
            }
            let headProblems = UnitHeadCheck.unitFileProblems(
                units: units, employees: members, line: { input.line(ofUnit: $0) }, headColumn: input.columns.number("head_nip"))
            if !headProblems.isEmpty { throw ImportFailure(problems: headProblems, totalCount: headProblems.count) }
            var summary = ImportSummary(kind: "units", dryRun: dryRun, records: units.count)
            var existing: [String: KinerjaDomain.Unit] = [:]
            for u in try Self.fetchUnits(db) { existing[u.code.lowercased()] = u }
            var upsert = BatchInsert(db, "INSERT INTO unit(code, name, head_nip)", columns: 3,
                                     tail: "ON CONFLICT(code) DO UPDATE SET name = excluded.name, head_nip = excluded.head_nip")
            for var unit in units {
                if let old = existing[unit.code.lowercased()] {
                    unit.code = old.code
                    if old == unit { summary.unchanged += 1; continue }
                    summary.changed += 1
                    if summary.details.count < 20 { summary.details.append("changed unit \(unit.code)") }
                } else {
                    summary.added += 1
                    if summary.details.count < 20 { summary.details.append("new unit \(unit.code)") }
                }
                if !dryRun {
                    try upsert.add([unit.code.databaseValue, unit.name.databaseValue,
                                    unit.head.map { $0.description.databaseValue } ?? .null])
                }
            }
            if !dryRun {
                try upsert.finish()
                try Self.logImport(db, summary: summary, source: source, now: now)
            }
            return summary
        }
        return dryRun ? try writer.read(apply) : try writer.write(apply)
    }

    /// Validates a staged employee file against the stored units and applies it as a merge (new,
    /// changed, deactivated) in one transaction. With no unit stored yet, units are derived from the
    /// file; otherwise every `unit_kerja` must name a stored unit. Throws `ImportFailure` when invalid.
    /// The checks that need the whole file run over the spool (`EmployeeFileCheck`), the merge streams
    /// both sides in NIP order (`EmployeeMerge`), so the daemon never holds every employee at once.
    public func importEmployees(_ staged: EmployeeSpool, dryRun: Bool, now: Date, source: String,
                                options: EmployeeImportOptions = EmployeeImportOptions(),
                                progress: ProgressSink = { _ in }) throws -> ImportSummary {
        let apply = { (db: Database) throws -> ImportSummary in
            let stored = try Self.fetchUnits(db)
            var scope: Set<String>?
            if let units = options.scope {
                let known = Dictionary(stored.map { ($0.code.lowercased(), $0.code) }, uniquingKeysWith: { a, _ in a })
                let unknown = units.filter { known[$0.lowercased()] == nil }
                guard unknown.isEmpty else {
                    throw CycleStoreError.refused("--scope names unknown units: " + unknown.sorted().joined(separator: ", ")
                        + (stored.isEmpty ? " (no unit is stored yet: import the whole city first)" : ""))
                }
                scope = Set(units.map { $0.lowercased() })
            }
            progress(StoreProgress(phase: "validating", done: 0, total: staged.recordCount))
            let valid = try EmployeeFileCheck(staged: staged, units: stored, scope: scope).run(db)
            // The active employees the file covers (all, or those of its scope), before the merge.
            var inReach = 0
            for row in try Row.fetchAll(db, sql: "SELECT unit_code, COUNT(*) FROM employee WHERE aktif GROUP BY unit_code") {
                if scope?.contains((row[0] as String).lowercased()) != false { inReach += row[1] as Int }
            }
            var summary = ImportSummary(kind: "employees", dryRun: dryRun, records: valid.records)
            if let derived = valid.derivedUnits {
                let known = Set(stored.map { $0.code.lowercased() })
                let new = derived.filter { !known.contains($0.code.lowercased()) }
                summary.unitsAdded = new.count
                if !dryRun {
                    var units = BatchInsert(db, "INSERT INTO unit(code, name, head_nip)", columns: 3)
                    for u in new {
                        try units.add([u.code.databaseValue, u.name.databaseValue, u.head.map { $0.description.databaseValue } ?? .null])
                    }
                    try units.finish()
                }
            }
            let cycleOpen = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM cycle WHERE status = 'open')") ?? false
            let total = valid.records
            let merge = try EmployeeMerge(staged: staged, unitCodes: valid.unitCodes, scope: scope, collectEvents: cycleOpen,
                                        eventsPage: options.adjustmentPage)
                .run(db, dryRun: dryRun, now: now) { done in
                    progress(StoreProgress(phase: dryRun ? "comparing" : "writing", done: done, total: total))
                }
            if let refusal = EmployeeMergeRules.deactivationRefusal(
                deactivated: merge.deactivated, byUnit: merge.byUnit, activeInReach: inReach,
                maxShare: options.maxDeactivateShare, allowed: options.allowDeactivate) {
                // A dry run shows what a real import would refuse; a real one is rolled back.
                guard dryRun else { throw CycleStoreError.refused(refusal) }
                summary.warnings.append("a real import would be refused: " + refusal)
            }
            summary.added = merge.added
            summary.changed = merge.changed
            summary.deactivated = merge.deactivated
            summary.deactivatedByUnit = merge.deactivatedByUnit
            summary.scope = scope.map { _ in options.scope!.sorted() }
            summary.unchanged = merge.unchanged
            summary.warnings += valid.warnings.map(\.description)
            if valid.warningCount > 50 { summary.warnings.append("… and \(valid.warningCount - 50) more warnings") }
            summary.details = merge.details
            // What the changes do to the open cycles' assignments (the same rules in a dry run): every
            // change written and counted, the first employees' lines in the summary.
            let adjusted = try Self.adjustOpenCycles(
                db, events: merge.events, after: { try Self.employeesAfterImport($0, db: db, staged: staged, unitCodes: valid.unitCodes, scope: scope) },
                now: now, apply: !dryRun, listing: Self.cycleChangesListed)
            summary.cycleChanges = adjusted.listed
            if adjusted.total > adjusted.listed.count { summary.cycleChangesTotal = adjusted.total }
            guard !dryRun else { return summary }
            try Self.logImport(db, summary: summary, source: source, now: now)
            return summary
        }
        return dryRun ? try writer.read(apply) : try writer.write(apply)
    }

    /// How many employees' cycle changes an import summary lists (the journal gets one entry each); the
    /// cycle report lists them all.
    static let cycleChangesListed = 200

    /// `nips` as they stand after the import of `staged`: the file's row, else the stored employee,
    /// deactivated when the file covers their unit and omits them. The same whether or not the merge
    /// was written yet.
    static func employeesAfterImport(_ nips: Set<NIP>, db: Database, staged: EmployeeSpool, unitCodes: [String: String],
                                     scope: Set<String>?) throws -> [NIP: Employee] {
        guard !nips.isEmpty else { return [:] }
        let list = EmployeeFileCheck.json(nips.map(\.description))
        var result: [NIP: Employee] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM employee WHERE nip IN (SELECT value FROM json_each(?))", arguments: [list]) {
            var e = employee(row)
            if EmployeeMergeRules.deactivatesAbsent(e, scope: scope) { e.aktif = false }
            result[e.nip] = e
        }
        try staged.spool.read("SELECT \(EmployeeSpool.employeeSQL) FROM staged WHERE nip IN (SELECT value FROM json_each(?))",
                              [.text(list)], batchSize: 512, decode: { EmployeeSpool.employee($0, units: unitCodes) }) { batch in
            for e in batch { result[e.nip] = e }
        }
        return result
    }

    static func logImport(_ db: Database, summary: ImportSummary, source: String, now: Date) throws {
        #if DEBUG
        PausePoint.reach("import.\(summary.kind).before-commit")
        #endif
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(summary), as: UTF8.self)
        try db.execute(sql: "INSERT INTO import_log(kind, records, summary, source, applied_at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [summary.kind, summary.records, text, source, now])
    }
}
