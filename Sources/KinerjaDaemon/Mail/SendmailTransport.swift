import Foundation

/// The `sendmail` channel: runs a sendmail-compatible program (`/usr/sbin/sendmail -t -i` from
/// postfix, exim or msmtp-mta; `msmtp -t`) with the message on its stdin, as cron and smartd do.
/// Exit status 0 means the mail system took the message. A non-zero exit, a signal, a run past
/// `timeout` (the program's process group is then killed) or an exit before reading the whole
/// message is a failed attempt carrying the program's output.
///
/// When util-linux's setpriv(1) is installed the program runs under `setpriv --pdeathsig KILL`:
/// if the daemon is killed mid-send (kill -9, OOM), the program dies with it instead of finishing a
/// delivery the database would never record as sent; an unfinished SMTP transaction is discarded
/// by the server, and the next attempt sends the message once.
public struct SendmailTransport: MailTransport {
    /// The program (absolute path) and its arguments.
    public var command: [String]
    public var timeout: Duration
    /// The program's environment.
    public var environment: [String: String]
    /// Run before `command` so the program dies with the daemon (empty: not available).
    public var deathSignalWrapper: [String]
    public var channel: String { "sendmail" }

    /// Variables that describe the daemon's own service, which the program must not see.
    static let serviceVariables = ["NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "WATCHDOG_USEC",
                                   "WATCHDOG_PID", "JOURNAL_STREAM"]

    public init(command: [String], timeout: Duration,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                deathSignalWrapper: [String] = SendmailTransport.defaultDeathSignalWrapper) {
        self.command = command
        self.timeout = timeout
        self.environment = environment.filter { !Self.serviceVariables.contains($0.key) }
        self.deathSignalWrapper = deathSignalWrapper
    }

    /// `setpriv --pdeathsig KILL --` when /usr/bin/setpriv exists, else nothing.
    public static var defaultDeathSignalWrapper: [String] {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") ? ["/usr/bin/setpriv", "--pdeathsig", "KILL", "--"] : []
    }

    public func deliver(_ message: MailMessage, text: String, outboxID: Int64) async -> DeliveryOutcome {
        guard let program = command.first else {
            return .failed(DeliveryFailure(kind: .spawn, summary: "no sendmail program is configured (mail.sendmail)"))
        }
        guard FileManager.default.isExecutableFile(atPath: program) else {
            let reason = FileManager.default.fileExists(atPath: program) ? "not executable" : "no such file"
            return .failed(DeliveryFailure(kind: .spawn, summary: "cannot run \(program): \(reason) (mail.sendmail)"))
        }
        let result = await ChildProcess.runOnThread(deathSignalWrapper + command, environment: environment,
                                                    input: Array(text.utf8), timeout: timeout)
        switch result {
        case .failure(let failure):
            return .failed(DeliveryFailure(kind: .spawn, summary: "cannot run \(program): \(failure.reason)"))
        case .success(let outcome):
            return Self.outcome(outcome, program: program, timeout: timeout)
        }
    }

    static func outcome(_ outcome: ChildProcess.Outcome, program: String, timeout: Duration) -> DeliveryOutcome {
        let output = Self.text(outcome.output)
        switch outcome.termination {
        case .exited(0):
            if outcome.inputComplete { return .delivered }
            return .failed(DeliveryFailure(kind: .incompleteInput, summary: "\(program) exited with status 0 before reading the whole message",
                                           output: output))
        case .exited(let code):
            let name = sysexitsNames[code].map { " (\($0))" } ?? ""
            return .failed(DeliveryFailure(kind: .exitStatus, summary: "\(program) exited with status \(code)\(name)", output: output))
        case .signaled(let signal):
            return .failed(DeliveryFailure(kind: .signal, summary: "\(program) was killed by signal \(signal)\(signalName(signal))", output: output))
        case .timedOut:
            return .failed(DeliveryFailure(kind: .timeout, summary: "\(program) did not finish within \(timeout.components.seconds)s (mail.timeout); its process group was killed",
                                           output: output))
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
