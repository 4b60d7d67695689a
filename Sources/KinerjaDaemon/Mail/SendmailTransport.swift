import Foundation
import KinerjaPausePoints

/// The `sendmail` channel: runs a sendmail-compatible program (`/usr/sbin/sendmail -t -i` from
/// postfix, exim or msmtp-mta; `msmtp -t`) with the message on its stdin, as cron and smartd do.
/// Exit status 0 means the mail system took the message. A non-zero exit, a signal, a run past
/// `timeout` (the runner's process group is then killed) or an exit 0 before reading the whole
/// message is a failed attempt carrying the program's output.
///
/// Exactly once across a daemon crash. The program does not run as the daemon's child in the
/// ordinary way: each attempt gets files in the `SendmailSpool` and a small runner, `/bin/sh` with the
/// script `runnerScript`, started in a session of its own with the message file as stdin and the
/// attempt's lock (taken by the daemon before the start) on descriptor 3. The runner ignores SIGTERM,
/// SIGINT and SIGHUP (and so does the program, which inherits that), runs the program, and writes
/// its exit status to the attempt's status file (tmp, fsync, rename); the lock is released when the
/// runner ends. A daemon killed meanwhile (kill -9, OOM) leaves the runner to finish the send and
/// record its outcome; `recover` gives the restarted daemon that outcome, waits for a runner that
/// still holds the lock, and says `.unknown` only when the runner is gone without a status (it was
/// killed itself). See `OutboxDeliveryJob` for the remaining window.
public struct SendmailTransport: MailTransport {
    /// The program (absolute path) and its arguments.
    public var command: [String]
    public var timeout: Duration
    /// The program's environment.
    public var environment: [String: String]
    /// Where the attempts' files are.
    public var spool: SendmailSpool
    /// Between SIGTERM and SIGKILL when a run is past `timeout`.
    public var killGrace: Duration
    public var channel: String { "sendmail" }

    /// Variables that describe the daemon's own service, which the program must not see.
    static let serviceVariables = ["NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "WATCHDOG_USEC",
                                   "WATCHDOG_PID", "JOURNAL_STREAM"]

    /// The shell.
    static let shell = "/bin/sh"

    /// The runner: `sh -c runnerScript kinerjad-sendmail BASE PROGRAM ARG…` with stdin the message
    /// file, stdout and stderr the `out` file, descriptor 3 the attempt's lock. The program gets
    /// neither the lock (`3>&-`: a program that leaves a daemon behind must not hold it) nor the
    /// signals systemd sends to the whole unit when the daemon died (KillMode=control-group: SIGTERM
    /// to every process left), so a send under way completes. After the program, the runner reads how
    /// far it read stdin (the shared file offset, from /proc) and writes `<status> <offset>`. The
    /// shell's own stderr is /dev/null while the program runs (its "Segmentation fault" notes are
    /// not the program's output; the status says it).
    /// sync(1) with a file argument (coreutils 8.24 and later) is fsync.
    static let runnerScript = """
        trap '' TERM INT HUP
        base=$1
        shift
        echo $$ >"$base.pid"
        exec 4>&2 2>/dev/null
        (exec "$@" 2>&4 3>&- 4>&-)
        rc=$?
        exec 2>&4 4>&-
        pos=$(sed -n 's/^pos:[[:space:]]*//p' "/proc/$$/fdinfo/0" 2>/dev/null)
        printf '%s %s\\n' "$rc" "${pos:--}" >"$base.status.tmp" && sync "$base.status.tmp" && mv -f "$base.status.tmp" "$base.status"
        """

    public init(command: [String], timeout: Duration, spool: SendmailSpool,
                environment: [String: String] = ProcessInfo.processInfo.environment, killGrace: Duration = .seconds(2)) {
        self.command = command
        self.timeout = timeout
        self.spool = spool
        self.environment = environment.filter { !Self.serviceVariables.contains($0.key) }
        self.killGrace = killGrace
    }

