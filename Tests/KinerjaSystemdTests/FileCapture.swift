import Foundation
import KinerjaSystemd
import KinerjaTestSupport

/// A file that a FileDescriptorWriter writes to, read back line by line.
final class FileCapture {
    let path: String
    let writer: FileDescriptorWriter

    init(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw TestSupportError("open \(path): \(describeErrno())") }
        self.path = path
        self.writer = FileDescriptorWriter(fileDescriptor: fd)
    }

    deinit { close(writer.fileDescriptor) }

    func lines() throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }
}
