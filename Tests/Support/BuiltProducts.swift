import Foundation

/// Finds the executables that `swift build` made: the directory of the running test bundle
/// (`.build/debug` or `.build/<triple>/debug`), or `$KINERJAD_BIN_DIR` when set.
///
/// ```swift
/// let daemon = try Subprocess.launch(try BuiltProducts.kinerjad, arguments: ["--check-config", …])
/// ```
public enum BuiltProducts {
    /// The directory that holds the built executables.
    public static var directory: String {
        if let override = ProcessInfo.processInfo.environment["KINERJAD_BIN_DIR"], !override.isEmpty {
            return override
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return (executable as NSString).deletingLastPathComponent
    }

    /// The path of the built executable `name`.
    /// - Throws: ``TestSupportError`` naming the path when it is missing or not executable.
    public static func executable(named name: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestSupportError(
                "no executable \(name) at \(path); build it first (swift build --product \(name)) or set KINERJAD_BIN_DIR"
            )
        }
        return path
    }

    /// The daemon, `kinerjad`.
    public static var kinerjad: String { get throws { try executable(named: "kinerjad") } }

    /// The admin client, `kinerjactl`.
    public static var kinerjactl: String { get throws { try executable(named: "kinerjactl") } }
}
