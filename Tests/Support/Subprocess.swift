import Foundation
import Synchronization

/// A child process for tests: started with posix_spawn, its stdout and stderr captured in memory
/// while it runs, waited for with a timeout, signalled, and killed if still running when released.
///
/// ```swift
/// let daemon = try Subprocess.launch(BuiltProducts.kinerjad, arguments: ["--config", config],
///                                    environment: Subprocess.environment(adding: ["NOTIFY_SOCKET": notify.path]))
/// try await daemon.waitForOutput(containing: "listening", in: .standardError)
/// try daemon.signal(SIGTERM)
/// #expect(try await daemon.wait(timeout: .seconds(10)) == .exited(0))
/// ```
public final class Subprocess: Sendable {
    /// Which captured stream.
    public enum Stream: Sendable, CustomStringConvertible {
        case standardOutput, standardError

        public var description: String { self == .standardOutput ? "stdout" : "stderr" }
    }

    /// The executable path as given.
    public let executable: String
    /// The arguments (without the program name).
    public let arguments: [String]
    /// The child's process id.
    public let pid: pid_t

    private let stdout: OutputCapture
    private let stderr: OutputCapture
    private let status = Mutex<ExitStatus?>(nil)

    /// Variables that systemd sets for a service; ``environment(adding:removing:)`` drops them
    /// by default so a child never talks to the test runner's own service manager.
    public static let systemdVariables = [
        "NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID",
        "JOURNAL_STREAM", "INVOCATION_ID",
    ]