    public func deliver(_ message: MailMessage, text: String, attempt: DeliveryAttempt) async -> DeliveryOutcome {
        let pid: pid_t
        switch start(text: text, attempt: attempt) {
        case .failure(let failure): return .failed(failure)
        case .success(let started): pid = started
        }
        #if DEBUG
        PausePoint.reach("delivery.sendmail-running")
        #endif
        let termination = await ChildProcess.waitOnThread(pid, timeout: timeout, killGrace: killGrace)
        return outcome(of: attempt, runner: termination)
    }

    /// Writes the attempt's files and starts its runner; returns the runner's pid. The daemon's copy
    /// of the lock is closed again: from here on the runner alone holds it.
    func start(text: String, attempt: DeliveryAttempt) -> Result<pid_t, DeliveryFailure> {
        guard let program = command.first else {
            return .failure(DeliveryFailure(kind: .spawn, summary: "no sendmail program is configured (mail.sendmail)"))
        }
        guard FileManager.default.isExecutableFile(atPath: program) else {
            let reason = FileManager.default.fileExists(atPath: program) ? "not executable" : "no such file"
            return .failure(DeliveryFailure(kind: .spawn, summary: "cannot run \(program): \(reason) (mail.sendmail)"))
        }
        let lock: Int32
        do {
            try spool.create()
            // A runner of this very attempt cannot be running (in-flight attempts are resolved before any
            // claim), but its files must never be taken from under one.
            if spool.lockState(attempt) == .held {
                return .failure(DeliveryFailure(kind: .spawn, summary: "cannot prepare the attempt: \(spool.path(attempt, "lock")) is held by a runner that still runs"))
            }
            spool.remove(attempt)
            try spool.writeMessage(Array(text.utf8), for: attempt)
            lock = try spool.takeLock(attempt)
        } catch {
            return .failure(DeliveryFailure(kind: .spawn, summary: "cannot prepare the attempt: \(error)"))
        }
        defer { close(lock) }
        let input = open(spool.path(attempt, "eml"), O_RDONLY | O_CLOEXEC)
        let output = open(spool.path(attempt, "out"), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
        defer {
            if input >= 0 { close(input) }
            if output >= 0 { close(output) }
        }
        guard input >= 0, output >= 0 else {
            return .failure(DeliveryFailure(kind: .spawn, summary: "cannot open the attempt's files in \(spool.directory): \(String(cString: strerror(errno)))"))
        }
        do {
            let argv = [Self.shell, "-c", Self.runnerScript, "kinerjad-sendmail", spool.base(attempt)] + command
            return .success(try ChildProcess.spawn(argv, environment: environment, stdin: input, output: output, extra: [lock]))
        } catch {
            return .failure(DeliveryFailure(kind: .spawn, summary: "cannot run \(program): \(error.reason)"))
        }
    }

    /// The outcome of an attempt whose runner ended as `runner` says, from its status file.
    func outcome(of attempt: DeliveryAttempt, runner: ChildProcess.Termination) -> DeliveryOutcome {
        let program = command.first ?? "sendmail"
        let output = Self.text(spool.output(attempt))
        if runner == .timedOut {
            return .failed(DeliveryFailure(kind: .timeout, summary: "\(program) did not finish within \(timeout.components.seconds)s (mail.timeout); its process group was killed",
                                           output: output))
        }
        guard let status = spool.status(attempt) else {
            let how = switch runner {
            case .exited(let code): "exited with status \(code)"
            case .signaled(let signal): "was killed by signal \(signal)\(Self.signalName(signal))"
            case .timedOut: "timed out"
            case .notWaited(let reason): "could not be waited for (waitpid: \(reason))"
            }
            return .failed(DeliveryFailure(kind: .signal, summary: "the runner of \(program) \(how) without recording the program's exit status",
                                           output: output))
        }
        return Self.outcome(status, messageSize: spool.messageSize(attempt), program: program, output: output)
    }

    /// What became of an attempt the daemon did not see end (it died meanwhile). A runner that still
    /// holds the lock is waited for, up to `timeout` plus the kill grace and 5 s; one still running
    /// then is killed (its process group) and the attempt is a timeout.
    public func recover(_ attempt: DeliveryAttempt) async -> InterruptedAttempt {
        var state = spool.lockState(attempt)
        let waited = state == .held
        if waited {
            let clock = ContinuousClock()
            let deadline = clock.now + timeout + killGrace + .seconds(5)
            while state == .held && clock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
                state = spool.lockState(attempt)
            }
            if state == .held {
                if let pid = spool.runnerPID(attempt), pid > 1 { kill(-pid, SIGKILL) }
                let program = command.first ?? "sendmail"
                return .finished(.failed(DeliveryFailure(kind: .timeout, summary: "\(program) (started before the daemon restarted) did not finish within \(timeout.components.seconds)s (mail.timeout); its process group was killed",
                                                         output: Self.text(spool.output(attempt)))), waited: true)
            }
        }
        // The lock is released after the status is written: read the status only now.
        if state == .absent && spool.status(attempt) == nil { return .notStarted }
        guard let status = spool.status(attempt) else { return .unknown }
        return .finished(Self.outcome(status, messageSize: spool.messageSize(attempt), program: command.first ?? "sendmail",
                                      output: Self.text(spool.output(attempt))), waited: waited)
    }

