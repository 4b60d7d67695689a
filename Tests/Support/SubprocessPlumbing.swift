import Foundation
import Synchronization

/// A pipe whose both ends have `O_CLOEXEC` from the start (pipe2(2), which Swift's Glibc module
/// does not import), so no child spawned meanwhile by another thread inherits them.
struct Pipe2 {
    let read: Int32
    let write: Int32

    private typealias Pipe2Function = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    init() throws {
        guard let symbol = dlsym(nil, "pipe2") else { throw TestSupportError("this C library has no pipe2") }
        var fds: [Int32] = [-1, -1]
        guard unsafeBitCast(symbol, to: Pipe2Function.self)(&fds, O_CLOEXEC) == 0 else {
            throw TestSupportError("pipe2 failed: \(describeErrno())")
        }
        read = fds[0]
        write = fds[1]
    }
}

/// Reads a descriptor to end of file on a thread of its own, keeping everything read.
final class OutputCapture: Sendable {
    private let state = Mutex<(bytes: [UInt8], finished: Bool)>(([], false))

    init(fileDescriptor: Int32, name: String) {
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { Foundation.read(fileDescriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                state.withLock { $0.bytes.append(contentsOf: buffer[0..<count]) }
            }
            close(fileDescriptor)
            state.withLock { $0.finished = true }
        }
        thread.name = name
        thread.start()
    }

    var bytes: [UInt8] { state.withLock { $0.bytes } }
    var isFinished: Bool { state.withLock { $0.finished } }
}

/// Writes a child's stdin on a thread of its own, then closes it.
enum InputFeeder {
    static func start(_ bytes: [UInt8], fileDescriptor: Int32) {
        guard !bytes.isEmpty else {
            close(fileDescriptor)
            return
        }
        let thread = Thread {
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    if written <= 0 { break }
                    offset += written
                }
            }
            close(fileDescriptor)
        }
        thread.start()
    }
}

/// NUL-terminated C strings for argv/envp, alive for the duration of a call.
struct CStringArray {
    private let strings: [String]

    init(_ strings: [String]) { self.strings = strings }

    func withPointers<Result>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result) -> Result {
        let duplicates = strings.map { strdup($0) }
        defer { duplicates.forEach { free($0) } }
        return (duplicates + [nil]).withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// glibc's posix_spawn extensions, declared only under `_GNU_SOURCE` and so not imported by
/// Swift's Glibc module: looked up in the C library at run time.
enum SpawnExtensions {
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// posix_spawn_file_actions_addclosefrom_np (glibc 2.34): the child closes every fd ≥ `lowest`.
    static func closeFrom(_ lowest: Int32, in actions: inout posix_spawn_file_actions_t) throws {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
            throw TestSupportError("this C library has no posix_spawn_file_actions_addclosefrom_np (glibc 2.34+ needed)")
        }
        let result = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, lowest)
        if result != 0 {
            throw TestSupportError("posix_spawn_file_actions_addclosefrom_np failed: \(describeErrno(result))")
        }
    }

    /// posix_spawn_file_actions_addchdir_np (glibc 2.29): the child changes directory first.
    static func changeDirectory(to path: String, in actions: inout posix_spawn_file_actions_t) throws {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else {
            throw TestSupportError("this C library has no posix_spawn_file_actions_addchdir_np (glibc 2.29+ needed)")
        }
        let result = unsafeBitCast(symbol, to: ChangeDirectory.self)(&actions, path)
        if result != 0 {
            throw TestSupportError("posix_spawn_file_actions_addchdir_np(\(path)) failed: \(describeErrno(result))")
        }
    }
}
