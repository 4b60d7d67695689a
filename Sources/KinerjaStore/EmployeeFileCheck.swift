import Foundation
import GRDB
import KinerjaDomain

/// The checks of a staged employee file that need the whole file (and, for a partial file, the stored
/// employees outside its scope): duplicates with both lines, unknown and out-of-scope units, supervisors
/// and acting appraisers to be found, supervisor loops, the stored units' heads; then the warnings
/// (inactive supervisors) and, with no unit stored, the units the file implies. The rules of
/// `EmployeeImport` with its messages (`EmployeeImport.Message`), run as SQL over the spool and an
/// integer array of supervisor links, so no step holds the file's rows.
///
/// The spool gets `node`: one row per employee the file's supervisors may name, in graph order (the
/// file's first row of each NIP in file order, then the stored employees outside the scope), with the
/// index `idx` the supervisor graph uses.
struct EmployeeFileCheck {
    let staged: EmployeeSpool
    /// The stored units, or none.
    let units: [KinerjaDomain.Unit]
    /// The scope's unit codes, lowercased; nil for the whole city.
    let scope: Set<String>?

    /// What a valid file gives besides its rows.
    struct Valid {
        /// Unit key (lowercased) → the unit code the file's rows get.
        var unitCodes: [String: String]
        /// The units derived from the file (no unit stored), sorted by code.
        var derivedUnits: [KinerjaDomain.Unit]?
        /// The first 50 warnings, by line.
        var warnings: [ImportProblem]
        var warningCount: Int
        /// Records in the file.
        var records: Int
    }

    private var spool: ImportSpool { staged.spool }
    private var columns: CSVColumnMap { staged.columns }
    private static let batch = 2_048

    /// Runs every check; throws `ImportFailure` with every problem (the staged ones too) when any.
    func run(_ db: Database) throws -> Valid {
        var collector = staged.problems
        if staged.recordCount == 0 {
            collector.add(line: columns.headerLine, column: nil, columnName: nil, code: .noRecords,
                          "the file has a header but no records")
            throw collector.failure
        }
        func report(_ line: Int, _ column: String, _ code: ImportProblem.Code, _ message: String) {
            collector.add(line: line, column: columns.number(column), columnName: column, code: code, message)
        }
        func problems(_ sql: String, _ arguments: [ImportSpool.Value] = [], _ body: (borrowing ImportSpool.Row) -> Void) throws {
            try spool.read(sql, arguments, batchSize: Self.batch, decode: { row in body(row) }) { _ in }
        }
        try spool.execute("CREATE INDEX IF NOT EXISTS staged_nip ON staged(nip, line)")
        try buildGraph(db)

        // The NIPs found more than once, from the index alone (a join of every row with `node` probed
        // it at random: 25 times slower at 250,000 rows than at 25,000).
        try problems("""
            SELECT line, nip, first FROM (
                SELECT nip, line, MIN(line) OVER (PARTITION BY nip) AS first FROM staged
                WHERE nip IN (SELECT nip FROM staged WHERE nip IS NOT NULL GROUP BY nip HAVING COUNT(*) > 1))
            WHERE line <> first
            """) { row in
            report(Int(row.integer(0)), "nip", .duplicateNIP,
                   EmployeeImport.Message.duplicate(NIP(row.text(1))!, firstLine: Int(row.integer(2)), line: Int(row.integer(0))))
        }
        var known: [String: String]?
        if !units.isEmpty {
            var map: [String: String] = [:]
            for u in units { map[u.code.lowercased()] = map[u.code.lowercased()] ?? u.code }
            known = map
            let codes = Array(Set(map.values)).sorted()
            try problems("SELECT line, unit FROM staged WHERE unit <> '' AND unit_key NOT IN (SELECT value FROM json_each(?))",
                         [.text(Self.json(Array(map.keys)))]) { row in
                report(Int(row.integer(0)), "unit_kerja", .unknownUnit, EmployeeImport.Message.unknownUnit(row.text(1), known: codes))
            }
        }
        if let scope {
            try problems("SELECT line, unit FROM staged WHERE unit <> '' AND unit_key NOT IN (SELECT value FROM json_each(?))",
                         [.text(Self.json(Array(scope)))]) { row in
                report(Int(row.integer(0)), "unit_kerja", .outsideScope, EmployeeImport.Message.outsideScope(row.text(1), scope: scope))
            }
        }
        let scoped = scope != nil
        try problems("""
            SELECT line, acting_nip FROM staged s WHERE acting_nip IS NOT NULL AND NOT EXISTS (SELECT 1 FROM node n WHERE n.nip = s.acting_nip)
            """) { row in
            report(Int(row.integer(0)), "nip_plt", .unknownSupervisor, EmployeeImport.Message.unknownActing(NIP(row.text(1))!, scoped: scoped))
        }
        try problems("""
            SELECT line, supervisor FROM staged s WHERE supervisor IS NOT NULL AND NOT EXISTS (SELECT 1 FROM node n WHERE n.nip = s.supervisor)
            """) { row in
            report(Int(row.integer(0)), "nip_atasan", .unknownSupervisor,
                   EmployeeImport.Message.unknownSupervisor(NIP(row.text(1))!, scoped: scoped))
        }
        for (line, members) in try loops() {
            report(line, "nip_atasan", .supervisorLoop, EmployeeImport.Message.loop(members))
        }
        guard collector.isEmpty else { throw collector.failure }

        var valid = Valid(unitCodes: known ?? [:], derivedUnits: nil, warnings: [], warningCount: 0, records: staged.recordCount)
        if known == nil {
            let derived = try deriveUnits()
            valid.derivedUnits = derived
            for u in derived { valid.unitCodes[u.code.lowercased()] = u.code }
        }
        let headProblems = try unitHeadProblems(db)
        if !headProblems.isEmpty { throw ImportFailure(problems: headProblems, totalCount: headProblems.count) }
        try spool.read("""
            SELECT n.line, p.nip, p.line FROM node n JOIN node p ON p.nip = n.supervisor
            WHERE n.line IS NOT NULL AND n.aktif AND NOT p.aktif ORDER BY n.line
            """, batchSize: Self.batch, decode: { row in
            (Int(row.integer(0)), NIP(row.text(1))!, row.optionalInteger(2).map { Int($0) })
        }) { batch in
            for (line, supervisor, supervisorLine) in batch {
                valid.warningCount += 1
                guard valid.warnings.count < 50 else { continue }
                valid.warnings.append(ImportProblem(
                    line: line, column: columns.number("nip_atasan"), columnName: "nip_atasan", code: .inactiveSupervisor,
                    message: EmployeeImport.Message.inactiveSupervisor(supervisor, line: supervisorLine)))
            }
        }
        return valid
    }

