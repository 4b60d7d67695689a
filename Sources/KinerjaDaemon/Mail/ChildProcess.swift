import Foundation

/// Starts a program with posix_spawn in a session of its own, and waits for it with a deadline after
/// which its whole process group is killed (SIGTERM, then SIGKILL after `killGrace`).
///
/// The child is detached from the daemon's life: a new session (so a signal to the daemon's process
/// group or a closing terminal does not reach it), no parent-death signal, and no pipe to the daemon
/// (its descriptors are files the caller opened), so a daemon killed while it runs leaves it running
/// to its end. It gets an empty signal mask and default dispositions for the usual signals (the daemon
/// ignores SIGPIPE and traps SIGTERM/SIGHUP; the child must not inherit that), and no descriptor of the
/// daemon but the ones passed. `wait` blocks its thread: call it through `waitOnThread`, which gives it
/// a thread of its own so the cooperative pool is never held.
enum ChildProcess {
    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        /// Killed by us at the deadline.
        case timedOut
        /// waitpid failed (the reason as strerror gives it): how it ended is not known here.
        case notWaited(String)
    }

    /// The program could not be started (the reason as strerror gives it).
    struct SpawnFailure: Error, Sendable, Equatable {
        var reason: String
    }

    /// glibc's POSIX_SPAWN_SETSID (spawn.h; not every Swift overlay exports it): setsid() in the child.
    static let spawnSetSID: Int32 = 0x80

    /// Starts `argv` in a new session with `stdin` on descriptor 0, `output` on 1 and 2, and `extra`
    /// on 3, 4, …; returns its pid, which is also its session and process group id.
    static func spawn(_ argv: [String], environment: [String: String], stdin: Int32, output: Int32,
                      extra: [Int32] = []) throws(SpawnFailure) -> pid_t {
        precondition(!argv.isEmpty, "a program to run")
        markDescriptorsCloseOnExec()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        // The caller's descriptors are above 2 (0 to 2 are the daemon's own), and dup2 onto the same
        // number clears close-on-exec (glibc 2.29 and later), so the order cannot clobber one.
        for (offset, fd) in extra.enumerated() {
            posix_spawn_file_actions_adddup2(&actions, fd, Int32(3 + offset))
        }
        // Then every other descriptor is closed in the child (glibc 2.34 and later). Marking them
        // close-on-exec above is not enough alone: another thread may open one without the flag
        // between the marking and the spawn.
        if let addCloseFrom = addCloseFrom {
            _ = addCloseFrom(&actions, Int32(3 + extra.count))
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(spawnSetSID | Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)))
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

    /// `wait` on a dedicated thread; the calling task suspends until the program ended or was killed.
    static func waitOnThread(_ pid: pid_t, timeout: Duration, killGrace: Duration = .seconds(2)) async -> Termination {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: wait(pid, timeout: timeout, killGrace: killGrace))
            }
            thread.name = "kinerjad-child"
            thread.start()
        }
    }

    /// Reaps `pid`, killing its process group (SIGTERM, then SIGKILL after `killGrace`) once
    /// `timeout` has passed. Blocks the calling thread.
    static func wait(_ pid: pid_t, timeout: Duration, killGrace: Duration) -> Termination {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var status: Int32 = 0
        while clock.now < deadline {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { return decode(status) }
            if reaped < 0 && errno != EINTR { return .notWaited(String(cString: strerror(errno))) }
            usleep(5_000)
        }
        kill(-pid, SIGTERM)
        let graceEnd = clock.now + killGrace
        while clock.now < graceEnd {
            if waitpid(pid, &status, WNOHANG) == pid {
                kill(-pid, SIGKILL) // anything it started and left behind
                return .timedOut
            }
            usleep(10_000)
        }
        kill(-pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
        return .timedOut
    }

    /// glibc's posix_spawn_file_actions_addclosefrom_np, looked up at run time (glibc 2.34 and later;
    /// not in every Swift overlay).
    static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32)? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self)
    }()

    /// Sets FD_CLOEXEC on every open descriptor above stderr, so the child inherits only the ones
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
