import Foundation

/// A kinerjad started from the same build directory as this benchmark, with its own directory and
/// config. A temporary directory is removed at `stop()`; a given one (a data set kept between runs)
/// is left as it is.
final class BenchDaemon {
    let directory: String
    let socketPath: String
    let process: Process
    let binDirectory: String
    private let temporary: Bool

    /// - Parameters:
    ///   - directory: where the database lives; nil for a fresh temporary one.
    ///   - extraConfig: YAML appended to the generated config (e.g. a `jobs:` section).
    ///   - logFile: the daemon's stderr (appended); nil to inherit this process's.
    ///   - backupKeep: `backup.keep`, when not the default.
    init(directory: String? = nil, extraConfig: String = "", logFile: String? = nil, startTimeout: TimeInterval = 30,
         backupKeep: Int? = nil) throws {
        binDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        temporary = directory == nil
        self.directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("kinerja-bench-\(getpid())").path
        if temporary { try? FileManager.default.removeItem(atPath: self.directory) }
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        socketPath = self.directory + "/admin.varlink"
        try? FileManager.default.removeItem(atPath: socketPath)
        let config = """
            database:
              path: \(self.directory)/kinerja.sqlite
            backup:
              directory: \(self.directory)/backup
            \(backupKeep.map { "  keep: \($0)" } ?? "")
            control:
              socket: \(socketPath)
              idle_timeout: 1h
            logging:
              target: stderr
              level: warning
            \(extraConfig)
            """
        try config.write(toFile: self.directory + "/kinerjad.yaml", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binDirectory + "/kinerjad")
        process.arguments = ["--config", self.directory + "/kinerjad.yaml"]
        var env = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_USEC"] { env[key] = nil }
        process.environment = env
        if let logFile {
            if !FileManager.default.fileExists(atPath: logFile) { FileManager.default.createFile(atPath: logFile, contents: nil) }
            if let log = FileHandle(forWritingAtPath: logFile) {
                log.seekToEndOfFile()
                process.standardError = log
            }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(startTimeout)
        while !FileManager.default.fileExists(atPath: socketPath) {
            guard Date() < deadline, process.isRunning else {
                throw BenchError("kinerjad did not start" + (logFile.map { " (see \($0))" } ?? ""))
            }
            usleep(20_000)
        }
    }

    /// Resident set size of the daemon in KiB (VmRSS) and its peak (VmHWM).
    func memory() -> (rss: Int, peak: Int) { Self.memory(pid: process.processIdentifier) }

    /// VmRSS and VmHWM of process `pid` in KiB.
    static func memory(pid: Int32) -> (rss: Int, peak: Int) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first }
                .flatMap { Int($0) } ?? 0
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// Open file descriptors of the daemon (entries of /proc/PID/fd).
    func fileDescriptors() -> Int { Self.fileDescriptors(pid: process.processIdentifier) }

    /// Open descriptors of the daemon other than those of its database files. The database pool
    /// opens its reader connections lazily, up to a fixed number, so those grow to a bound by
    /// design; everything else (sockets, pipes, spool and backup files) must not grow at all.
    func fileDescriptorsOutsideDatabase() -> Int {
        let fdDirectory = "/proc/\(process.processIdentifier)/fd"
        let database = "\(directory)/kinerja.sqlite"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fdDirectory)) ?? []
        return names.filter { name in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(fdDirectory)/\(name)") else { return false }
            return !target.hasPrefix(database)
        }.count
    }

    static func fileDescriptors(pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        if temporary { try? FileManager.default.removeItem(atPath: directory) }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Percentile of sorted samples (nearest rank).
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}