    /// Fills `node`: the file's first row of each valid NIP in file order, then (partial file) the stored
    /// employees outside the scope who are not in the file.
    private func buildGraph(_ db: Database) throws {
        try spool.execute("DROP TABLE IF EXISTS node")
        try spool.execute("DROP TABLE IF EXISTS outside")
        try spool.execute("""
            CREATE TABLE node(idx INTEGER PRIMARY KEY, nip TEXT NOT NULL, supervisor TEXT, line INTEGER,
                              aktif INTEGER, unit_key TEXT NOT NULL, unit TEXT NOT NULL)
            """)
        // The first row of each NIP (the smallest rowid: rows are appended in file order), found from the
        // index and read in file order; the unique index is built after, by a sort (inserting into it
        // row by row wrote a B-tree larger than the cache at random).
        try spool.execute("""
            INSERT INTO node(nip, supervisor, line, aktif, unit_key, unit)
            SELECT nip, supervisor, line, aktif, unit_key, unit FROM staged
            WHERE rowid IN (SELECT MIN(rowid) FROM staged WHERE nip IS NOT NULL GROUP BY nip) ORDER BY rowid
            """)
        try spool.execute("CREATE UNIQUE INDEX node_nip ON node(nip)")
        guard let scope else { return }
        try spool.execute("CREATE TABLE outside(nip TEXT NOT NULL, supervisor TEXT, aktif INTEGER, unit_key TEXT NOT NULL, unit TEXT NOT NULL)")
        let cursor = try Row.fetchCursor(db, sql: "SELECT nip, supervisor_nip, aktif, unit_code FROM employee ORDER BY nip")
        var more = true
        while more {
            try spool.append(to: "outside", columns: ["nip", "supervisor", "aktif", "unit_key", "unit"]) { out in
                var n = 0
                while n < Self.batch {
                    guard let row = try cursor.next() else { more = false; return }
                    let unit: String = row[3]
                    guard !scope.contains(unit.lowercased()) else { continue }
                    out.add(row[0] as String)
                    out.add(row[1] as String?)
                    out.add((row[2] as Bool) ? 1 : 0)
                    out.add(unit.lowercased())
                    out.add(unit)
                    try out.endRow()
                    n += 1
                }
            }
        }
        // One in the file stays its file row.
        try spool.execute("""
            INSERT OR IGNORE INTO node(nip, supervisor, line, aktif, unit_key, unit)
            SELECT nip, supervisor, NULL, aktif, unit_key, unit FROM outside ORDER BY rowid
            """)
        try spool.execute("DROP TABLE outside")
    }

