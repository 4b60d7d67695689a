import ArgumentParser
import Foundation
import KinerjaDaemon
import KinerjaDomain

/// `kinerjad`: a thin entry point; everything lives in KinerjaDaemon.
@main
struct Kinerjad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kinerjad",
        abstract: "ASN performance-evaluation daemon: cycles, 360 reviews, reminders, motivation flags.",
        discussion: """
            Runs in the foreground under systemd (Type=notify, socket activation through kinerjad.socket, \
            reload with SIGHUP). Admins talk to it with kinerjactl over the Varlink socket.

            Exit status: 0 clean stop or valid configuration, 1 start-up failure, 65 database written by a \
            newer kinerjad, 69 database in use by another kinerjad (its PID is named), 74 database not \
            writable (full disk, read-only or immutable file), 78 invalid configuration. The unit does not \
            restart on 65, 69 and 78: each needs an operator.

            Environment: KINERJAD_SOCKET, KINERJAD_DATABASE, KINERJAD_LOG_LEVEL, KINERJAD_LOG_TARGET and \
            KINERJAD_JOURNAL_SOCKET override the configuration file (see the reference kinerjad.yaml).
            """,
        version: KinerjaVersion.string
    )

    @Option(name: .long, help: ArgumentHelp("Configuration file.", valueName: "file"))
    var config = "/etc/kinerjad/kinerjad.yaml"

    @Flag(name: .long, help: "Validate the configuration, print every problem, and exit 0 (valid) or 78 (invalid).")
    var checkConfig = false

    @Option(name: .long, help: ArgumentHelp("Control socket path to bind when not socket-activated (overrides control.socket).", valueName: "path"))
    var socket: String?

    func run() async throws {
        var environment = ProcessInfo.processInfo.environment
        if let socket { environment["KINERJAD_SOCKET"] = socket.hasPrefix("/") ? socket : FileManager.default.currentDirectoryPath + "/" + socket }
        let options = DaemonOptions(configPath: config, environment: environment)
        let status = checkConfig ? DaemonMain.checkConfig(options) : await DaemonMain.run(options)
        if status != 0 { throw ExitCode(status) }
    }
}

