import ArgumentParser
import Foundation

/// Options every kinerjactl command takes, before or after the command words.
public struct GlobalOptions: ParsableArguments, Sendable {
    public static let defaultSocket = "/run/kinerjad/admin.varlink"

    @Option(name: .long, help: ArgumentHelp(
        "The daemon's control socket (default: $KINERJAD_SOCKET, else \(defaultSocket)).", valueName: "path"))
    public var socket: String?

    @Flag(name: .long, help: """
        Print the reply as JSON (one document, stable keys) instead of tables. Lists arrive from the \
        daemon in parts; their JSON array is written element by element as the parts arrive, and is \
        still one document.
        """)
    public var json = false

    @Flag(name: [.short, .long], help: "Print nothing on success; errors still go to stderr.")
    public var quiet = false

    public init() {}

    /// The socket path to use: the option, then KINERJAD_SOCKET, then the packaged default.
    public var socketPath: String {
        if let socket { return socket }
        if let env = ProcessInfo.processInfo.environment["KINERJAD_SOCKET"], !env.isEmpty { return env }
        return Self.defaultSocket
    }
}

/// Exit statuses of kinerjactl (sysexits.h where one fits).
public enum CLIExit {
    public static let ok: Int32 = 0
    /// The daemon answered with a Varlink error.
    public static let varlinkError: Int32 = 1
    /// Bad command line (ArgumentParser's validation errors exit with this too).
    public static let usage: Int32 = 64
    /// The daemon could not be reached.
    public static let unavailable: Int32 = 69
    /// An output file could not be written (sysexits' EX_CANTCREAT).
    public static let cannotCreate: Int32 = 73
}
