import ArgumentParser
import Foundation
import KinerjaWeb

/// `kinerja-web`: the reviewers' and the public's web front. It talks to kinerjad only through the
/// io.kinerjad.Review socket and keeps no data of its own.
@main
struct KinerjaWebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kinerja-web",
        abstract: "Serve the reviewers' and the public's web pages for kinerjad.")

    @Option(name: .long, help: ArgumentHelp("The configuration file (the daemon's; see its web: section).", valueName: "file"))
    var config = "/etc/kinerjad/kinerjad.yaml"

    @Flag(name: .customLong("check-config"), help: "Check the configuration, print every problem, and exit (0 valid, 78 invalid).")
    var checkConfig = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let status = checkConfig ? WebMain.checkConfig(path: config, environment: environment)
                                 : await WebMain.run(path: config, environment: environment)
        if status != 0 { throw ExitCode(status) }
    }
}
