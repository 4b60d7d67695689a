import Foundation
import KinerjaFuzzTargets

#if KINERJA_LIBFUZZER
// Built by `make fuzz` with `-sanitize=fuzzer,address`: libFuzzer provides `main` and calls this for
// every input. The target is chosen with the environment variable KINERJA_FUZZ_TARGET.

/// The target named by `KINERJA_FUZZ_TARGET`, chosen once.
let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["KINERJA_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("kinerja-fuzz: set KINERJA_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    do {
        try selectedTarget.check(bytes)
    } catch {
        preconditionFailure("\(error)")
    }
    return 0
}
#else
/// Replays inputs through a fuzz target without libFuzzer (what the tests do, for a crash file to
/// be examined in a debugger): `kinerja-fuzz TARGET FILE...`. Exits 1 on the first property that
/// does not hold.
@main
struct FuzzReplay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count >= 2 else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("usage: kinerja-fuzz TARGET FILE...\ntargets: \(names)\n".utf8))
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("kinerja-fuzz: cannot read \(path)\n".utf8))
                exit(2)
            }
            do {
                try target.check(Array(data))
                print("\(path): ok")
            } catch {
                print("\(path): \(error)")
                exit(1)
            }
        }
    }
}
#endif
