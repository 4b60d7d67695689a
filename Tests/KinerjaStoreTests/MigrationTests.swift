import Foundation
import Synchronization
import GRDB
import Testing
@testable import KinerjaStore

@Suite("Database migrations")
struct MigrationTests {
    func temporaryPath() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinerja-store-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("kinerja.sqlite").path
    }

    /// Schema and migration identifiers, read without migrating.
    func contents(_ path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
                + String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        }
    }

    @Test("migrates an empty file to the current schema, in WAL mode with foreign keys on")
    func migratesFromEmpty() throws {
        let path = temporaryPath()
        let db = try AppDatabase.open(path: path)
        #expect(try db.schemaVersion() == AppDatabase.currentSchemaVersion)
        #expect(AppDatabase.currentSchemaVersion >= 1)
        let (mode, fk, version, tables) = try db.writer.read { db throws in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             try Int.fetchOne(db, sql: "PRAGMA foreign_keys"),
             try Int.fetchOne(db, sql: "PRAGMA user_version"),
             try Set(String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")))
        }
        #expect(mode == "wal")
        #expect(fk == 1)
        #expect(version == AppDatabase.currentSchemaVersion)
        #expect(tables.isSuperset(of: ["employee", "unit"]))
    }

    @Test("the write-ahead log grown by one large transaction is cut back to the limit once SQLite starts it over")
    func walCutBack() throws {
        let path = temporaryPath()
        let db = try AppDatabase.open(path: path)
        let wal = { (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0 }
        try db.writer.write { d in
            try d.execute(sql: "CREATE TABLE big(b BLOB)")
            try d.execute(sql: "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 80) INSERT INTO big SELECT zeroblob(1 << 20) FROM s")
        }
        let grown = try wal()
        #expect(grown > AppDatabase.walSizeLimit, "\(grown) bytes of log after 80 MB in one transaction")
        // The checkpoint after the commit has copied the log into the file; the next write starts the log over.
        _ = try db.writer.writeWithoutTransaction { try Row.fetchOne($0, sql: "PRAGMA wal_checkpoint(PASSIVE)") }
        try db.writer.write { try $0.execute(sql: "INSERT INTO big VALUES (x'00')") }
        let after = try wal()
        #expect(after <= AppDatabase.walSizeLimit, "\(after) bytes of log after the next write")
    }

    @Test("opening twice is idempotent")
    func reopen() throws {
        let path = temporaryPath()
        _ = try AppDatabase.open(path: path)
        let again = try AppDatabase.open(path: path)
        #expect(try again.schemaVersion() == AppDatabase.currentSchemaVersion)
    }

    @Test("a database from a newer schema is refused with a clear message and left untouched")
    func refusesNewer() throws {
        let path = temporaryPath()
        do {
            let db = try AppDatabase.open(path: path)
            try db.writer.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
            }
        }
        let before = try contents(path)
        #expect {
            _ = try AppDatabase.open(path: path)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.code == .schemaTooNew && error.message.contains("v99-from-the-future") && error.message.contains(path)
        }
        #expect(try contents(path) == before)
    }

    @Test("a file that is not a database gives a cannot-open error naming it")
    func notADatabase() throws {
        let path = temporaryPath()
        try Data("this is not sqlite, just text long enough to fill a header page...".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.self) { _ = try AppDatabase.open(path: path) }
    }

    @Test("backup writes a consistent copy atomically and refuses to overwrite")
    func backup() throws {
        let path = temporaryPath()
        let db = try AppDatabase.open(path: path)
        try db.writer.write { db in
            try db.execute(sql: "INSERT INTO unit (code, name) VALUES ('BKPSDM', 'Badan Kepegawaian dan Pengembangan SDM')")
        }
        let target = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("copy.sqlite").path
        let size = try db.backup(to: target)
        #expect(size > 0)
        let directory = URL(fileURLWithPath: target).deletingLastPathComponent().path
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".partial") }.isEmpty)
        let copy = try DatabaseQueue(path: target)
        #expect(try copy.read { try String.fetchOne($0, sql: "SELECT name FROM unit") } == "Badan Kepegawaian dan Pengembangan SDM")
        #expect(throws: StoreError.self) { _ = try db.backup(to: target) }
    }

    @Test("two backups to the same name at once (maintenance and an admin in the same second) do not break each other")
    func concurrentBackups() throws {
        let path = temporaryPath()
        let db = try AppDatabase.open(path: path)
        try db.writer.write { db in
            for i in 0..<2000 { try db.execute(sql: "INSERT INTO unit (code, name) VALUES (?, ?)", arguments: ["U\(i)", String(repeating: "x", count: 200)]) }
        }
        let target = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("same-second.sqlite").path
        let errors = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            do {
                _ = try db.backup(to: target)
            } catch let error as StoreError where error.message.contains("already exists") {
                // The other one finished first: refused before anything was written.
            } catch {
                errors.withLock { $0.append("\(error)") }
            }
        }
        #expect(errors.withLock { $0 } == [])
        let copy = try DatabaseQueue(path: target)
        #expect(try copy.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM unit") } == 2000)
        #expect(try copy.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
    }
}
