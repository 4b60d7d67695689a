import Foundation

/// The files the sendmail channel keeps for an attempt while it runs, in one directory
/// (`<state directory>/outbox/`, next to the database), named `<outbox id>.<attempt>.<kind>`:
///
/// - `eml`: the message, the program's stdin (a file, never a pipe: a program whose daemon died
///   still reads the whole message, never a truncated one).
/// - `lock`: flock(2)ed by kinerjad before the runner starts and held by the runner, through an
///   inherited descriptor, until it ends: "lock held" means "the attempt is still running".
/// - `pid`: the runner's pid (its session and process group), for killing an orphaned hung one.
/// - `out`: what the program wrote on stdout and stderr.
/// - `status`: `<exit status> <bytes of stdin read>`, written (tmp + fsync + rename) by the runner
///   once the program ended: the outcome, even when nobody was there to wait for it.
///
/// The files are removed once the outcome is recorded in the database; left-overs of attempts
/// whose runner is gone are removed by the next delivery run.
public struct SendmailSpool: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The spool of a daemon whose database is at `databasePath`: the `outbox` directory beside it.
    public init(databasePath: String) {
        self.directory = ((databasePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("outbox")
    }

    static let kinds = ["eml", "lock", "pid", "out", "status", "status.tmp"]

    public func path(_ attempt: DeliveryAttempt, _ kind: String) -> String {
        "\(directory)/\(attempt).\(kind)"
    }

    /// The attempt's path without the kind, as the runner gets it.
    func base(_ attempt: DeliveryAttempt) -> String {
        "\(directory)/\(attempt)"
    }

    /// A spool operation that failed: the file and the reason.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Creates the directory (0700) when missing.
    func create() throws(Failure) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw Failure(description: "cannot create the mail spool directory \(directory): \(error.localizedDescription)")
        }
    }

    /// Writes the message of an attempt (mode 0600). Not fsync'd on purpose: the file is read only by
    /// the attempt's runner, which does not survive the machine either; after a reboot the outcome of
    /// the attempt comes from its status file or is unknown, never from this file.
    func writeMessage(_ bytes: [UInt8], for attempt: DeliveryAttempt) throws(Failure) {
        let file = path(attempt, "eml")
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: "cannot write \(file): \(String(cString: strerror(errno)))") }
            written += n
        }
    }

    /// Whether an attempt's runner still runs.
    enum LockState: Equatable {
        /// No lock file: the runner was never started.
        case absent
        /// The lock file exists and nobody holds it: the runner ended (or never got it).
        case free
        /// The runner holds it.
        case held
    }

    func lockState(_ attempt: DeliveryAttempt) -> LockState {
        let fd = open(path(attempt, "lock"), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return errno == ENOENT ? .absent : .held }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return .free
        }
        return .held
    }

    /// Creates the attempt's lock file and takes its lock; the descriptor is close-on-exec (the
    /// spawn passes it on explicitly).
    func takeLock(_ attempt: DeliveryAttempt) throws(Failure) -> Int32 {
        let file = path(attempt, "lock")
        let fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(file): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "cannot lock \(file): \(reason) (a runner of this attempt still runs)")
        }
        return fd
    }

    /// What the runner recorded when the program ended.
    struct Status: Equatable {
        var termination: ChildProcess.Termination
        /// How far the program read its stdin (nil: unknown).
        var bytesRead: Int?
    }

    /// The attempt's status file, or nil when there is none or it cannot be read as one.
    func status(_ attempt: DeliveryAttempt) -> Status? {
        guard let text = try? String(contentsOfFile: path(attempt, "status"), encoding: .utf8) else { return nil }
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard let first = fields.first, let code = Int32(first), (0...255).contains(code) else { return nil }
        // The shell reports a program killed by signal N as 128+N.
        let termination: ChildProcess.Termination = code > 128 && code < 128 + 65 ? .signaled(code - 128) : .exited(code)
        return Status(termination: termination, bytesRead: fields.count > 1 ? Int(fields[1]) : nil)
    }

    /// The size of the attempt's message file, or nil when it is gone.
    func messageSize(_ attempt: DeliveryAttempt) -> Int? {
        var info = stat()
        return stat(path(attempt, "eml"), &info) == 0 ? Int(info.st_size) : nil
    }

    /// The program's output, at most `limit` bytes from its start.
    func output(_ attempt: DeliveryAttempt, limit: Int = 16 << 10) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path(attempt, "out")) else { return [] }
        defer { try? handle.close() }
        return Array((try? handle.read(upToCount: limit)) ?? Data())
    }

    /// The runner's pid, as it wrote it.
    func runnerPID(_ attempt: DeliveryAttempt) -> pid_t? {
        (try? String(contentsOfFile: path(attempt, "pid"), encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Removes every file of the attempt.
    func remove(_ attempt: DeliveryAttempt) {
        for kind in Self.kinds { unlink(path(attempt, kind)) }
    }

    /// The attempts that have files in the spool.
    func attemptsOnDisk() -> Set<DeliveryAttempt> {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var attempts = Set<DeliveryAttempt>()
        for name in names {
            let parts = name.split(separator: ".", maxSplits: 2)
            guard parts.count == 3, let id = Int64(parts[0]), let number = Int(parts[1]), Self.kinds.contains(String(parts[2])) else { continue }
            attempts.insert(DeliveryAttempt(outboxID: id, number: number))
        }
        return attempts
    }
}
