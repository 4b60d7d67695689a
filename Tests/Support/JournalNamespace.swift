import Foundation
import Synchronization

/// A private journald for a test: `systemd-journald NAME` with a unique namespace name, listening
/// on ``socketPath`` (`/run/systemd/journal.NAME/socket`), read back with
/// `journalctl --namespace=NAME -o json`. ``stop()`` (or releasing it) stops journald and removes
/// the namespace's sockets and journal files. Needs root.
///
/// ```swift
/// try await JournalNamespace.with { journal in
///     let logger = Logger(label: "test") { JournalLogHandler(label: $0, socketPath: journal.socketPath) }
///     logger.info("hello", metadata: ["nip": "198503302010011002"])
///     let entries = try await journal.waitForEntries(matching: ["KINERJA_NIP": "198503302010011002"])
///     #expect(entries[0]["MESSAGE"] == "hello")
/// }
/// ```
public final class JournalNamespace: Sendable {
    /// The journald binary started for each namespace.
    public static let journaldPath = "/lib/systemd/systemd-journald"

    /// The namespace name, e.g. `kinerja-test-4711-3-9f3a`.
    public let name: String
    /// The runtime directory journald creates: `/run/systemd/journal.NAME`.
    public var runtimeDirectory: String { "/run/systemd/journal.\(name)" }
    /// The native-protocol socket to give ``JournalLogHandler``.
    public var socketPath: String { runtimeDirectory + "/socket" }
    /// The socket that takes a service's stdout/stderr stream.
    public var stdoutSocketPath: String { runtimeDirectory + "/stdout" }
    /// The syslog socket (`/dev/log` equivalent).
    public var syslogSocketPath: String { runtimeDirectory + "/dev-log" }

    private let journald: Subprocess
    private let stopped = Mutex(false)
    /// A stream connection held open to the stdout socket until ``stop()``. journald for a namespace
    /// exits after 30 s with no stream connected and nothing logged; a test whose daemon is slow to
    /// start on a loaded machine would then log into a namespace that is gone.
    private let keepAlive = Mutex<VarlinkRawSocket?>(nil)

    private static let counter = Mutex(0)

    /// A namespace name unique to this process and call.
    public static func uniqueName() -> String {
        let serial = counter.withLock { counter in
            counter += 1
            return counter
        }
        return "kinerja-test-\(getpid())-\(serial)-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }

    /// Starts journald for a new namespace, waits until its socket exists and its stream socket
    /// listens, and connects a stream that keeps the namespace from exiting while idle.
    /// - Throws: ``TestSupportError`` when not root, journald is missing, exits early, or the
    ///   sockets are not ready within `timeout` (journald's stderr is in the message).
    public static func start(name: String = uniqueName(), timeout: Duration = .seconds(30)) async throws -> JournalNamespace {
        // On a thread of its own: journald exits after 30 s idle, and a test task waiting on a busy
        // cooperative pool (a parallel run on two loaded cores) has been seen to resume later than
        // that, finding journald gone before its stream was connected.
        try await offCooperativePool { try startBlocking(name: name, timeout: timeout) }
    }

    private static func startBlocking(name: String, timeout: Duration) throws -> JournalNamespace {
        guard geteuid() == 0 else {
            throw TestSupportError("a journald namespace needs root (journald writes /run/systemd and /var/log/journal)")
        }
        guard FileManager.default.isExecutableFile(atPath: journaldPath) else {
            throw TestSupportError("\(journaldPath) is missing; install the systemd package")
        }
        let journald = try Subprocess.launch(
            journaldPath,
            arguments: [name],
            environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "SYSTEMD_LOG_TARGET": "console"]
        )
        let namespace = JournalNamespace(name: name, journald: journald)
        let deadline = ContinuousClock.now + timeout
        while !isSocket(namespace.socketPath) {
            if let status = journald.exitStatus {
                namespace.stopSynchronously()
                throw TestSupportError("systemd-journald \(name) ended (\(status)) before creating its socket\n\(journald.outputSummary())")
            }
            if ContinuousClock.now >= deadline {
                namespace.stopSynchronously()
                throw TestSupportError("systemd-journald \(name) did not create \(namespace.socketPath) within \(timeout)\n\(journald.outputSummary())")
            }
            usleep(10_000)
        }
        // The stream socket's file appears at bind(2), before journald listens on it.
        while !isListeningUnixSocket(namespace.stdoutSocketPath) && ContinuousClock.now < deadline {
            usleep(10_000)
        }
        do {
            let path = namespace.stdoutSocketPath
            try namespace.keepAlive.withLock { $0 = try VarlinkRawSocket(path: path) }
        } catch {
            namespace.stopSynchronously()
            let sockets = ((try? String(contentsOfFile: "/proc/net/unix", encoding: .utf8)) ?? "")
                .split(separator: "\n").filter { $0.contains(namespace.runtimeDirectory) }.joined(separator: "\n")
            throw TestSupportError("cannot connect to \(namespace.stdoutSocketPath): \(error); journald \(journald.isRunning ? "running" : "exited"); "
                                   + "its sockets in /proc/net/unix:\n\(sockets)\n\(journald.outputSummary())")
        }
        return namespace
    }

