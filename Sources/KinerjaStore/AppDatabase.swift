import Foundation
import GRDB
import KinerjaDomain
import KinerjaPausePoints

/// Owns the SQLite database: opens it (WAL, foreign keys, busy timeout), refuses one written by a newer
/// build, runs the migrations, and hands out the writer to the query types.
public final class AppDatabase: Sendable {
    /// The underlying GRDB writer: a `DatabasePool` on disk, a `DatabaseQueue` in memory for tests.
    public let writer: any DatabaseWriter
    /// The file path, or `:memory:`.
    public let path: String

    /// Opens (creating if needed) the database file and migrates it to the current schema. When a
    /// pending migration rewrites tables (`Migrations.rewriting`) in a database already in use and
    /// `backupBeforeRewrite` is given, the file is first copied to the path it returns for that
    /// migration's name; a failed copy stops the opening and changes nothing.
    public static func open(path: String, busyTimeout: Duration = .seconds(5),
                            backupBeforeRewrite: ((String) -> String)? = nil) throws -> AppDatabase {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(busyTimeout.inSeconds)
        config.journalMode = .wal
        config.label = "kinerjad"
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA journal_size_limit = \(Self.walSizeLimit)") }
        let pool: DatabasePool
        do {
            // SQLite gives the WAL and shared-memory files the database file's mode, so a database
            // created here 0600 keeps all three private (see PrivateFiles). When the file cannot be
            // made (a missing folder, a read-only file system), SQLite fails next and says why.
            try? PrivateFiles.createFile(path)
            pool = try DatabasePool(path: path, configuration: config)
            for companion in ["-wal", "-shm"] { PrivateFiles.tighten(path + companion) }
        } catch {
            if let text = StorageDiagnosis.explain(error, path: path) { throw StoreError(.storageUnavailable, text) }
            throw StoreError(.cannotOpen, "cannot open the database \(path): \(error)")
        }
        do {
            return try AppDatabase(writer: pool, path: path, backupBeforeRewrite: backupBeforeRewrite)
        } catch let error as StoreError {
            throw error
        } catch {
            if let text = StorageDiagnosis.explain(error, path: path) { throw StoreError(.storageUnavailable, text) }
            throw error
        }
    }

    /// The size the write-ahead log is cut back to when SQLite starts it over after a checkpoint
    /// (`PRAGMA journal_size_limit`). One large transaction (a reminder sweep at 250,000 employees
    /// writes about 1 GB of log) grows the file; without a limit it kept that size until the nightly
    /// maintenance checkpoint truncated it.
    public static let walSizeLimit = 64 << 20

    /// An in-memory database with the current schema (for tests and dry runs).
    public static func inMemory() throws -> AppDatabase {
        var config = Configuration()
        config.foreignKeysEnabled = true
        return try AppDatabase(writer: DatabaseQueue(configuration: config), path: ":memory:")
    }

    init(writer: any DatabaseWriter, path: String, backupBeforeRewrite: ((String) -> String)? = nil) throws {
        self.writer = writer
        self.path = path
        migrationBackup = try Self.migrate(writer, path: path, backupBeforeRewrite: backupBeforeRewrite)
    }

    /// The copy taken before a rewriting migration ran at this opening, if one was.
    public let migrationBackup: String?

    /// Migrates; returns the backup taken first, if any.
    static func migrate(_ writer: any DatabaseWriter, path: String, backupBeforeRewrite: ((String) -> String)? = nil) throws -> String? {
        let migrator = Migrations.migrator
        let applied = try writer.read { db -> Set<String> in
            guard try db.tableExists("grdb_migrations") else { return [] }
            return try migrator.appliedIdentifiers(db)
        }
        let known = Set(migrator.migrations)
        let unknown = applied.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw StoreError(.schemaTooNew, """
                the database \(path) has a newer schema than this kinerjad knows \
                (unknown migrations: \(unknown.joined(separator: ", ")); this build knows up to \
                \(migrator.migrations.last ?? "none")). Run the newer kinerjad, or restore a backup made by this version.
                """)
        }
        var backup: String?
        if let backupBeforeRewrite, !applied.isEmpty,
           let rewrite = migrator.migrations.first(where: { Migrations.rewriting.contains($0) && !applied.contains($0) }) {
            let file = backupBeforeRewrite(rewrite)
            try PrivateFiles.createDirectory((file as NSString).deletingLastPathComponent)
            _ = try copy(writer, to: file)
            backup = file
        }
        try migrator.migrate(writer)
        let version = migrator.migrations.count
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA user_version = \(version)")
        }
        return backup
    }

    /// The number of migrations applied (this build's schema version once `open` returned).
    public func schemaVersion() throws -> Int {
        try writer.read { db in try Migrations.migrator.appliedIdentifiers(db).count }
    }

    /// The schema version this build creates.
    public static var currentSchemaVersion: Int { Migrations.known.count }

    /// Copies the live database with SQLite's online backup API into `destination` (which must not exist),
    /// atomically: written to a temporary name in the same directory and renamed when complete.
    /// Returns the size in bytes.
    public func backup(to destination: String) throws -> Int64 {
        try Self.copy(writer, to: destination)
    }

    static func copy(_ writer: any DatabaseWriter, to destination: String) throws -> Int64 {
        let fm = FileManager.default
        if fm.fileExists(atPath: destination) {
            throw StoreError(.backupFailed, "backup target \(destination) already exists")
        }
        // A name of its own: two backups of the same second (the maintenance job's and an admin's)
        // must not write into, or remove, each other's copy.
        let temporary = "\(destination).\(UUID().uuidString.prefix(8).lowercased()).partial"
        do {
            try PrivateFiles.createFile(temporary)
            let target = try DatabaseQueue(path: temporary)
            #if DEBUG
            // In steps, so the harness can stop the daemon in the middle of the copy.
            try writer.backup(to: target, pagesPerStep: 4) { progress in
                if !progress.isCompleted && progress.completedPageCount >= 4 { PausePoint.reach("backup.mid-copy") }
            }
            #else
            try writer.backup(to: target)
            #endif
            try target.close()
            guard rename(temporary, destination) == 0 else {
                throw StoreError(.backupFailed, "cannot rename \(temporary): \(String(cString: strerror(errno)))")
            }
        } catch let error as StoreError {
            try? fm.removeItem(atPath: temporary)
            throw error
        } catch {
            try? fm.removeItem(atPath: temporary)
            throw StoreError(.backupFailed, StorageDiagnosis.explain(error, path: destination, what: "the backup")
                .map { "backup failed: " + $0 } ?? "backup to \(destination) failed: \(error)")
        }
        let attributes = try fm.attributesOfItem(atPath: destination)
        return (attributes[.size] as? NSNumber)?.int64Value ?? 0
    }
}
