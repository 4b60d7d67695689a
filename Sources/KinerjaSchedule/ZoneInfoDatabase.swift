import Foundation

/// A tz database directory (normally `/usr/share/zoneinfo`), with the name checks systemd applies
/// to time zones written in calendar expressions and timestamps, and a process-wide cache of the
/// files read.
public struct ZoneInfoDatabase: Sendable, Hashable {
    /// The directory holding the TZif files.
    public let directory: String

    /// Creates a database rooted at `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// The system database, `/usr/share/zoneinfo`.
    public static let system = ZoneInfoDatabase(directory: "/usr/share/zoneinfo")

    /// Whether systemd would accept `name` as a time zone (`timezone_is_valid()`): `UTC`, or a
    /// name of letters, digits, `-`, `_`, `+` and single `/` separators naming a regular TZif
    /// file in the database.
    public func isValidZoneName(_ name: String) -> Bool {
        if name == "UTC" { return true }
        guard Self.hasValidSyntax(name) else { return false }
        var isDirectory: ObjCBool = false
        let path = directory + "/" + name
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let handle = FileHandle(forReadingAtPath: path)
        else { return false }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        return magic == Data("TZif".utf8)
    }

    static func hasValidSyntax(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes[0] != UInt8(ascii: "/"), bytes.count < 4096 else { return false }
        var previousSlash = false
        for b in bytes {
            let isAlnum = (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
            guard isAlnum || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: "+")
                || b == UInt8(ascii: "/")
            else { return false }
            if b == UInt8(ascii: "/") {
                if previousSlash { return false }
                previousSlash = true
            } else {
                previousSlash = false
            }
        }
        return !previousSlash
    }

    /// Loads the zone `name` (e.g. `Asia/Jakarta`); `UTC` always works, even without the file.
    public func zone(named name: String) throws(ZoneInfoError) -> ZoneInfo {
        guard Self.hasValidSyntax(name) else {
            throw ZoneInfoError(zone: name, reason: "not a valid time zone name")
        }
        do {
            return try load(path: directory + "/" + name, name: name)
        } catch {
            if name == "UTC" { return .utc }
            throw error
        }
    }

    /// Loads a TZif file by path, caching the result for the life of the process.
    public func load(path: String, name: String) throws(ZoneInfoError) -> ZoneInfo {
        if let cached = ZoneInfoCache.shared.lookup(path: path, name: name) { return cached }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ZoneInfoError(zone: name, reason: "no such file \(path)")
        }
        let zone = try ZoneInfo(name: name, tzif: Array(data))
        ZoneInfoCache.shared.store(zone, path: path)
        return zone
    }

    /// The glibc view of a Foundation `TimeZone`: the database file of its identifier, `UTC` for
    /// Foundation's `GMT` (which is how Foundation names UTC), or a fixed-offset zone when the
    /// identifier has no file.
    public func zone(for timeZone: TimeZone) -> ZoneInfo {
        let identifier = timeZone.identifier
        if identifier == "GMT" || identifier == "UTC" { return .utc }
        if let zone = try? zone(named: identifier) { return zone }
        return .fixed(name: identifier, offset: timeZone.secondsFromGMT())
    }

    /// The zone glibc would use as local time for a process with `environment`: `TZ` (an empty
    /// value meaning UTC, a leading `:` ignored, a file name or path, or a POSIX rule string), else
    /// `/etc/localtime`, else UTC.
    public func systemDefault(environment: [String: String], localtimePath: String = "/etc/localtime") -> ZoneInfo {
        guard var tz = environment["TZ"] else {
            let target = try? FileManager.default.destinationOfSymbolicLink(atPath: localtimePath)
            let name = target.flatMap { link in
                link.range(of: "zoneinfo/").map { String(link[$0.upperBound...]) }
            } ?? "localtime"
            return (try? load(path: localtimePath, name: name)) ?? .utc
        }
        if tz.isEmpty { return (try? zone(named: "Universal")) ?? .utc }
        if tz.hasPrefix(":") { tz.removeFirst() }
        if tz.hasPrefix("/"), let zone = try? load(path: tz, name: tz) { return zone }
        if let zone = try? zone(named: tz) { return zone }
        return ZoneInfo(name: tz, rule: PosixTimeZoneRule(tz))
    }
}

/// Parsed TZif files, shared by all callers in the process.
private final class ZoneInfoCache: @unchecked Sendable {
    static let shared = ZoneInfoCache()

    private let lock = NSLock()
    private var zones: [String: ZoneInfo] = [:]

    func lookup(path: String, name: String) -> ZoneInfo? {
        lock.lock()
        defer { lock.unlock() }
        guard let zone = zones[path], zone.name == name else { return nil }
        return zone
    }

    func store(_ zone: ZoneInfo, path: String) {
        lock.lock()
        defer { lock.unlock() }
        zones[path] = zone
    }
}
