import Foundation

@testable import KinerjaSchedule

/// Runs the real `systemd-analyze` (the oracle the schedule module must agree with).
enum SystemdAnalyze {
    static let candidates = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]

    static var path: String? {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    struct Run {
        var standardOutput: String
        var standardError: String
        var exitStatus: Int32
        /// The clock just before and just after the run: systemd's "now" lies in between.
        var nowBefore: SystemdTimestamp
        var nowAfter: SystemdTimestamp
    }

    /// `TZ=zone systemd-analyze --no-pager calendar --base-time=... --iterations=... -- expressions...`
    static func calendar(
        _ expressions: [String], baseTime: String?, iterations: Int, timeZone: String
    ) throws -> Run {
        guard let path else { throw CocoaError(.fileNoSuchFile) }
        var arguments = ["--no-pager", "calendar", "--iterations=\(iterations)"]
        if let baseTime { arguments.append("--base-time=\(baseTime)") }
        arguments.append("--")
        arguments += expressions
        return try run(path, arguments, environment: ["TZ": timeZone])
    }

    static func run(_ path: String, _ arguments: [String], environment: [String: String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ["PATH": "/usr/bin:/bin", "LANG": "C", "LC_ALL": "C", "SYSTEMD_COLORS": "0"]
        env.merge(environment) { _, new in new }
        process.environment = env
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        let before = SystemdTimestamp(Date())
        try process.run()
        // Read both pipes while the process runs so that neither fills up.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = errPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        let after = SystemdTimestamp(Date())
        return Run(
            standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self), exitStatus: process.terminationStatus,
            nowBefore: before, nowAfter: after)
    }
}
