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

    static func fetchEmployees(_ db: Database) throws -> [Employee] {
        try Row.fetchAll(db, sql: "SELECT * FROM employee").map(employee)
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
    public func importEmployees(_ input: EmployeeImport.Accumulator, dryRun: Bool, now: Date, source: String,
                                options: EmployeeImportOptions = EmployeeImportOptions(),
                                progress: ProgressSink = { _ in }) throws -> ImportSummary {
        let apply = { (db: Database) throws -> ImportSummary in
            let stored = try Self.fetchUnits(db)
            let current = try Self.fetchEmployees(db)
            var scope: ImportScope?
            if let units = options.scope {
                let known = Dictionary(stored.map { ($0.code.lowercased(), $0.code) }, uniquingKeysWith: { a, _ in a })
                let unknown = units.filter { known[$0.lowercased()] == nil }
                guard unknown.isEmpty else {
                    throw CycleStoreError.refused("--scope names unknown units: " + unknown.sorted().joined(separator: ", ")
                        + (stored.isEmpty ? " (no unit is stored yet: import the whole city first)" : ""))
                }
                let lowered = Set(units.map { $0.lowercased() })
                scope = ImportScope(units: lowered, outside: current.filter { !lowered.contains($0.unit.lowercased()) })
            }
            progress(StoreProgress(phase: "validating", done: 0, total: input.recordCount))
            let validated: ValidatedEmployees
            switch input.finish(knownUnits: stored.isEmpty ? nil : stored, scope: scope) {
            case .success(let v): validated = v
            case .failure(let failure): throw failure
            }
            // A partial file's units are checked against it and the stored employees of other units.
            let headProblems = UnitHeadCheck.employeeFileProblems(
                units: stored, employees: validated.employees + (scope?.outside ?? []), lines: validated.lines,
                columns: input.columns)
            if !headProblems.isEmpty { throw ImportFailure(problems: headProblems, totalCount: headProblems.count) }
            let plan = EmployeeMergePlan(current: current, incoming: validated.employees, scope: scope?.units)
            let inReach = current.filter { $0.aktif && scope?.units.contains($0.unit.lowercased()) != false }.count
            var summary = ImportSummary(kind: "employees", dryRun: dryRun, records: validated.employees.count)
            if let refusal = plan.deactivationRefusal(activeInReach: inReach, maxShare: options.maxDeactivateShare,
                                                      allowed: options.allowDeactivate) {
                // A dry run shows what a real import would refuse.
                guard dryRun else { throw CycleStoreError.refused(refusal) }
                summary.warnings.append("a real import would be refused: " + refusal)
            }
            summary.added = plan.added.count
            summary.changed = plan.changed.count
            summary.deactivated = plan.deactivated.count
            summary.deactivatedByUnit = Dictionary(uniqueKeysWithValues: plan.deactivatedByUnit.map { ($0.unit, $0.count) })
            summary.scope = scope.map { _ in options.scope!.sorted() }
            summary.unchanged = plan.unchangedCount
            summary.warnings += validated.warnings.prefix(50).map(\.description)
            if validated.warnings.count > 50 { summary.warnings.append("… and \(validated.warnings.count - 50) more warnings") }
            for e in plan.added.prefix(10) { summary.details.append("new \(e.nip) \(e.nama) (\(e.unit))") }
            for c in plan.changed.prefix(10) {
                summary.details.append("changed \(c.after.nip) \(c.after.nama): " + c.fields.map(\.rawValue).joined(separator: ", "))
            }
            for d in plan.deactivated.prefix(10) {
                summary.details.append("deactivated \(d.employee.nip) \(d.employee.nama) (\(d.employee.unit), \(d.reason.rawValue))")
            }
            if !plan.deactivated.isEmpty {
                summary.details.append("deactivated by unit: " + plan.deactivatedByUnit.map { "\($0.unit) \($0.count)" }.joined(separator: ", "))
            }
            if validated.unitsDerived {
                let known = Set(stored.map { $0.code.lowercased() })
                let new = validated.units.filter { !known.contains($0.code.lowercased()) }
                summary.unitsAdded = new.count
                if !dryRun {
                    var units = BatchInsert(db, "INSERT INTO unit(code, name, head_nip)", columns: 3)
                    for u in new {
                        try units.add([u.code.databaseValue, u.name.databaseValue, u.head.map { $0.description.databaseValue } ?? .null])
                    }
                    try units.finish()
                }
            }
            let rows = plan.added + plan.changed.map(\.after) + plan.deactivated.map(\.employee)
            // What the changes do to the open cycles' assignments (the same rules in a dry run).
            summary.cycleChanges = try Self.adjustOpenCycles(db, current: current, changed: rows, now: now, apply: !dryRun)
            guard !dryRun else { return summary }
            var upsert = BatchInsert(
                db, """
                    INSERT INTO employee(nip, nama, jabatan, unit_code, supervisor_nip, email, telepon, status, aktif, updated_at,
                                         jenis_jabatan, kelas_jabatan, eselon, sub_unit, acting_nip, acting_kind, inactive_reason)
                    """,
                columns: 17,
                tail: """
                    ON CONFLICT(nip) DO UPDATE SET nama = excluded.nama, jabatan = excluded.jabatan,
                    unit_code = excluded.unit_code, supervisor_nip = excluded.supervisor_nip, email = excluded.email,
                    telepon = excluded.telepon, status = excluded.status, aktif = excluded.aktif,
                    updated_at = excluded.updated_at, jenis_jabatan = excluded.jenis_jabatan,
                    kelas_jabatan = excluded.kelas_jabatan, eselon = excluded.eselon, sub_unit = excluded.sub_unit,
                    acting_nip = excluded.acting_nip, acting_kind = excluded.acting_kind,
                    inactive_reason = excluded.inactive_reason
                    """)
            let stamp = now.databaseValue
            func text(_ s: String?) -> DatabaseValue { s?.databaseValue ?? .null }
            for (i, e) in rows.enumerated() {
                try upsert.add([e.nip.description.databaseValue, e.nama.databaseValue, e.jabatan.databaseValue,
                                e.unit.databaseValue, e.supervisor.map { $0.description.databaseValue } ?? .null,
                                e.email?.databaseValue ?? .null, e.telepon?.databaseValue ?? .null,
                                e.status.rawValue.databaseValue, e.aktif.databaseValue, stamp,
                                text(e.rank.jenisJabatan?.rawValue), e.rank.kelasJabatan?.databaseValue ?? .null,
                                text(e.rank.eselon?.rawValue), text(e.rank.subUnit), text(e.acting?.nip.description),
                                text(e.acting?.kind.rawValue), text(e.inactiveReason?.rawValue)])
                if i % 5000 == 4999 { progress(StoreProgress(phase: "writing", done: i + 1, total: rows.count)) }
            }
            try upsert.finish()
            progress(StoreProgress(phase: "writing", done: rows.count, total: rows.count))
            try Self.logImport(db, summary: summary, source: source, now: now)
            return summary
        }
        return dryRun ? try writer.read(apply) : try writer.write(apply)
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
