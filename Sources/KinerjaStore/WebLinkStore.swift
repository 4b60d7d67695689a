import Foundation
import GRDB
import KinerjaDomain

/// A personal review link's grant: whose assignments of which cycle its token opens.
public struct ReviewLinkGrant: Sendable, Hashable {
    public var cycle: CycleInfo
    public var reviewer: NIP
    public var reviewerName: String?
    public var expiresAt: Date?
}

/// A public survey link's grant: the unit and the period its responses count in.
public struct SurveyLinkGrant: Sendable, Hashable {
    public var unit: String
    public var unitName: String
    public var period: Period
}

/// The web front's links. Only the SHA-256 of a token is stored; the token itself exists only in the
/// URL handed to its holder. Creating a link revokes the holder's earlier ones, so there is at most one
/// working link per reviewer per cycle and per unit per period.
extension AppDatabase {
    /// A reviewer's assignments in a cycle (by NIP), counted through `assignment_reviewer`.
    static let reviewerAssignmentsSQL = """
        SELECT COUNT(*) FROM person p JOIN assignment_reviewer x ON x.cycle_id = ? AND x.reviewer_id = p.id WHERE p.nip = ?
        """

    /// A reviewer's working links of a cycle, by NIP, revoked (`review_link_reviewer`).
    static let revokeReviewLinksSQL = """
        UPDATE review_link SET revoked_at = ?
        WHERE cycle_id = ? AND reviewer_id = (SELECT id FROM person WHERE nip = ?) AND revoked_at IS NULL
        """

    /// A review link added for the reviewer's NIP: the reviewer has assignments in the cycle (checked
    /// first), so `person` holds them.
    static let insertReviewLinkSQL = """
        INSERT INTO review_link(cycle_id, reviewer_id, token_sha256, created_at, created_by, expires_at)
        VALUES (?, (SELECT id FROM person WHERE nip = ?), ?, ?, ?, ?)
        """

    /// Stores a new review link for `reviewer` in `cycle` (default: the only open one), revoking the
    /// reviewer's earlier links of that cycle. Refused when the cycle is closed or the reviewer has no
    /// assignment in it.
    public func createReviewLink(reviewer: NIP, cycle: CycleReference?, tokenHash: Data, expiresAt: Date?, now: Date,
                                 by: String) throws -> ReviewLinkGrant {
        try writer.write { db in
            let c = try Self.linkCycle(db, cycle)
            guard c.status == .open else { throw CycleStoreError.refused("cycle \(c.period.code) is closed; its reviews can no longer change") }
            let count = try Int.fetchOne(db, sql: Self.reviewerAssignmentsSQL, arguments: [c.id, reviewer.description]) ?? 0
            guard count > 0 else {
                throw CycleStoreError.notFound(what: "reviewer in cycle \(c.period.code)", id: reviewer.description)
            }
            try db.execute(sql: Self.revokeReviewLinksSQL, arguments: [now, c.id, reviewer.description])
            try db.execute(sql: Self.insertReviewLinkSQL, arguments: [c.id, reviewer.description, tokenHash, now, by, expiresAt])
            let name = try String.fetchOne(db, sql: "SELECT nama FROM employee WHERE nip = ?", arguments: [reviewer.description])
            return ReviewLinkGrant(cycle: c, reviewer: reviewer, reviewerName: name, expiresAt: expiresAt)
        }
    }

    /// Stores the review links a reminder carries, one per cycle (`tokens`: cycle id → token hash),
    /// without revoking earlier ones: every reminder sent keeps a working link, and a message sent
    /// again after an unknown outcome carries a new one while the first copy's still opens. Cycles that
    /// are closed, or in which the reviewer has no assignment any more, get no link. Returns the period
    /// codes of the cycles whose link was stored; all in one transaction, committed before the message
    /// is handed to the mail system.
    public func addReminderLinks(reviewer: NIP, tokens: [Int64: Data], expiresAt: Date?, now: Date, by: String) throws -> [Int64: String] {
        try writer.write { db in
            var stored: [Int64: String] = [:]
            for (cycleID, hash) in tokens.sorted(by: { $0.key < $1.key }) {
                guard let c = try Self.findCycleRow(db, .id(cycleID)), c.status == .open,
                      try Int.fetchOne(db, sql: Self.reviewerAssignmentsSQL, arguments: [cycleID, reviewer.description]) ?? 0 > 0
            else { continue }
                try db.execute(sql: Self.insertReviewLinkSQL, arguments: [cycleID, reviewer.description, hash, now, by, expiresAt])
                stored[cycleID] = c.period.code
            }
            return stored
        }
    }

    /// Revokes the reviewer's working links of `cycle` (default: the only open one); returns the cycle
    /// and how many were revoked.
    public func revokeReviewLinks(reviewer: NIP, cycle: CycleReference?, now: Date) throws -> (CycleInfo, Int) {
        try writer.write { db in
            let c = try Self.linkCycle(db, cycle)
            try db.execute(sql: Self.revokeReviewLinksSQL, arguments: [now, c.id, reviewer.description])
            return (c, db.changesCount)
        }
    }

