import Foundation
import Hummingbird
import KinerjaDaemon
import KinerjaSystemd
import Logging
import ServiceLifecycle

/// `kinerja-web`: checks the configuration (exit 78 naming the key, like kinerjad) or serves the pages
/// on the sockets systemd passed (kinerja-web.socket) or on `web.listen` until SIGTERM.
public enum WebMain {
    /// The same check, messages and exit status as `kinerjad --check-config`: both read one file.
    public static func checkConfig(path: String, environment: [String: String]) -> Int32 {
        DaemonMain.checkConfig(DaemonOptions(configPath: path, environment: environment))
    }

    public static func run(path: String, environment: [String: String]) async -> Int32 {
        // The sockets systemd passed (kinerja-web.socket), read and unset before any thread starts.
        let activation: SocketActivation
        do {
            activation = try SocketActivation.fromEnvironment()
        } catch {
            printError("kinerja-web: not starting: \(error)")
            return ExitStatus.failure
        }
        let config: DaemonConfig
        do {
            config = try DaemonConfig.load(file: path, environment: environment)
        } catch {
            for problem in error.problems { printError(problem.description) }
            printError("kinerja-web: not starting: the configuration \(path) is invalid")
            return ExitStatus.config
        }
        signal(SIGPIPE, SIG_IGN)
        LoggingSystem.bootstrap(LogBootstrap.factory(config.logging, control: LogLevelControl(config.logging.level)), metadataProvider: nil)
        let logger = Logger(label: "kinerja-web")
        let listen: WebServer.Listen
        switch listenSource(activation: activation, listen: config.web.listen) {
        case .success(let source): listen = source
        case .failure(let problem):
            printError("kinerja-web: not starting: \(problem.message)")
            return problem.status
        }
        do {
            let front = try WebFront(config: config, logger: logger)
            let server = WebServer(listen: listen, router: front.router(), serverName: "kinerja-web", logger: logger)
            logger.notice("kinerja-web listening on \(server.description), daemon at \(config.web.socket)")
            try await ServiceGroup(configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint],
                                                        logger: logger)).run()
            return ExitStatus.ok
        } catch {
            logger.critical("kinerja-web failed: \(error)")
            return ExitStatus.failure
        }
    }

    struct ListenProblem: Error, Equatable {
        let message: String
        let status: Int32
    }

    /// Every socket systemd passed (each must be a listening stream socket), or `web.listen` when none was.
    static func listenSource(activation: SocketActivation, listen: String) -> Result<WebServer.Listen, ListenProblem> {
        if !activation.descriptors.isEmpty {
            if let wrong = activation.descriptors.first(where: { !$0.isListeningStreamSocket }) {
                return .failure(ListenProblem(message: "systemd passed fd \(wrong.fd) (\(wrong.name)), which is not a listening stream socket "
                                              + "(kinerja-web.socket needs ListenStream=)", status: ExitStatus.config))
            }
            return .success(.passed(activation.descriptors.map(\.fd)))
        }
        guard let (host, port) = DaemonConfig.hostPort(listen) else {
            return .failure(ListenProblem(message: "web.listen: '\(listen)' is not host:port", status: ExitStatus.config))
        }
        return .success(.address(host: host, port: port))
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
