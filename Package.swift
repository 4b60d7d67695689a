// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "kinerjad",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kinerjad", targets: ["kinerjad"]),
        .executable(name: "kinerjactl", targets: ["kinerjactl"]),
        .executable(name: "kinerjad-sendmail", targets: ["kinerjad-sendmail"]),
        .executable(name: "kinerja-web", targets: ["kinerja-web"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // libsystemd (sd_notify, sd_listen_fds_with_names, sd_watchdog_enabled) through pkg-config.
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // libqrencode (QR codes for the survey poster) through pkg-config.
        .systemLibrary(
            name: "CQRencode",
            pkgConfig: "libqrencode",
            providers: [.apt(["libqrencode-dev"])]
        ),
        // QR code symbols from libqrencode, as a grid of modules.
        .target(name: "KinerjaQR", dependencies: ["CQRencode"]),
        // Gregorian day arithmetic on integers: the one calendar, shared by the domain and the scheduler.
        .target(name: "KinerjaCalendar"),
        // Pure rules. Foundation and the integer calendar only; no I/O, no clock reads.
        .target(name: "KinerjaDomain", dependencies: ["KinerjaCalendar"]),
        // The seeded demo data set (`kinerjactl demo`, the tests); not linked into the daemon.
        .target(name: "KinerjaDemo", dependencies: ["KinerjaDomain"]),
        // Named pause points for the crash-consistency harness; empty in release builds.
        .target(name: "KinerjaPausePoints"),
        // systemd.time(7) calendar events and time spans.
        .target(name: "KinerjaSchedule", dependencies: ["KinerjaCalendar"]),
        // SQLite through GRDB.
        .target(
            name: "KinerjaStore",
            dependencies: [
                "KinerjaDomain", "KinerjaPausePoints",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The Varlink protocol; knows nothing of kinerja.
        .target(
            name: "Varlink",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // sd_notify, watchdog, socket activation, journald native protocol.
        .target(
            name: "KinerjaSystemd",
            dependencies: [
                "CSystemd",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "KinerjaDaemon",
            dependencies: [
                "KinerjaDomain", "KinerjaStore", "KinerjaSchedule", "Varlink", "KinerjaSystemd", "KinerjaPausePoints",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.embedInCode("Control/io.kinerjad.Admin.varlink"), .embedInCode("Web/io.kinerjad.Review.varlink")]
        ),
        .target(
            name: "KinerjaCLI",
            dependencies: [
                "Varlink", "KinerjaSchedule", "KinerjaDomain", "KinerjaDemo", "KinerjaQR",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "kinerjad",
            dependencies: [
                "KinerjaDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "kinerjactl", dependencies: ["KinerjaCLI"]),
        // The sendmail program kinerjad.service runs: hands each message to kinerjad-mail.socket,
        // whose unit has the network the daemon does not. Glibc only.
        .executableTarget(name: "kinerjad-sendmail"),
        // The reviewers' and the public's web front: HTML over HTTP, talking to kinerjad only through
        // io.kinerjad.Review. It reads the daemon's configuration file (hence KinerjaDaemon, for the
        // loader) but opens no database.
        .target(
            name: "KinerjaWeb",
            dependencies: [
                "Varlink", "KinerjaDaemon", "KinerjaDomain", "KinerjaSystemd",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // ServerQuiescingHelper: a stop lets requests under way finish (what Hummingbird's own server does).
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [
                .embedInCode("Templates/layout.mustache"), .embedInCode("Templates/reviewer.mustache"),
                .embedInCode("Templates/survey.mustache"), .embedInCode("Templates/message.mustache"),
                .embedInCode("Templates/followup.mustache"), .embedInCode("Templates/value.mustache"),
                .embedInCode("Templates/style.css"),
            ]
        ),
        .executableTarget(
            name: "kinerja-web",
            dependencies: ["KinerjaWeb", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Benchmarks that print figures (make bench); not part of the tests.
        .executableTarget(
            name: "kinerja-bench",
            dependencies: [
                "Varlink", "KinerjaDomain", "KinerjaStore", "KinerjaDaemon",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Fuzz targets (docs/fuzzing.md): one property check per parser, shared by `make fuzz` and the tests.
        .target(
            name: "KinerjaFuzzTargets",
            dependencies: [
                "Varlink", "KinerjaDomain", "KinerjaSchedule", "KinerjaStore", "KinerjaDaemon", "KinerjaWeb",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // libFuzzer driver when built with `-D KINERJA_LIBFUZZER` (make fuzz); a corpus replayer otherwise.
        .executableTarget(name: "kinerja-fuzz", dependencies: ["KinerjaFuzzTargets"]),
        // Helpers for tests: temp dirs, a private journald, a notify socket, the built binaries.
        .target(
            name: "KinerjaTestSupport",
            dependencies: ["KinerjaSystemd", "Varlink"],
            path: "Tests/Support"
        ),
        .testTarget(name: "KinerjaDomainTests", dependencies: ["KinerjaDomain"]),
        .testTarget(name: "KinerjaScheduleTests", dependencies: ["KinerjaSchedule"]),
        .testTarget(name: "KinerjaDemoTests", dependencies: ["KinerjaDemo", "KinerjaDomain", "KinerjaStore"]),
        .testTarget(name: "KinerjaStoreTests", dependencies: ["KinerjaStore", "KinerjaDomain", "KinerjaDemo"]),
        .testTarget(
            name: "VarlinkTests",
            dependencies: [
                "Varlink", "KinerjaTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "KinerjaSystemdTests", dependencies: ["KinerjaSystemd", "KinerjaTestSupport"]),
        .testTarget(
            name: "KinerjaDaemonTests",
            dependencies: [
                "KinerjaDaemon", "KinerjaTestSupport", "KinerjaDemo", "KinerjaSystemd", "Varlink",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "KinerjaFuzzTests", dependencies: ["KinerjaFuzzTargets", "KinerjaDaemon", "KinerjaDomain"]),
        .testTarget(name: "IntegrationTests", dependencies: ["KinerjaTestSupport", "Varlink"]),
        .testTarget(name: "KinerjaWebTests", dependencies: ["KinerjaWeb", "KinerjaDaemon", "KinerjaSystemd", "Varlink"]),
    ],
    swiftLanguageModes: [.v6]
)
