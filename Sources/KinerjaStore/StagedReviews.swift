import Foundation
import KinerjaDomain
import Synchronization

/// The checked reviews of one staged import, spooled on disk (`ImportSpool`) in the order they arrived,
/// so the daemon holds none of them between the batches and the commit. The commit reads them back a
/// page at a time and records each resolved (assignment, line) here too, so the same assignment
/// named twice is found with one `GROUP BY` over an index instead of a table in memory.
public final class StagedReviews: Sendable {
    private let spool: ImportSpool
    private let tally = Mutex((count: 0, keyed: false))

    static let columns = ["line", "assignment_id", "subject", "reviewer", "role", "scores", "comment", "hasil_kerja", "submitted_at"]

    public init() throws {
        spool = try ImportSpool(schema: [
            """
            CREATE TABLE staged(line INTEGER NOT NULL, assignment_id INTEGER, subject INTEGER, reviewer INTEGER, role INTEGER,
                                scores INTEGER NOT NULL, comment TEXT, hasil_kerja INTEGER, submitted_at REAL)
            """,
            "CREATE TABLE resolved(assignment_id INTEGER NOT NULL, line INTEGER NOT NULL)",
        ])
    }

    /// Reviews spooled so far.
    public var count: Int { tally.withLock { $0.count } }

    /// Whether any spooled review names its assignment by (reviewer, subject, role).
    var hasKeys: Bool { tally.withLock { $0.keyed } }

    /// Spools one batch of checked submissions (in one transaction).
    public func append(_ submissions: [ReviewSubmission]) throws {
        guard !submissions.isEmpty else { return }
        var keyed = false
        try spool.append(to: "staged", columns: Self.columns) { rows in
            for s in submissions {
                let r = SpooledReview(s)
                keyed = keyed || r.subject != nil
                rows.add(r.line); rows.add(r.id); rows.add(r.subject); rows.add(r.reviewer); rows.add(r.role)
                rows.add(r.scores); rows.add(r.comment); rows.add(r.hasilKerja); rows.add(r.submittedAt)
                try rows.endRow()
            }
        }
        tally.withLock { $0.count += submissions.count; $0.keyed = $0.keyed || keyed }
    }

    /// Hands the spooled submissions to `body` in arrival order, `size` at a time. Each page is its own
    /// read of the spool (a seek by rowid), so `body` may record what it resolved between pages.
    func forEachPage(size: Int, _ body: ([ReviewSubmission]) throws -> Void) throws {
        var after: Int64 = 0
        while true {
            var page: [ReviewSubmission] = []
            var last = after
            try spool.read("SELECT rowid, \(Self.columns.joined(separator: ", ")) FROM staged WHERE rowid > ? ORDER BY rowid LIMIT ?",
                           [.integer(after), .integer(Int64(size))], batchSize: size, decode: { row in
                (row.integer(0), SpooledReview(line: row.integer(1), id: row.optionalInteger(2), subject: row.optionalInteger(3),
                                               reviewer: row.optionalInteger(4), role: row.optionalInteger(5), scores: row.integer(6),
                                               comment: row.optionalText(7), hasilKerja: row.optionalInteger(8),
                                               submittedAt: row.isNull(9) ? nil : row.real(9)))
            }) { batch in
                page = batch.map(\.1.submission)
                last = batch.last?.0 ?? last
            }
            guard !page.isEmpty else { return }
            try body(page)
            after = last
        }
    }

    /// Forgets what an earlier commit of these reviews resolved (a dry run, then the import).
    func startResolving() throws {
        try spool.execute("DROP INDEX IF EXISTS resolved_assignment")
        try spool.execute("DELETE FROM resolved")
    }

    /// Records the assignments a page resolved to, with the lines that named them.
    func addResolved(_ pairs: [(id: Int64, line: Int)]) throws {
        guard !pairs.isEmpty else { return }
        try spool.append(to: "resolved", columns: ["assignment_id", "line"]) { rows in
            for p in pairs {
                rows.add(p.id); rows.add(p.line)
                try rows.endRow()
            }
        }
    }

    /// Each assignment resolved from more than one line, with two consecutive lines of it (`first` <
    /// `second`), in assignment order: found by one `GROUP BY` over an index built once all are in.
    func duplicates(_ body: (_ id: Int64, _ first: Int, _ second: Int) -> Void) throws {
        try spool.execute("CREATE INDEX IF NOT EXISTS resolved_assignment ON resolved(assignment_id, line)")
        try spool.read("""
            SELECT assignment_id, group_concat(line) FROM resolved INDEXED BY resolved_assignment
            GROUP BY assignment_id HAVING count(*) > 1 ORDER BY assignment_id
            """, batchSize: 256, decode: { row in (row.integer(0), row.text(1)) }) { groups in
            for (id, text) in groups {
                let lines = text.split(separator: ",").compactMap { Int($0) }.sorted()
                for (a, b) in zip(lines, lines.dropFirst()) { body(id, a, b) }
            }
        }
    }

    /// Closes the spool (its file goes with it); dropping the last reference does the same.
    public func close() {
        try? spool.close()
    }
}
