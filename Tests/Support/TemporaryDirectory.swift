import Foundation
import Synchronization

/// A fresh directory under /tmp (short paths, so Unix socket paths inside it fit the 108-byte
/// limit), removed with everything in it by ``remove()`` or when the value is released.
///
/// ```swift
/// let directory = try TemporaryDirectory()
/// let database = directory.path("kinerja.sqlite")
/// ```
public final class TemporaryDirectory: Sendable {
    /// The absolute path, e.g. `/tmp/kinerja-test-Ab12Cd`.
    public let path: String
    private let removed = Mutex(false)

    /// Creates the directory with mkdtemp(3).
    /// - Parameter prefix: the start of the directory's name.
    public init(prefix: String = "kinerja-test") throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            mkdtemp(buffer.baseAddress!)
        }
        guard created != nil else {
            throw TestSupportError("mkdtemp /tmp/\(prefix)-XXXXXX failed: \(describeErrno())")
        }
        self.path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { remove() }

    /// The path of `name` inside this directory.
    public func path(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }

    /// Deletes the directory and its contents; later calls do nothing.
    public func remove() {
        let first = removed.withLock { removed in
            defer { removed = true }
            return !removed
        }
        if first { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Runs `body` with a new directory and removes it afterwards, whether `body` throws or not.
    public static func with<Result>(
        prefix: String = "kinerja-test",
        _ body: (TemporaryDirectory) async throws -> Result
    ) async throws -> Result {
        let directory = try TemporaryDirectory(prefix: prefix)
        defer { directory.remove() }
        return try await body(directory)
    }
}
