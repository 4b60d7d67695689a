import Foundation
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// The on-disk staging area of one import: rows appended in batches come back in order through a
/// bounded cursor, duplicates are found with SQL, and closing leaves no file.
@Suite("import spool: a private temporary database per import", .serialized)
struct ImportSpoolTests {
    static let schema = ["CREATE TABLE r(line INTEGER NOT NULL, id INTEGER, name TEXT, score REAL)"]

    /// Temporary files this process holds open (SQLite names them `etilqs_…` and unlinks them at once).
    static func openTemporaryFiles() -> Int {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.filter { ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")) ?? "").contains("etilqs_") }.count
    }

    @Test("rows appended over several batches are read back in order, in batches no larger than asked")
    func roundTrip() throws {
        let spool = try ImportSpool(schema: Self.schema, cacheKiB: 64)
        var line = 1
        for _ in 0..<5 {
            let added = try spool.append(to: "r", columns: ["line", "id", "name", "score"]) { rows in
                for _ in 0..<2_001 {
                    line += 1
                    rows.add(line)
                    rows.add(line % 7 == 0 ? nil : Int64(line) * 10)
                    rows.add(line % 5 == 0 ? nil : "name \(line) é")
                    rows.add(Double(line) / 4)
                    try rows.endRow()
                }
            }
            #expect(added == 2_001)
        }
        #expect(try spool.integer("SELECT count(*) FROM r") == 10_005)
        var sizes: [Int] = []
        var expected = 2
        let read = try spool.read("SELECT line, id, name, score FROM r ORDER BY line", batchSize: 4_096, decode: { row in
            (row.integer(0), row.optionalInteger(1), row.optionalText(2), row.real(3))
        }) { batch in
            sizes.append(batch.count)
            for (l, id, name, score) in batch {
                #expect(l == Int64(expected))
                #expect(id == (expected % 7 == 0 ? nil : Int64(expected) * 10))
                #expect(name == (expected % 5 == 0 ? nil : "name \(expected) é"))
                #expect(score == Double(expected) / 4)
                expected += 1
            }
        }
        #expect(read == 10_005)
        #expect(sizes == [4_096, 4_096, 1_813])
        try spool.close()
    }

    @Test("a batch whose fill throws leaves nothing; set-based SQL finds duplicates with their lines")
    func failedBatchAndDuplicates() throws {
        struct Stop: Error {}
        let spool = try ImportSpool(schema: Self.schema)
        #expect(throws: Stop.self) {
            try spool.append(to: "r", columns: ["line", "id", "name", "score"]) { rows in
                rows.add(2); rows.add(Int64(1)); rows.add("a"); rows.add(ImportSpool.Value.null)
                try rows.endRow()
                throw Stop()
            }
        }
        #expect(try spool.integer("SELECT count(*) FROM r") == 0)
        try spool.append(to: "r", columns: ["line", "id", "name", "score"]) { rows in
            for (line, id) in [(2, 7), (3, 8), (4, 7), (5, 9), (6, 7)] as [(Int, Int64)] {
                rows.add(line); rows.add(id); rows.add(ImportSpool.Value.text("x")); rows.add(0.5)
                try rows.endRow()
            }
        }
        try spool.execute("CREATE INDEX r_id ON r(id, line)")
        var groups: [[Int64]] = []
        try spool.read("SELECT id, line FROM r WHERE id IN (SELECT id FROM r GROUP BY id HAVING count(*) > 1) AND id > ? ORDER BY id, line",
                       [.integer(0)], batchSize: 2, decode: { row in (row.integer(0), row.integer(1)) }) { batch in
            for (_, line) in batch { groups.append([line]) }
        }
        #expect(groups == [[2], [4], [6]])
        #expect(try spool.execute("DELETE FROM r WHERE id = ?", [.integer(7)]) == 3)
        try spool.close()
        #expect(throws: (any Error).self) { try spool.integer("SELECT 1") }
    }

    /// A spool of 20,000 rows, past a 64 KiB page cache.
    static func spilledSpool() throws -> ImportSpool {
        let spool = try ImportSpool(schema: Self.schema, cacheKiB: 64)
        try spool.append(to: "r", columns: ["line", "id", "name", "score"]) { rows in
            for line in 0..<20_000 {
                rows.add(line); rows.add(Int64(line)); rows.add(String(repeating: "x", count: 40)); rows.add(1.0)
                try rows.endRow()
            }
        }
        return spool
    }

    @Test("a spool that spilled to its temporary file holds it only while open, and nothing is left when it is closed or dropped")
    func noFileLeft() throws {
        let before = Self.openTemporaryFiles()
        do {
            let spool = try Self.spilledSpool()
            #expect(Self.openTemporaryFiles() > before, "the spool spills to a temporary file beyond its cache")
            try spool.close()
            #expect(Self.openTemporaryFiles() == before)
        }
        do {
            let spool = try Self.spilledSpool()
            #expect(try spool.integer("SELECT count(*) FROM r") == 20_000)
            #expect(Self.openTemporaryFiles() > before)
        }
        #expect(Self.openTemporaryFiles() == before, "a spool dropped without close is gone too")
    }

    // Here, not with the other staged-review tests: this suite counts temporary files, so it runs one test at a
    // time and, in `make test`, with no other test beside it (the Makefile's TIMED_TESTS).
    @Test("a large staged review import spills to its temporary file, which is gone once the staging is closed or dropped")
    func stagedReviewsLeaveNoFile() throws {
        let before = Self.openTemporaryFiles()
        let comment = String(repeating: "panjang ", count: 20)
        let rows = (2..<20_002).map { line in
            ReviewSubmission(line: line, reference: AssignmentReference(id: Int64(line)),
                             review: Review(scores: try! BerAKHLAKScores(uniform: 4), comment: comment))
        }
        do {
            let staged = try StagedReviews()
            try staged.append(rows)
            #expect(Self.openTemporaryFiles() > before)
        }
        #expect(Self.openTemporaryFiles() == before)
    }
}
