import Foundation
import GRDB
import KinerjaDomain

/// The open cycles' side of an employee import, kept on disk: the changed employees' events (moves,
/// departures, leave, new atasan) as the merge finds them, then, per open cycle, the open assignments
/// they touch and what the adjustment did per employee. A private `ImportSpool` of its own (the merge
/// reads the staged file with a cursor on the file's spool while it writes here), so an import that
/// changes 50,000 employees holds a batch of them at a time, not all.
final class ImportEvents {
    let spool: ImportSpool
    private var buffer: [(NIP, CycleAdjustment.Event, String)] = []
    /// Events recorded.
    private(set) var count = 0
    /// Changed employees a page when gathering their assignments, subjects a page when adjusting.
    let page: Int

    static let batch = 2_048

    init(page: Int = ImportEvents.batch) throws {
        precondition(page > 0, "a page holds at least one employee")
        self.page = page
        spool = try ImportSpool(schema: [
            "CREATE TABLE event(nip TEXT PRIMARY KEY, event TEXT NOT NULL, detail TEXT NOT NULL) WITHOUT ROWID",
            "CREATE TABLE touched(id INTEGER NOT NULL, subject TEXT NOT NULL, reviewer TEXT NOT NULL, role TEXT NOT NULL)",
            "CREATE TABLE tally(nip TEXT NOT NULL, nama TEXT NOT NULL, event TEXT NOT NULL, detail TEXT NOT NULL, reassigned INTEGER NOT NULL, cancelled INTEGER NOT NULL)",
        ], cacheKiB: 1024)
    }

    /// Records the event of employee `nip` (each employee once: the merge meets each NIP once).
    func record(_ nip: NIP, _ event: (CycleAdjustment.Event, String)) throws {
        buffer.append((nip, event.0, event.1))
        count += 1
        if buffer.count >= page { try flush() }
    }

    /// Writes the buffered events.
    func flush() throws {
        guard !buffer.isEmpty else { return }
        try spool.append(to: "event", columns: ["nip", "event", "detail"]) { out in
            for (nip, event, detail) in buffer {
                out.add(nip.description)
                out.add(event.rawValue)
                out.add(detail)
                try out.endRow()
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// The changed employees' NIPs in NIP order, `page` at a time.
    func forEachPage(_ body: ([String]) throws -> Void) throws {
        var last = ""
        while true {
            var nips: [String] = []
            try spool.read("SELECT nip FROM event WHERE nip > ? ORDER BY nip LIMIT \(page)", [.text(last)],
                           batchSize: page, decode: { $0.text(0) }) { nips += $0 }
            guard let end = nips.last else { return }
            try body(nips)
            last = end
        }
    }

    /// The events of those of `nips` who have one.
    func events(of nips: Set<NIP>) throws -> [NIP: (CycleAdjustment.Event, String)] {
        var result: [NIP: (CycleAdjustment.Event, String)] = [:]
        try spool.read("SELECT nip, event, detail FROM event WHERE nip IN (SELECT value FROM json_each(?))",
                       [.text(EmployeeFileCheck.json(nips.map(\.description)))], batchSize: Self.batch, decode: { row in
            (NIP(row.text(0)), CycleAdjustment.Event(rawValue: row.text(1)), row.text(2))
        }) { batch in
            for case let (nip?, event?, detail) in batch { result[nip] = (event, detail) }
        }
        return result
    }

    /// Starts a cycle: no assignment touched, nothing tallied.
    func startCycle() throws {
        try spool.execute("DROP INDEX IF EXISTS touched_subject")
        try spool.execute("DELETE FROM touched")
        try spool.execute("DELETE FROM tally")
    }

    /// Adds open assignments touched (an assignment may come twice: from its subject and its reviewer).
    func touch(_ rows: [CycleAdjustment.OpenAssignment]) throws {
        guard !rows.isEmpty else { return }
        try spool.append(to: "touched", columns: ["id", "subject", "reviewer", "role"]) { out in
            for a in rows {
                out.add(a.id)
                out.add(a.key.subject.description)
                out.add(a.key.reviewer.description)
                out.add(a.key.role.rawValue)
                try out.endRow()
            }
        }
    }

    /// The touched assignments, each once, in pages that hold every assignment of their subjects
    /// (the adjustment's rules look at one subject's assignments together), `page` subjects a page.
    func forEachSubjectPage(_ body: ([CycleAdjustment.OpenAssignment]) throws -> Void) throws {
        try spool.execute("CREATE INDEX touched_subject ON touched(subject, id)")
        var last = ""
        while true {
            var subjects: [String] = []
            try spool.read("SELECT DISTINCT subject FROM touched WHERE subject > ? ORDER BY subject LIMIT \(page)",
                           [.text(last)], batchSize: page, decode: { $0.text(0) }) { subjects += $0 }
            guard let first = subjects.first, let end = subjects.last else { return }
            var rows: [CycleAdjustment.OpenAssignment] = []
            try spool.read("""
                SELECT DISTINCT id, subject, reviewer, role FROM touched WHERE subject BETWEEN ? AND ? ORDER BY subject, id
                """, [.text(first), .text(end)], batchSize: Self.batch, decode: { row -> CycleAdjustment.OpenAssignment? in
                guard let s = NIP(row.text(1)), let r = NIP(row.text(2)), let role = ReviewerRole(rawValue: row.text(3)) else { return nil }
                return .init(id: row.integer(0), key: AssignmentKey(subject: s, reviewer: r, role: role))
            }) { batch in rows += batch.compactMap { $0 } }
            try body(rows)
            last = end
        }
    }

    /// Adds one page's per-employee counts.
    func tally(_ events: [CycleAdjustment.EmployeeEvent], names: (NIP) -> String) throws {
        guard !events.isEmpty else { return }
        try spool.append(to: "tally", columns: ["nip", "nama", "event", "detail", "reassigned", "cancelled"]) { out in
            for e in events {
                out.add(e.nip.description)
                out.add(names(e.nip))
                out.add(e.event.rawValue)
                out.add(e.detail)
                out.add(e.reassigned)
                out.add(e.cancelled)
                try out.endRow()
            }
        }
    }

    /// The cycle's changes per employee, sorted by NIP: the first `limit` handed to `body`; returns
    /// how many employees there are.
    func changes(cycle: String, limit: Int, _ body: (CycleChange) -> Void) throws -> Int {
        var total = 0
        try spool.read("""
            SELECT nip, MIN(nama), MIN(event), MIN(detail), SUM(reassigned), SUM(cancelled) FROM tally GROUP BY nip ORDER BY nip
            """, batchSize: 256, decode: { row -> CycleChange? in
            guard let nip = NIP(row.text(0)) else { return nil }
            return CycleChange(cycle: cycle, nip: nip, nama: row.text(1), event: row.text(2), detail: row.text(3),
                               reassigned: Int(row.integer(4)), cancelled: Int(row.integer(5)))
        }) { batch in
            for case let change? in batch {
                if total < limit { body(change) }
                total += 1
            }
        }
        return total
    }
}