    /// Closes the held stream (its socket closes when released).
    private func closeKeepAlive() {
        keepAlive.withLock { $0 = nil }
    }

    /// Starts a namespace, runs `body`, and stops the namespace afterwards whatever happens.
    public static func with<Result>(_ body: (JournalNamespace) async throws -> Result) async throws -> Result {
        let namespace = try await start()
        do {
            let result = try await body(namespace)
            await namespace.stop()
            return result
        } catch {
            await namespace.stop()
            throw error
        }
    }

    private init(name: String, journald: Subprocess) {
        self.name = name
        self.journald = journald
    }

    deinit { stopSynchronously() }

    /// Whether journald is still running.
    public var isRunning: Bool { journald.isRunning }

    /// journald's own stderr so far (its start-up and error messages).
    public var journaldOutput: String { journald.text(.standardError) }

    /// Entries whose fields equal every `matching` value, oldest first.
    /// - Parameter fields: print only these fields (`--output-fields`); journalctl always adds
    ///   `__CURSOR`, `__REALTIME_TIMESTAMP`, `__MONOTONIC_TIMESTAMP` and `_BOOT_ID`.
    public func entries(matching: [String: String] = [:], fields: [String]? = nil) async throws -> [JournalRecord] {
        var arguments = ["--namespace=\(name)", "--output=json", "--all", "--no-pager", "--quiet"]
        if let fields { arguments.append("--output-fields=" + fields.joined(separator: ",")) }
        arguments += matching.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let result = try await Subprocess.run(
            "journalctl", arguments: arguments,
            environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "SYSTEMD_COLORS": "0", "SYSTEMD_PAGER": ""],
            timeout: .seconds(30)
        )
        guard result.status == .exited(0) else {
            throw TestSupportError("journalctl \(arguments.joined(separator: " ")) \(result.status): \(result.standardErrorText)")
        }
        let decoder = JSONDecoder()
        var records: [JournalRecord] = []
        for (index, line) in result.standardOutput.split(separator: UInt8(ascii: "\n")).enumerated() {
            do {
                records.append(try decoder.decode(JournalRecord.self, from: Data(line)))
            } catch {
                throw TestSupportError("journalctl output line \(index + 1) is not a JSON entry (\(error)): \(String(decoding: line.prefix(200), as: UTF8.self))")
            }
        }
        return records
    }

    /// Polls ``entries(matching:fields:)`` until at least `count` entries match.
    /// - Throws: ``TestSupportError`` listing what did arrive when `timeout` passes.
    @discardableResult
    public func waitForEntries(
        matching: [String: String],
        count: Int = 1,
        fields: [String]? = nil,
        timeout: Duration = .seconds(10)
    ) async throws -> [JournalRecord] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let found = try await entries(matching: matching, fields: fields)
            if found.count >= count { return found }
            if ContinuousClock.now >= deadline {
                let all = (try? await entries()) ?? []
                throw TestSupportError(
                    "journal namespace \(name) has \(found.count) of \(count) entries matching \(matching) after \(timeout); "
                        + "it holds \(all.count) entries:\n" + all.map { "  \($0)" }.joined(separator: "\n")
                )
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Stops journald (SIGTERM, then SIGKILL after 5 s) and removes the namespace's files.
    public func stop() async {
        guard markStopped() else { return }
        closeKeepAlive()
        await journald.terminate(timeout: .seconds(5))
        removeFiles()
    }

    private func stopSynchronously() {
        guard markStopped() else { return }
        closeKeepAlive()
        if journald.isRunning {
            kill(journald.pid, SIGTERM)
            let deadline = ContinuousClock.now + .seconds(5)
            while journald.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
            if journald.isRunning { kill(journald.pid, SIGKILL) }
            while journald.isRunning { usleep(10_000) }
        }
        removeFiles()
    }

    private func markStopped() -> Bool {
        stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
    }

    /// Removes `/run/systemd/journal.NAME` and the journal directories `MACHINE-ID.NAME` under
    /// /var/log/journal (persistent storage) and /run/log/journal (volatile storage).
    private func removeFiles() {
        let manager = FileManager.default
        try? manager.removeItem(atPath: runtimeDirectory)
        for parent in ["/var/log/journal", "/run/log/journal"] {
            for entry in (try? manager.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasSuffix(".\(name)") {
                try? manager.removeItem(atPath: parent + "/" + entry)
            }
        }
    }

    private static func isSocket(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFSOCK
    }
}