    public func finish(_ attempt: DeliveryAttempt) {
        spool.remove(attempt)
    }

    public func removeLeftovers() -> [DeliveryAttempt] {
        var removed: [DeliveryAttempt] = []
        for attempt in spool.attemptsOnDisk().sorted(by: { ($0.outboxID, $0.number) < ($1.outboxID, $1.number) })
        where spool.lockState(attempt) != .held {
            spool.remove(attempt)
            removed.append(attempt)
        }
        return removed
    }

    static func outcome(_ status: SendmailSpool.Status, messageSize: Int?, program: String, output: String) -> DeliveryOutcome {
        switch status.termination {
        case .exited(0):
            if let read = status.bytesRead, let size = messageSize, read < size {
                return .failed(DeliveryFailure(kind: .incompleteInput, summary: "\(program) exited with status 0 after reading \(read) of the message's \(size) bytes",
                                               output: output))
            }
            return .delivered
        case .exited(let code):
            let name = sysexitsNames[code].map { " (\($0))" } ?? ""
            return .failed(DeliveryFailure(kind: .exitStatus, summary: "\(program) exited with status \(code)\(name)", output: output))
        case .signaled(let signal):
            return .failed(DeliveryFailure(kind: .signal, summary: "\(program) was killed by signal \(signal)\(signalName(signal))", output: output))
        case .timedOut, .notWaited:
            // Never read from a status file; listed for completeness.
            return .failed(DeliveryFailure(kind: .timeout, summary: "\(program) did not finish within the timeout (mail.timeout)", output: output))
        }
    }

    /// The output as text, trimmed, invalid UTF-8 replaced.
    static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGABRT: "SIGABRT",
                                      SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV", SIGPIPE: "SIGPIPE",
                                      SIGALRM: "SIGALRM", SIGTERM: "SIGTERM"]
        return names[signal].map { " (\($0))" } ?? ""
    }

    /// sysexits.h, which sendmail implementations use for their exit status.
    static let sysexitsNames: [Int32: String] = [
        64: "EX_USAGE", 65: "EX_DATAERR", 66: "EX_NOINPUT", 67: "EX_NOUSER", 68: "EX_NOHOST", 69: "EX_UNAVAILABLE",
        70: "EX_SOFTWARE", 71: "EX_OSERR", 72: "EX_OSFILE", 73: "EX_CANTCREAT", 74: "EX_IOERR", 75: "EX_TEMPFAIL",
        76: "EX_PROTOCOL", 77: "EX_NOPERM", 78: "EX_CONFIG",
    ]
}
