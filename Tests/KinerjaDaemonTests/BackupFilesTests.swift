import Foundation
import KinerjaTestSupport
import Testing
@testable import KinerjaDaemon

@Suite("backup files")
struct BackupFilesTests {
    @Test("at start-up the unfinished copy a killed backup left is removed; finished backups and other files stay")
    func unfinishedRemoved() throws {
        let directory = try TemporaryDirectory(prefix: "kinerja-backups")
        let names = ["kinerja-20261129-170000.sqlite", "kinerja-20261129-171500.sqlite.1a2b3c4d.partial", "notes.partial",
                     "kinerja-20261129-172000.sqlite", "kinerja-20261129-172000.sqlite.partial"]
        for name in names {
            FileManager.default.createFile(atPath: directory.path(name), contents: Data("x".utf8))
        }
        let removed = BackupFiles.removeUnfinished(directory: directory.path)
        #expect(removed == [directory.path("kinerja-20261129-171500.sqlite.1a2b3c4d.partial"),
                            directory.path("kinerja-20261129-172000.sqlite.partial")])
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(left == ["kinerja-20261129-170000.sqlite", "kinerja-20261129-172000.sqlite", "notes.partial"])
        #expect(BackupFiles.removeUnfinished(directory: directory.path("missing")).isEmpty)
    }
}