    /// The grant of a review token's hash, or nil when no link has it, or it was revoked, or it expired
    /// at `now`. A link of a closed cycle still opens (the page is then read-only).
    public func reviewLink(tokenHash: Data, now: Date) throws -> ReviewLinkGrant? {
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT l.cycle_id, p.nip, l.expires_at, e.nama FROM review_link l
                JOIN person p ON p.id = l.reviewer_id LEFT JOIN employee e ON e.nip = p.nip
                WHERE l.token_sha256 = ? AND l.revoked_at IS NULL
                """, arguments: [tokenHash], cached: true) else { return nil }
            let expires: Date? = row[2]
            if let expires, expires <= now { return nil }
            guard let nip = NIP(row[1] as String), let c = try Self.findCycleRow(db, .id(row[0])) else { return nil }
            return ReviewLinkGrant(cycle: c, reviewer: nip, reviewerName: row[3], expiresAt: expires)
        }
    }

    /// Stores a new survey link for `unit` and `period`, revoking the earlier ones of that unit and period.
    public func createSurveyLink(unit: String, period: Period, tokenHash: Data, now: Date, by: String) throws -> SurveyLinkGrant {
        try writer.write { db in
            guard let name = try String.fetchOne(db, sql: "SELECT name FROM unit WHERE code = ?", arguments: [unit]) else {
                throw CycleStoreError.notFound(what: "unit", id: unit)
            }
            try db.execute(sql: "UPDATE survey_link SET revoked_at = ? WHERE unit_code = ? AND period = ? AND revoked_at IS NULL",
                           arguments: [now, unit, period.code])
            try db.execute(sql: """
                INSERT INTO survey_link(unit_code, period, period_start, period_end, token_sha256, created_at, created_by)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [unit, period.code, period.start.description, period.end.description, tokenHash, now, by])
            return SurveyLinkGrant(unit: unit, unitName: name, period: period)
        }
    }

    /// Revokes the working survey links of `unit` and `period`; returns how many.
    public func revokeSurveyLinks(unit: String, period: Period, now: Date) throws -> Int {
        try writer.write { db in
            try db.execute(sql: "UPDATE survey_link SET revoked_at = ? WHERE unit_code = ? AND period = ? AND revoked_at IS NULL",
                           arguments: [now, unit, period.code])
            return db.changesCount
        }
    }

    /// The grant of a survey token's hash, or nil when no link has it or it was revoked.
    public func surveyLink(tokenHash: Data) throws -> SurveyLinkGrant? {
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT l.unit_code, l.period, u.name FROM survey_link l JOIN unit u ON u.code = l.unit_code
                WHERE l.token_sha256 = ? AND l.revoked_at IS NULL
                """, arguments: [tokenHash]) else { return nil }
            guard let period = try? Period(parsing: row[1] as String) else { return nil }
            return SurveyLinkGrant(unit: row[0], unitName: row[2], period: period)
        }
    }

    /// The stored reviews of `assignments` (scores in BerAKHLAK order, hasil kerja, comment), for
    /// showing a reviewer their own answers when they revise.
    public func reviews(of assignments: [Int64]) throws -> [Int64: Review] {
        guard !assignments.isEmpty else { return [:] }
        return try writer.read { db in
            let marks = Array(repeating: "?", count: assignments.count).joined(separator: ",")
            var found: [Int64: Review] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT assignment_id, berorientasi_pelayanan, akuntabel, kompeten, harmonis, loyal, adaptif, kolaboratif,
                       comment, hasil_kerja FROM review WHERE assignment_id IN (\(marks))
                """, arguments: StatementArguments(assignments), cached: assignments.count <= Self.cachedListLength) {
                guard let scores = try? BerAKHLAKScores((1...7).map { row[$0] as Int }) else { continue }
                found[row[0]] = Review(scores: scores, comment: row[8], hasilKerja: (row[9] as String?).flatMap(Rating.init(rawValue:)))
            }
            return found
        }
    }

    /// SKM responses of a unit and period by source (`import`, `web`).
    public func skmCounts(unit: String, period: Period) throws -> [String: Int] {
        try writer.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT source, COUNT(*) FROM skm_response WHERE unit_code = ? AND period = ? GROUP BY source",
                                        arguments: [unit, period.code]) {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }

    static func linkCycle(_ db: Database, _ cycle: CycleReference?) throws -> CycleInfo {
        if let cycle {
            guard let c = try findCycle(db, cycle) else { throw CycleStoreError.notFound(what: "cycle", id: cycle.description) }
            return c
        }
        let open = try fetchCycles(db, whereSQL: "WHERE c.status = 'open'", arguments: [])
        guard open.count == 1 else {
            throw CycleStoreError.refused(open.isEmpty
                ? "no cycle is open; name one with --cycle"
                : "\(open.count) cycles are open (\(open.map(\.period.code).sorted().joined(separator: ", "))); name one with --cycle")
        }
        return open[0]
    }
}
