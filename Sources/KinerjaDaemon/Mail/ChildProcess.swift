import Foundation
import KinerjaPausePoints

/// Runs one program to completion with posix_spawn: `input` on its stdin, its stdout and stderr
/// captured together (up to `outputLimit` bytes), and a deadline after which its whole process group
/// is killed (SIGTERM, then SIGKILL after `killGrace`).
///
/// The child gets a process group of its own (so a timeout also ends anything it started), an empty
/// signal mask and default dispositions for the usual signals (the daemon ignores SIGPIPE and traps
/// SIGTERM/SIGHUP; the child must not inherit that). `run` blocks its thread: call it through
/// `runOnThread`, which gives it a thread of its own so the cooperative pool is never held.
enum ChildProcess {
    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        /// Killed by us at the deadline.
        case timedOut
    }

    struct Outcome: Sendable, Equatable {
        var termination: Termination
        /// stdout and stderr, interleaved as written, truncated at the limit.
        var output: [UInt8]
        /// Whether the whole input was written before the program closed its stdin or ended.
        var inputComplete: Bool
    }

    /// The program could not be started (the reason as strerror gives it).
    struct SpawnFailure: Error, Sendable, Equatable {
        var reason: String
    }

    /// `run` on a dedicated thread; the calling task suspends until the program ended.
    static func runOnThread(_ argv: [String], environment: [String: String], input: [UInt8], timeout: Duration,
                            killGrace: Duration = .seconds(2), outputLimit: Int = 16 << 10) async -> Result<Outcome, SpawnFailure> {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Result { () throws(SpawnFailure) -> Outcome in
                    try run(argv, environment: environment, input: input, timeout: timeout, killGrace: killGrace, outputLimit: outputLimit)
                })
            }
            thread.name = "kinerjad-child"
            thread.start()
        }
    }

    static func run(_ argv: [String], environment: [String: String], input: [UInt8], timeout: Duration,
                    killGrace: Duration, outputLimit: Int) throws(SpawnFailure) -> Outcome {
        precondition(!argv.isEmpty, "a program to run")
        // Writing to a pipe whose reader is gone raises SIGPIPE in the writing thread: block it here
        // (this thread is ours alone and ends with the run), so the write fails with EPIPE instead.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
        markDescriptorsCloseOnExec()

        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1]
        guard pipe(&inPipe) == 0 else { throw SpawnFailure(reason: "pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&outPipe) == 0 else {
            let reason = String(cString: strerror(errno))
            close(inPipe[0]); close(inPipe[1])
            throw SpawnFailure(reason: "pipe: \(reason)")
        }
        // Our ends must not reach the child (only the dup2 copies on 0, 1 and 2 do).
        for fd in inPipe + outPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let pid: pid_t
        do {
            pid = try spawn(argv, environment: environment, stdin: inPipe[0], output: outPipe[1])
        } catch {
            for fd in inPipe + outPipe { close(fd) }
            throw error
        }
        close(inPipe[0])
        close(outPipe[1])
        #if DEBUG
        PausePoint.reach("delivery.sendmail-running")
        #endif

        var inFD = inPipe[1], outFD = outPipe[0]
        _ = fcntl(inFD, F_SETFL, fcntl(inFD, F_GETFL) | O_NONBLOCK)
        _ = fcntl(outFD, F_SETFL, fcntl(outFD, F_GETFL) | O_NONBLOCK)
        var written = 0
        var inputComplete = input.isEmpty
        if input.isEmpty { close(inFD); inFD = -1 }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout

        func readOutput() {
            while outFD >= 0 {
                let n = read(outFD, &buffer, buffer.count)
                if n > 0 {
                    output.append(contentsOf: buffer[0..<min(n, max(0, outputLimit - output.count))])
                } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                    close(outFD)
                    outFD = -1
                } else {
                    return
                }
            }
        }

        var status: Int32 = 0
        var termination: Termination?
        while termination == nil {
            if waitpid(pid, &status, WNOHANG) == pid {
                readOutput()
                termination = decode(status)
                break
            }
            let remaining = deadline - clock.now
            if remaining <= .zero {
                termination = .timedOut
                break
            }
            let waitMs = Int32(min(20, max(1, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)))
            var fds: [pollfd] = []
            if inFD >= 0 { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
            if outFD >= 0 { fds.append(pollfd(fd: outFD, events: Int16(POLLIN), revents: 0)) }
            if fds.isEmpty {
                usleep(useconds_t(waitMs) * 1000)
                continue
            }
            guard poll(&fds, nfds_t(fds.count), waitMs) > 0 else { continue }
            for entry in fds where entry.revents != 0 {
                if entry.fd == inFD {
                    let n = input.withUnsafeBytes { raw in write(inFD, raw.baseAddress! + written, input.count - written) }
                    if n > 0 {
                        written += n
                        if written == input.count {
                            inputComplete = true
                            close(inFD)
                            inFD = -1
                        }
                    } else if n < 0 && errno != EAGAIN && errno != EINTR {
                        // EPIPE: the program closed its stdin before reading everything.
                        close(inFD)
                        inFD = -1
                    }
                } else if entry.fd == outFD {
                    readOutput()
                }
            }
        }
        if inFD >= 0 { close(inFD) }
        if termination == .timedOut {
            kill(-pid, SIGTERM)
            let graceEnd = clock.now + killGrace
            var reaped = false
            while clock.now < graceEnd {
                if waitpid(pid, &status, WNOHANG) == pid { reaped = true; break }
                usleep(10_000)
            }
            kill(-pid, SIGKILL)
            if !reaped { _ = waitpid(pid, &status, 0) }
            readOutput()
        }
        if outFD >= 0 { close(outFD) }
        return Outcome(termination: termination ?? .timedOut, output: output, inputComplete: inputComplete)
    }

    static func spawn(_ argv: [String], environment: [String: String], stdin: Int32, output: Int32) throws(SpawnFailure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM, SIGXFSZ, SIGTTIN, SIGTTOU] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cEnvironment: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in cArguments { free(pointer) }
            for pointer in cEnvironment { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, cEnvironment)
        guard rc == 0 else { throw SpawnFailure(reason: String(cString: strerror(rc))) }
        return pid
    }

    /// Sets FD_CLOEXEC on every open descriptor above stderr, so the child inherits only the three
    /// we give it (glibc's posix_spawn has no portable "close the rest"). Descriptors opened by the
    /// daemon's libraries already carry it; this catches any that do not. The daemon never relies
    /// on passing a descriptor through exec, so the flag changes nothing else.
    static func markDescriptorsCloseOnExec() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for name in names {
            guard let fd = Int32(name), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 {
                _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC)
            }
        }
    }

    /// A wait status as exit code or signal.
    static func decode(_ status: Int32) -> Termination {
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
    }
}
