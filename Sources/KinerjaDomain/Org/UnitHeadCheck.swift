/// A unit's head (`head_nip`) must be an active employee of that unit: escalation copies and the
/// unit's reports go to the head, so a head from another unit would receive that unit's overdue
/// lists. Checked from both sides, since either file may change the pairing:
/// - a unit file against the stored employees (skipped while none is stored: units usually come
///   first);
/// - an employee file against the stored units' heads (the file replaces every employee).
public enum UnitHeadCheck {
    /// Where an employee stands after an import.
    public struct Membership: Sendable, Hashable {
        public var unit: String
        public var active: Bool
        public init(unit: String, active: Bool) {
            self.unit = unit
            self.active = active
        }
    }

    /// Problems of a unit file: each unit whose head is not an active employee of it, at the unit's
    /// line and its `head_nip` column.
    public static func unitFileProblems(
        units: [Unit], employees: [NIP: Membership], line: (String) -> Int?, headColumn: Int?
    ) -> [ImportProblem] {
        guard !employees.isEmpty else { return [] }
        return units.compactMap { unit in
            guard let head = unit.head, let reason = reason(head: head, of: unit.code, membership: employees[head]) else { return nil }
            return ImportProblem(line: line(unit.code) ?? 1, column: headColumn, columnName: "head_nip", code: .badUnitHead,
                                 message: "head_nip \(head) of unit \(unit.code) \(reason)")
        }
    }

    /// Problems of an employee file against the stored units: a head missing from the file (at the
    /// header line), or a head the file puts in another unit or makes inactive (at the head's line).
    public static func employeeFileProblems(
        units: [Unit], employees: [Employee], lines: [NIP: Int], columns: CSVColumnMap
    ) -> [ImportProblem] {
        var membership: [NIP: Membership] = [:]
        for e in employees { membership[e.nip] = Membership(unit: e.unit, active: e.aktif) }
        return employeeFileProblems(units: units, membership: membership, lines: lines, columns: columns)
    }

    /// `employeeFileProblems(units:employees:lines:columns:)` with where each head stands after the
    /// import (`membership`, at least every head's) and the file line of each head in the file.
    public static func employeeFileProblems(
        units: [Unit], membership: [NIP: Membership], lines: [NIP: Int], columns: CSVColumnMap
    ) -> [ImportProblem] {
        units.compactMap { unit in
            guard let head = unit.head, let reason = reason(head: head, of: unit.code, membership: membership[head]) else { return nil }
            let line = lines[head]
            let column = membership[head].map { $0.active ? "unit_kerja" : "aktif" }
            return ImportProblem(
                line: line ?? columns.headerLine, column: line == nil ? nil : column.flatMap(columns.number),
                columnName: line == nil ? nil : column, code: .badUnitHead,
                message: "\(head) is the head (head_nip) of unit \(unit.code) and \(reason); "
                    + "import a unit file with the new head first")
        }
    }

    static func reason(head: NIP, of unit: String, membership: Membership?) -> String? {
        guard let membership else { return "is not an employee" }
        if !membership.active { return "is not an active employee" }
        if membership.unit.lowercased() != unit.lowercased() { return "works in unit \(membership.unit), not in \(unit)" }
        return nil
    }
}