    /// Every supervisor loop through a row of the file: the line it is reported at (its first member
    /// in the file) and its members in supervisor direction, starting there.
    private func loops() throws -> [(Int, [(nip: NIP, line: Int?)])] {
        let count = Int(try spool.integer("SELECT COUNT(*) FROM node") ?? 0)
        guard count > 0 else { return [] }
        var parent = [Int](repeating: -1, count: count)
        try spool.read("SELECT n.idx, p.idx FROM node n JOIN node p ON p.nip = n.supervisor", batchSize: Self.batch,
                       decode: { row in (Int(row.integer(0)) - 1, Int(row.integer(1)) - 1) }) { batch in
            for (child, supervisor) in batch { parent[child] = supervisor }
        }
        var result: [(Int, [(nip: NIP, line: Int?)])] = []
        for cycle in SupervisorGraph.cycles(parent: parent) {
            var members: [(nip: NIP, line: Int?)] = []
            for v in cycle {
                try spool.read("SELECT nip, line FROM node WHERE idx = ?", [.integer(Int64(v + 1))], batchSize: 1,
                               decode: { row in (NIP(row.text(0))!, row.optionalInteger(1).map { Int($0) }) }) { members += $0 }
            }
            // Start at a row of the file, so the problem has a line.
            guard let at = members.firstIndex(where: { $0.line != nil }) else { continue }
            members = Array(members[at...] + members[..<at])
            result.append((members[0].line!, members))
        }
        return result
    }

    /// One unit per distinct `unit_kerja` (first spelling), its head set when exactly one active member
    /// has no supervisor inside the unit.
    private func deriveUnits() throws -> [KinerjaDomain.Unit] {
        var units: [String: KinerjaDomain.Unit] = [:]
        // One pass grouped by unit (SQLite takes the bare column `unit` from the row of MIN(line)); a
        // correlated MIN per row had no index on unit_key and grew with the square of the file.
        try spool.read("SELECT unit_key, unit, MIN(line) FROM staged GROUP BY unit_key",
                       batchSize: Self.batch, decode: { row in (row.text(0), row.text(1)) }) { batch in
            for (key, code) in batch { units[key] = KinerjaDomain.Unit(code: code) }
        }
        try spool.read("""
            SELECT n.unit_key, MIN(n.nip) FROM node n LEFT JOIN node p ON p.nip = n.supervisor
            WHERE n.line IS NOT NULL AND n.aktif AND (p.idx IS NULL OR p.unit_key <> n.unit_key)
            GROUP BY n.unit_key HAVING COUNT(*) = 1
            """, batchSize: Self.batch, decode: { row in (row.text(0), NIP(row.text(1))) }) { batch in
            for (key, head) in batch { units[key]?.head = head }
        }
        return units.values.sorted { $0.code < $1.code }
    }

    /// The stored units' heads against where the file (and, for a partial file, the stored employees
    /// outside its scope, who take precedence as before) puts them.
    private func unitHeadProblems(_ db: Database) throws -> [ImportProblem] {
        let heads = units.compactMap(\.head)
        guard !heads.isEmpty else { return [] }
        let list = Self.json(heads.map(\.description))
        var membership: [NIP: UnitHeadCheck.Membership] = [:]
        var lines: [NIP: Int] = [:]
        try spool.read("SELECT nip, unit_key, aktif, line FROM node WHERE nip IN (SELECT value FROM json_each(?)) AND line IS NOT NULL",
                       [.text(list)], batchSize: Self.batch, decode: { row in
            (NIP(row.text(0))!, row.text(1), row.integer(2) != 0, Int(row.integer(3)))
        }) { batch in
            for (nip, key, active, line) in batch {
                membership[nip] = UnitHeadCheck.Membership(unit: key, active: active)
                lines[nip] = line
            }
        }
        if let scope {
            for row in try Row.fetchAll(db, sql: "SELECT nip, unit_code, aktif FROM employee WHERE nip IN (SELECT value FROM json_each(?))",
                                        arguments: [list]) {
                let unit: String = row[1]
                guard let nip = NIP(row[0] as String), !scope.contains(unit.lowercased()) else { continue }
                membership[nip] = UnitHeadCheck.Membership(unit: unit, active: row[2])
            }
        }
        // The file's unit keys name the unit by its stored code in the message.
        var codes: [String: String] = [:]
        for u in units { codes[u.code.lowercased()] = codes[u.code.lowercased()] ?? u.code }
        for (nip, m) in membership { membership[nip]?.unit = codes[m.unit.lowercased()] ?? m.unit }
        return UnitHeadCheck.employeeFileProblems(units: units, membership: membership, lines: lines, columns: columns)
    }

    static func json(_ values: [String]) -> String {
        String(decoding: try! JSONEncoder().encode(values), as: UTF8.self)
    }
}
