import Foundation

/// A kinerjad started from the same build directory as this benchmark, in a temporary directory.
final class BenchDaemon {
    let directory: String
    let socketPath: String
    let process: Process
    let binDirectory: String

    init(extraConfig: String = "") throws {
        binDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinerja-bench-\(getpid())").path
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        socketPath = directory + "/admin.varlink"
        let config = """
            database:
              path: \(directory)/kinerja.sqlite
            backup:
              directory: \(directory)/backup
            control:
              socket: \(socketPath)
            logging:
              target: stderr
              level: warning
            \(extraConfig)
            """
        try config.write(toFile: directory + "/kinerjad.yaml", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binDirectory + "/kinerjad")
        process.arguments = ["--config", directory + "/kinerjad.yaml"]
        var env = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_USEC"] { env[key] = nil }
        process.environment = env
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: socketPath) {
            guard Date() < deadline, process.isRunning else { throw BenchError("kinerjad did not start") }
            usleep(20_000)
        }
    }

    /// Resident set size of the daemon in KiB (VmRSS) and its peak (VmHWM).
    func memory() -> (rss: Int, peak: Int) {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first }
                .flatMap { Int($0) } ?? 0
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
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

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
