import Foundation
import KinerjaStore

/// Backup files in the backup directory: `kinerja-YYYYMMDD-HHMMSS.sqlite` (UTC), newest kept.
enum BackupFiles {
    static let prefix = "kinerja-"
    static let suffix = ".sqlite"

    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: date)
    }

    /// Writes a backup named after `date`. With `unique`, a clash gets a numeric suffix (an admin's
    /// second backup in the same second); without it an existing file means this backup was already
    /// made (a job re-run for the same slot) and nothing is written.
    static func write(_ database: AppDatabase, directory: String, date: Date, unique: Bool) throws -> (file: String, size: Int64, written: Bool) {
        try PrivateFiles.createDirectory(directory)
        let base = "\(directory)/\(prefix)\(stamp(date))"
        var file = base + suffix
        if FileManager.default.fileExists(atPath: file) {
            guard unique else {
                let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
                return (file, size, false)
            }
            var n = 2
            while FileManager.default.fileExists(atPath: "\(base)-\(n)\(suffix)") { n += 1 }
            file = "\(base)-\(n)\(suffix)"
        }
        let size = try database.backup(to: file)
        return (file, size, true)
    }

    /// The copy taken before `migration` rewrites tables: `kinerja-YYYYMMDD-HHMMSS-before-MIGRATION.sqlite`,
    /// rotated with the others.
    static func beforeMigration(directory: String, date: Date, migration: String) -> String {
        "\(directory)/\(prefix)\(stamp(date))-before-\(migration)\(suffix)"
    }

    /// Removes the files of backups a killed process left unfinished (AppDatabase.backup writes to
    /// `NAME.sqlite.XXXXXXXX.partial` and renames when complete). Only at start-up, when no backup can
    /// be under way. Returns the removed paths.
    static func removeUnfinished(directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed: [String] = []
        for name in names.sorted() where name.hasPrefix(prefix) && name.contains(suffix + ".") && name.hasSuffix(".partial") {
            let path = "\(directory)/\(name)"
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        return removed
    }

    /// Removes the oldest backups beyond `keep`; returns the removed paths.
    static func rotate(directory: String, keep: Int) throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let backups = names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }.sorted()
        guard backups.count > keep else { return [] }
        var removed: [String] = []
        for name in backups.prefix(backups.count - keep) {
            let path = "\(directory)/\(name)"
            try FileManager.default.removeItem(atPath: path)
            removed.append(path)
        }
        return removed
    }
}
