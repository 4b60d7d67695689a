// Named pause points for the crash-consistency harness (tools/crash-harness.py). Compiled only into
// debug builds: a release build of this module is empty, and every call site is wrapped in
// `#if DEBUG` too.
#if DEBUG
import Foundation
import Synchronization

/// A named place in the daemon where a test can stop it, to kill it there with SIGKILL or to hold it
/// there (the watchdog proof). Disarmed unless `KINERJAD_PAUSE_AT` names the point:
///
/// - `KINERJAD_PAUSE_AT=name[#N][,name[#N]…]`: pause at these points, at the Nth time each is
///   reached (default the first). Each armed point pauses once per process.
/// - `KINERJAD_PAUSE_FILE=PATH`: when a point pauses, `name pid` is appended to PATH as one line
///   (the harness watches it); the point then blocks the calling thread until the file `PATH.release`
///   exists, polled every 10 ms. Without it, the line goes to stderr and the point blocks for good.
///
/// ```swift
/// #if DEBUG
/// PausePoint.reach("cycle-open.before-commit")
/// #endif
/// ```
public enum PausePoint {
    struct Armed {
        var remaining: [String: Int]
        var announceFile: String?
    }

    static let state: Mutex<Armed> = {
        let environment = ProcessInfo.processInfo.environment
        var remaining: [String: Int] = [:]
        for item in (environment["KINERJAD_PAUSE_AT"] ?? "").split(separator: ",") {
            let parts = item.trimmingCharacters(in: .whitespaces).split(separator: "#", maxSplits: 1)
            guard let name = parts.first.map(String.init), !name.isEmpty else { continue }
            remaining[name] = parts.count > 1 ? max(1, Int(parts[1]) ?? 1) : 1
        }
        let file = environment["KINERJAD_PAUSE_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        return Mutex(Armed(remaining: remaining, announceFile: file))
    }()

    /// Reaches the point `name`: returns at once unless it is armed and this is the time it pauses;
    /// then announces itself and blocks the calling thread until released (or killed).
    public static func reach(_ name: String) {
        let announce: String?? = state.withLock { armed -> String?? in
            guard let count = armed.remaining[name] else { return .none }
            if count > 1 {
                armed.remaining[name] = count - 1
                return .none
            }
            armed.remaining[name] = nil
            return .some(armed.announceFile)
        }
        guard let file = announce else { return }
        let line = "\(name) \(getpid())\n"
        guard let file else {
            FileHandle.standardError.write(Data("kinerjad: paused at \(line)".utf8))
            while true { sleep(3600) }
        }
        let fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        if fd >= 0 {
            _ = line.withCString { write(fd, $0, strlen($0)) }
            close(fd)
        }
        let release = file + ".release"
        while access(release, F_OK) != 0 { usleep(10_000) }
    }
}
#endif
