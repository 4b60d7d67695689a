import Foundation
import Varlink

/// A real `kinerjad` process for integration tests: its own temp directory, config file, database,
/// control socket and notify socket. Integration tests read like a story:
///
/// ```swift
/// let daemon = try await DaemonHarness.start()
/// let client = try await daemon.client()
/// _ = try await client.call("io.kinerjad.Admin.Ping")
/// #expect(try await daemon.stop() == .exited(0))
/// ```
public final class DaemonHarness: Sendable {
    public let directory: TemporaryDirectory
    public let notify: NotifySocket
    public let process: Subprocess
    public let configPath: String
    public let socketPath: String
    public let databasePath: String

    /// Options for one daemon start.
    public struct Options: Sendable {
        /// Extra YAML appended to the generated config (sections not generated below).
        public var extraConfig = ""
        /// `logging:` section body lines (default: stderr at debug).
        public var logging = "  target: stderr\n  level: debug\n"
        /// Run under `systemd-socket-activate -l SOCKET --fdname=varlink`.
        public var socketActivated = false
        /// With `socketActivated`, also pass the Review socket (`review.varlink` beside the control
        /// socket) as `FileDescriptorName=review`, as kinerjad-review.socket does.
        public var reviewSocketActivated = false
        /// Extra environment (e.g. WATCHDOG_USEC).
        public var environment: [String: String] = [:]
        /// Wait for READY=1 before returning.
        public var waitForReady = true
        /// A command line the daemon runs under (e.g. setpriv and tools/seccomp-exec.py).
        public var wrapper: [String] = []
        /// Run as this user (name): the state directory and notify socket are opened up to it.
        public var user: String?

        public init() {}
    }

    init(directory: TemporaryDirectory, notify: NotifySocket, process: Subprocess, configPath: String,
         socketPath: String, databasePath: String) {
        self.directory = directory
        self.notify = notify
        self.process = process
        self.configPath = configPath
        self.socketPath = socketPath
        self.databasePath = databasePath
    }

    /// The config text the harness writes (database, socket, backup dir in the temp directory).
    public static func configText(directory: TemporaryDirectory, options: Options) -> String {
        """
        database:
          path: \(directory.path("kinerja.sqlite"))
        backup:
          directory: \(directory.path("backup"))
        control:
          socket: \(directory.path("admin.varlink"))
          idle_timeout: 30s
        logging:
        \(options.logging)
        \(options.extraConfig)
        """
    }

    /// Writes the config and starts the daemon; with `waitForReady`, returns once READY=1 arrived.
    public static func start(_ options: Options = Options(), in existing: TemporaryDirectory? = nil) async throws -> DaemonHarness {
        let directory = try existing ?? TemporaryDirectory(prefix: "kinerjad-it")
        let configPath = directory.path("kinerjad.yaml")
        if existing == nil || !FileManager.default.fileExists(atPath: configPath) {
            try configText(directory: directory, options: options).write(toFile: configPath, atomically: true, encoding: .utf8)
        }
        let socketPath = directory.path("admin.varlink")
        let notify = try NotifySocket()
        if let user = options.user {
            guard let pw = getpwnam(user) else { throw TestSupportError("no user \(user)") }
            chown(directory.path, pw.pointee.pw_uid, pw.pointee.pw_gid)
            chmod(configPath, 0o644)
            chmod((notify.path as NSString).deletingLastPathComponent, 0o755)
            chmod(notify.path, 0o666)
        }
        var environment = Subprocess.environment(adding: ["NOTIFY_SOCKET": notify.path])
        environment.merge(options.environment) { _, new in new }
        let daemon = try BuiltProducts.kinerjad
        let process: Subprocess
        if options.socketActivated {
            // systemd-socket-activate gives the daemon a fresh environment: pass ours on with -E.
            let passed = (["NOTIFY_SOCKET"] + options.environment.keys.sorted()).flatMap { ["-E", $0] }
            process = try Subprocess.launch(
                "systemd-socket-activate",
                arguments: (options.reviewSocketActivated
                    ? ["-l", socketPath, "-l", directory.path("review.varlink"), "--fdname=varlink:review"]
                    : ["-l", socketPath, "--fdname=varlink"]) + passed + [daemon, "--config", configPath],
                environment: environment, newProcessGroup: true)
        } else {
            var command = options.wrapper + [daemon, "--config", configPath]
            if let user = options.user {
                command = ["/usr/bin/setpriv", "--reuid=\(user)", "--regid=\(user == "nobody" ? "nogroup" : user)", "--clear-groups"] + command
            }
            process = try Subprocess.launch(command[0], arguments: Array(command.dropFirst()), environment: environment,
                                            newProcessGroup: true)
        }
        let harness = DaemonHarness(directory: directory, notify: notify, process: process, configPath: configPath,
                                    socketPath: socketPath, databasePath: directory.path("kinerja.sqlite"))
        if options.waitForReady {
            if options.socketActivated {
                // systemd-socket-activate execs the daemon only at the first connection.
                try await waitUntil("the activation socket listens") { isListeningUnixSocket(socketPath) }
                let client = try await harness.client()
                _ = try await client.call("io.kinerjad.Admin.Ping")
                await client.close()
            }
            do {
                _ = try await notify.waitFor(prefix: "READY=1", timeout: .seconds(30))
            } catch {
                throw TestSupportError("kinerjad did not become ready: \(error)\n\(process.outputSummary())")
            }
        }
        return harness
    }

    /// A Varlink client on the daemon's control socket.
    public func client() async throws -> VarlinkClient {
        try await VarlinkClient.connect(unixPath: socketPath)
    }

    /// Calls one method on a fresh connection.
    public func call(_ method: String, _ parameters: [String: JSONValue] = [:]) async throws -> [String: JSONValue] {
        let client = try await client()
        defer { Task { await client.close() } }
        return try await client.call(method, parameters: parameters)
    }

    /// Sends SIGTERM and waits for the exit.
    @discardableResult
    public func stop(timeout: Duration = .seconds(30)) async throws -> ExitStatus {
        if process.isRunning { try process.signal(SIGTERM) }
        return try await process.wait(timeout: timeout)
    }

    /// What the daemon wrote on stderr.
    public var log: String { process.text(.standardError) }

    deinit {
        if process.isRunning { try? process.signal(SIGKILL) }
    }
}
