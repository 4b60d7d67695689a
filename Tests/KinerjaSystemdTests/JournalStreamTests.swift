import Foundation
import KinerjaSystemd
import KinerjaTestSupport
import Testing

@Suite("JournalStream detection")
struct JournalStreamTests {
    @Test("JOURNAL_STREAM parses as DEVICE:INODE", arguments: [
        ("2049:1234567", JournalStream.Identity(device: 2049, inode: 1234567)),
        ("0:0", JournalStream.Identity(device: 0, inode: 0)),
    ])
    func parses(text: String, identity: JournalStream.Identity) {
        #expect(JournalStream.Identity(parsing: text) == identity)
    }

    @Test("malformed JOURNAL_STREAM values are rejected", arguments: ["", "12", "12:", ":34", "12:34:56", "a:1", "-1:2", " 1:2"])
    func rejects(text: String) {
        #expect(JournalStream.Identity(parsing: text) == nil)
    }

    @Test("a descriptor matches only the device and inode it really has")
    func matchesDescriptor() async throws {
        try await TemporaryDirectory.with { directory in
            let capture = try FileCapture(directory.path("stream"))
            let other = try FileCapture(directory.path("other"))
            let identity = try #require(JournalStream.Identity(fileDescriptor: capture.writer.fileDescriptor))
            let text = "\(identity.device):\(identity.inode)"
            #expect(JournalStream.matches(journalStream: text, fileDescriptor: capture.writer.fileDescriptor))
            #expect(!JournalStream.matches(journalStream: text, fileDescriptor: other.writer.fileDescriptor))
            #expect(!JournalStream.matches(journalStream: "\(identity.device):\(identity.inode + 1)", fileDescriptor: capture.writer.fileDescriptor))
            #expect(!JournalStream.matches(journalStream: nil, fileDescriptor: capture.writer.fileDescriptor))
            #expect(!JournalStream.matches(journalStream: text, fileDescriptor: -1))
        }
    }

    @Test("stderrIsJournal follows JOURNAL_STREAM against the real stderr")
    func stderrDetection() async {
        await #expect(processExitsWith: .success) {
            unsetenv("JOURNAL_STREAM")
            #expect(!JournalStream.stderrIsJournal())
            let identity = try #require(JournalStream.Identity(fileDescriptor: STDERR_FILENO))
            setenv("JOURNAL_STREAM", "\(identity.device):\(identity.inode)", 1)
            #expect(JournalStream.stderrIsJournal())
            setenv("JOURNAL_STREAM", "\(identity.device):\(identity.inode &+ 1)", 1)
            #expect(!JournalStream.stderrIsJournal())
        }
    }
}
