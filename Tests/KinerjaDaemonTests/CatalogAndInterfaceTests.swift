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

    @Test("read-only marking: only status-like methods are read-only")
    func readOnlyMethods() throws {
        let interface = try VarlinkInterface(parsing: AdminService.idl)
        let readOnly = Set(interface.methods.filter(\.isReadOnly).map(\.name))
        #expect(readOnly.isSuperset(of: ["Ping", "GetStatus"]))
        #expect(readOnly.isDisjoint(with: ["Reload", "SetLogLevel", "Backup"]))
    }
}
