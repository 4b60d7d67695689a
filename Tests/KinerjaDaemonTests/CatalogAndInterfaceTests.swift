import Foundation
import KinerjaTestSupport
import Testing
import Varlink
@testable import KinerjaDaemon

@Suite("Journal catalog and control interface declarations")
struct CatalogAndInterfaceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("every MESSAGE_ID the code declares has an English and an Indonesian catalog entry, and journalctl accepts the catalog")
    func catalogCoversEveryMessageID() async throws {
        let catalogPath = Self.root.appendingPathComponent("systemd/kinerjad.catalog").path
        let text = try String(contentsOfFile: catalogPath, encoding: .utf8)
        for id in MessageIDs.all {
            #expect(text.contains("-- \(id)\n"), "no English entry for \(id)")
            #expect(text.contains("-- \(id) id\n"), "no Indonesian entry for \(id)")
        }
        #expect(Set(MessageIDs.all).count == MessageIDs.all.count, "duplicate MESSAGE_ID")

        // journalctl builds its catalog database from the file under a private root.
        let rootDir = try TemporaryDirectory(prefix: "kinerja-catalog")
        try FileManager.default.createDirectory(atPath: rootDir.path("usr/lib/systemd/catalog"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: rootDir.path("var/lib/systemd/catalog"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: catalogPath, toPath: rootDir.path("usr/lib/systemd/catalog/kinerjad.catalog"))
        let update = try await Subprocess.run("journalctl", arguments: ["--root=\(rootDir.path)", "--update-catalog"], timeout: .seconds(30))
        #expect(update.status == .exited(0), "\(update.standardErrorText)")
        let list = try await Subprocess.run("journalctl", arguments: ["--root=\(rootDir.path)", "--list-catalog"], timeout: .seconds(30))
        for id in MessageIDs.all {
            #expect(list.standardOutputText.contains(id), "journalctl --list-catalog lacks \(id)")
        }
    }

    @Test("every method in io.kinerjad.Admin has a handler, and every handler a method")
    func everyMethodHandled() throws {
        let interface = try VarlinkInterface(parsing: AdminService.idl)
        #expect(interface.name == AdminService.interfaceName)
        let declared = Set(interface.methods.map(\.name))
        #expect(declared == Set(AdminHandlers.all.keys))
    }

    /// Every method names its class, and only these carry no personal data: a method added
    /// without thought (or a typo in its tag) is admin, and this list must change on purpose.
    @Test("access classes: every method tagged; public and read only where no personal data is shown")
    func accessClasses() throws {
        let interface = try VarlinkInterface(parsing: AdminService.idl)
        let untagged = interface.methods.filter { $0.accessTag == nil }.map(\.name)
        #expect(untagged.isEmpty, "methods without [access: …]: \(untagged)")
        let open = Dictionary(uniqueKeysWithValues: interface.methods.filter { $0.accessClass < .admin }.map { ($0.name, $0.accessClass) })
        #expect(open == ["Ping": .public, "GetStatus": .public, "ListJobs": .read, "JobHistory": .read,
                         "ListCycles": .read, "GetCycle": .read, "SurveyStats": .read])
    }
}
