import ArgumentParser

/// Benchmarks that print figures; run from a release build (`make bench`). Not tests.
@main
struct KinerjaBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kinerja-bench",
        abstract: "Performance figures for kinerjad (release build).",
        subcommands: [ControlBench.self, FlagsBench.self, FollowupsBench.self, SweepBench.self, LoadBench.self, SoakBench.self, PreviewBench.self])
}