    /// This process's environment without `removing`, plus `adding` (which wins).
    public static func environment(
        adding: [String: String] = [:],
        removing: [String] = Subprocess.systemdVariables
    ) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in removing { environment[name] = nil }
        environment.merge(adding) { _, added in added }
        return environment
    }

    /// Starts `executable` (a path, or a name looked up in `PATH`).
    /// - Parameters:
    ///   - environment: the child's whole environment; `nil` inherits this process's.
    ///   - workingDirectory: the child's current directory; `nil` keeps this process's.
    ///   - input: bytes written to the child's stdin, which is then closed; `nil` gives /dev/null.
    ///   - newProcessGroup: put the child in a process group of its own (see ``signalGroup(_:)``).
    public static func launch(
        _ executable: String,
        arguments: [String] = [],
        environment: [String: String]? = nil,
        workingDirectory: String? = nil,
        input: [UInt8]? = nil,
        newProcessGroup: Bool = false
    ) throws -> Subprocess {
        try Subprocess(
            executable: executable, arguments: arguments, environment: environment,
            workingDirectory: workingDirectory, input: input, newProcessGroup: newProcessGroup
        )
    }

    /// Starts a process, waits for it to exit, and returns its status and output.
    /// - Throws: ``TestSupportError`` when it cannot start or does not exit within `timeout`
    ///   (it is then killed).
    public static func run(
        _ executable: String,
        arguments: [String] = [],
        environment: [String: String]? = nil,
        workingDirectory: String? = nil,
        input: [UInt8]? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> Completed {
        let process = try launch(
            executable, arguments: arguments, environment: environment,
            workingDirectory: workingDirectory, input: input
        )
        let status = try await process.wait(timeout: timeout, finishingOutput: true)
        return Completed(status: status, standardOutput: process.output(.standardOutput), standardError: process.output(.standardError))
    }

    /// The result of ``run(_:arguments:environment:workingDirectory:input:timeout:)``.
    public struct Completed: Sendable {
        public let status: ExitStatus
        public let standardOutput: [UInt8]
        public let standardError: [UInt8]

        /// stdout decoded as UTF-8.
        public var standardOutputText: String { String(decoding: standardOutput, as: UTF8.self) }
        /// stderr decoded as UTF-8.
        public var standardErrorText: String { String(decoding: standardError, as: UTF8.self) }
    }

    private init(
        executable: String,
        arguments: [String],
        environment: [String: String]?,
        workingDirectory: String?,
        input: [UInt8]?,
        newProcessGroup: Bool
    ) throws {
        self.executable = executable
        self.arguments = arguments

        let stdinPipe = try Pipe2()
        let stdoutPipe = try Pipe2()
        let stderrPipe = try Pipe2()
        let parentEnds = [stdinPipe.write, stdoutPipe.read, stderrPipe.read]
        let childEnds = [stdinPipe.read, stdoutPipe.write, stderrPipe.write]
        defer { childEnds.forEach { close($0) } }
        var spawned = false
        defer { if !spawned { parentEnds.forEach { close($0) } } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input == nil {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, stdinPipe.read, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe.write, 2)
        try SpawnExtensions.closeFrom(3, in: &actions)
        if let workingDirectory {
            try SpawnExtensions.changeDirectory(to: workingDirectory, in: &actions)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaultSignals = sigset_t()
        sigfillset(&defaultSignals)
        sigdelset(&defaultSignals, SIGKILL)
        sigdelset(&defaultSignals, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)

        let argv = CStringArray([executable] + arguments)
        let envp = CStringArray((environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" })
        var pid: pid_t = 0
        let result = argv.withPointers { argvPointer in
            envp.withPointers { envpPointer in
                executable.contains("/")
                    ? posix_spawn(&pid, executable, &actions, &attributes, argvPointer, envpPointer)
                    : posix_spawnp(&pid, executable, &actions, &attributes, argvPointer, envpPointer)
            }
        }
        guard result == 0 else {
            throw TestSupportError("posix_spawn \(executable) failed: \(describeErrno(result))")
        }
        spawned = true
        self.pid = pid
        self.stdout = OutputCapture(fileDescriptor: stdoutPipe.read, name: "\(executable) stdout")
        self.stderr = OutputCapture(fileDescriptor: stderrPipe.read, name: "\(executable) stderr")
        InputFeeder.start(input ?? [], fileDescriptor: stdinPipe.write)
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        }
    }

    /// The exit status once the process has ended (reaped without blocking), otherwise `nil`.
    public var exitStatus: ExitStatus? {
        status.withLock { status in
            if let status { return status }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            guard result == pid else { return nil }
            status = ExitStatus(waitStatus: raw)
            return status
        }
    }

    /// Whether the process is still running.
    public var isRunning: Bool { exitStatus == nil }

    /// Sends `signal` (e.g. `SIGTERM`, `SIGHUP`) to the process.
    public func signal(_ signal: Int32) throws {
        guard exitStatus == nil else {
            throw TestSupportError("cannot send signal \(signal) to \(executable) (pid \(pid)): it already ended, \(exitStatus!)")
        }
        if kill(pid, signal) != 0 {
            throw TestSupportError("kill(\(pid), \(signal)) failed: \(describeErrno())")
        }
    }

    /// Sends `signal` to the process group (for a child started with `newProcessGroup: true`).
    public func signalGroup(_ signal: Int32) throws {
        if kill(-pid, signal) != 0 {
            throw TestSupportError("kill(-\(pid), \(signal)) failed: \(describeErrno())")
        }
    }

    /// Waits until the process exits.
    /// - Parameter finishingOutput: also wait (up to the same deadline) until stdout and stderr
    ///   reach end of file, so that ``output(_:)`` holds everything.
    /// - Throws: ``TestSupportError`` with the output so far when `timeout` passes; the process is left running.
    @discardableResult
    public func wait(timeout: Duration = .seconds(30), finishingOutput: Bool = true) async throws -> ExitStatus {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = exitStatus {
                if finishingOutput {
                    while !(stdout.isFinished && stderr.isFinished) && ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(5))
                    }
                }
                return status
            }
            if ContinuousClock.now >= deadline {
                throw TestSupportError("\(describe()) did not exit within \(timeout)\n\(outputSummary())")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Sends SIGTERM, waits up to `timeout`, then SIGKILL; returns the final status.
    @discardableResult
    public func terminate(timeout: Duration = .seconds(5)) async -> ExitStatus {
        if exitStatus == nil { kill(pid, SIGTERM) }
        if let status = try? await wait(timeout: timeout, finishingOutput: false) { return status }
        kill(pid, SIGKILL)
        return (try? await wait(timeout: .seconds(30), finishingOutput: false)) ?? .signaled(SIGKILL)
    }

    /// The bytes captured so far on `stream`.
    public func output(_ stream: Stream) -> [UInt8] {
        capture(stream).bytes
    }

    /// The text captured so far on `stream`, decoded as UTF-8.
    public func text(_ stream: Stream) -> String {
        String(decoding: output(stream), as: UTF8.self)
    }

    /// Waits until `stream` contains `text`.
    /// - Throws: ``TestSupportError`` with the output so far on timeout or when the process exits first.
    public func waitForOutput(containing text: String, in stream: Stream, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            if self.text(stream).contains(text) { return }
            if exitStatus != nil && capture(stream).isFinished {
                throw TestSupportError("\(describe()) ended (\(exitStatus!)) before \(stream) contained \"\(text)\"\n\(outputSummary())")
            }
            if ContinuousClock.now >= deadline {
                throw TestSupportError("\(stream) of \(describe()) did not contain \"\(text)\" within \(timeout)\n\(outputSummary())")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// `executable arguments… (pid N)`.
    public func describe() -> String {
        ([executable] + arguments).joined(separator: " ") + " (pid \(pid))"
    }

    /// The captured stdout and stderr, labelled, for error messages.
    public func outputSummary() -> String {
        "--- stdout ---\n\(text(.standardOutput))\n--- stderr ---\n\(text(.standardError))"
    }

    private func capture(_ stream: Stream) -> OutputCapture {
        stream == .standardOutput ? stdout : stderr
    }
}

/// How a process ended.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    /// It called exit with this status.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)

    /// Decodes a waitpid(2) status.
    public init(waitStatus raw: Int32) {
        let signal = raw & 0x7F
        self = signal == 0 ? .exited((raw >> 8) & 0xFF) : .signaled(signal)
    }

    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        }
    }
}
