import Foundation
import GRDB
import KinerjaDomain

/// An employee of a closed cycle without a predikat, and why.
public struct WithoutPredikat: Sendable, Hashable, Encodable {
    public var nip: NIP
    public var nama: String
    public var unit: String
    /// `no_atasan`, `atasan_cancelled`, `atasan_not_submitted` or `no_rating`.
    public var reasonCode: String
    public var reason: String
}

extension AppDatabase {
    /// Every subject of a closed cycle whose result has no predikat, with the reason, sorted by unit
    /// and NIP (`unit` limits to one unit); none for an open cycle.
    ///
    /// Rule implemented (docs/admin-guide.md, "Reports"): a predikat needs the atasan's review (the
    /// hasil kerja rating and the scores a perilaku rating needs), so the reason names what happened
    /// to it: nobody was assigned (no active atasan, acting or outside appraiser when the cycle
    /// opened), it was cancelled by a change during the cycle, or it was not submitted by the close;
    /// otherwise the perilaku weights gave no usable rating.
    public func withoutPredikat(_ reference: CycleReference, unit: String?) throws -> (cycle: CycleInfo, employees: [WithoutPredikat]) {
        try writer.read { db in
            guard let c = try Self.findCycle(db, reference) else { throw CycleStoreError.notFound(what: "cycle", id: reference.description) }
            // Results (and predikat) exist once the cycle is closed.
            guard c.status == .closed else { return (c, []) }
            var args: [any DatabaseValueConvertible] = [c.id]
            if let unit { args.append(unit) }
            let rows = try Row.fetchAll(db, sql: Self.withoutPredikatSQL(unit: unit != nil), arguments: StatementArguments(args))
            let employees = rows.compactMap { row -> WithoutPredikat? in
                guard let nip = NIP(row["subject_nip"] as String) else { return nil }
                let code: String, reason: String
                if let atasan: String = row["atasan"], (row["submitted_at"] as Date?) == nil {
                    code = "atasan_not_submitted"
                    reason = "the atasan review by \(atasan) \((row["atasan_name"] as String?) ?? "") was not submitted by the close"
                } else if row["atasan"] as String? != nil {
                    code = "no_rating"
                    reason = "the perilaku scores gave no usable rating"
                } else if let detail: String = row["cancelled"] {
                    code = "atasan_cancelled"
                    reason = "the atasan review was cancelled during the cycle (\((row["cancelled_by"] as String?) ?? "") \(detail))"
                } else {
                    code = "no_atasan"
                    reason = "no atasan review was assigned: no active atasan, acting (Plt/Plh) or outside appraiser when the cycle opened"
                }
                return WithoutPredikat(nip: nip, nama: row["nama"], unit: row["unit_code"], reasonCode: code, reason: reason)
            }
            return (c, employees)
        }
    }

    /// A closed cycle's results without a predikat (`?` the cycle id, then with `unit` the unit code),
    /// with what the reason needs: the atasan's assignment and name, the latest cancellation of it.
    static func withoutPredikatSQL(unit: Bool) -> String {
        """
        SELECT sp.nip AS subject_nip, COALESCE(e.nama, '') AS nama, u.code AS unit_code, rp.nip AS atasan, a.submitted_at,
               \(Self.reviewerNameSQL) AS atasan_name,
               xp.nip AS cancelled_by, x.detail AS cancelled
        FROM result r JOIN person sp ON sp.id = r.subject_id JOIN unit_key u ON u.id = r.unit_id
        LEFT JOIN employee e ON e.nip = sp.nip
        LEFT JOIN assignment a ON a.cycle_id = r.cycle_id AND a.subject_id = r.subject_id AND a.role = \(ReviewerRole.atasan.code)
        LEFT JOIN person rp ON rp.id = a.reviewer_id
        \(Self.reviewerJoinSQL(nip: "rp.nip"))
        LEFT JOIN assignment_change x ON x.id = (
            SELECT MAX(id) FROM assignment_change WHERE cycle_id = r.cycle_id AND subject_id = r.subject_id
            AND role = \(ReviewerRole.atasan.code) AND new_reviewer_id IS NULL)
        LEFT JOIN person xp ON xp.id = x.employee_id
        WHERE r.cycle_id = ? AND r.predikat IS NULL\(unit ? " AND u.code = ? COLLATE NOCASE" : "")
        ORDER BY u.code, sp.nip
        """
    }
}
