import Foundation
import Hummingbird
import KinerjaDaemon
import Logging

/// `kinerja-web`: checks the configuration (exit 78 naming the key, like kinerjad) or serves the pages
/// on `web.listen` until SIGTERM.
public enum WebMain {
    /// The same check, messages and exit status as `kinerjad --check-config`: both read one file.
    public static func checkConfig(path: String, environment: [String: String]) -> Int32 {
        DaemonMain.checkConfig(DaemonOptions(configPath: path, environment: environment))
    }

    public static func run(path: String, environment: [String: String]) async -> Int32 {
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
        guard let (host, port) = DaemonConfig.hostPort(config.web.listen) else {
            printError("\(path): web.listen: '\(config.web.listen)' is not host:port")
            return ExitStatus.config
        }
        do {
            let front = try WebFront(config: config, logger: logger)
            let app = Application(router: front.router(),
                                  configuration: .init(address: .hostname(host, port: port), serverName: "kinerja-web"),
                                  logger: logger)
            logger.notice("kinerja-web listening on \(host):\(port), daemon at \(config.web.socket)")
            try await app.runService()
            return ExitStatus.ok
        } catch {
            logger.critical("kinerja-web failed: \(error)")
            return ExitStatus.failure
        }
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
