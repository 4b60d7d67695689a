import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// `kinerjactl survey poster` with real parts: a kinerjad with demo data and kinerja-web, the SVG
/// rendered to PNG by librsvg's rsvg-convert and the QR code read back by zbar's zbarimg (both
/// installed from Debian when missing). The PNG is kept in .build/artefacts/poster/.
@Suite("SurveyPoster", .serialized)
struct SurveyPosterTests {
    /// The path of `name` on PATH, installing Debian's `package` first when it is missing.
    static func tool(_ name: String, package: String) async throws -> String {
        func find() -> String? {
            (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
                .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        }
        if let path = find() { return path }
        let r = try await Subprocess.run("apt-get", arguments: ["install", "-y", "-qq", package],
                                         environment: Subprocess.environment(adding: ["DEBIAN_FRONTEND": "noninteractive"]),
                                         timeout: .seconds(300))
        #expect(r.status == .exited(0), "apt-get install \(package): \(r.standardErrorText)")
        return try #require(find(), "\(name) is still missing after installing \(package)")
    }

    static var artefacts: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/artefacts/poster").path
    }

    @Test("the poster's QR code decodes to exactly its link, which opens the unit's survey; earlier links stop working")
    func qrCodeDecodesToTheLink() async throws {
        let rsvg = try await Self.tool("rsvg-convert", package: "librsvg2-bin")
        let zbarimg = try await Self.tool("zbarimg", package: "zbar-tools")
        let s = try await WebFrontTests.start()
        let unit = try await s.kit.scalar("SELECT code FROM unit ORDER BY code LIMIT 1")
        let name = try await s.kit.scalar("SELECT name FROM unit WHERE code = '\(unit)'")
        let earlier = try s.path(of: try #require(try await s.ctlJSON(["survey", "link", unit])["url"]?.stringValue))
        #expect(try s.web.request("GET", earlier).status == 200)

        let svg = s.daemon.directory.path("poster.svg")
        let reply = try await s.ctlJSON(["survey", "poster", unit, "--out", svg])
        let url = try #require(reply["url"]?.stringValue)
        #expect(reply["file"]?.stringValue == svg)
        #expect(reply["unit_name"]?.stringValue == name)
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(text.contains(#"width="210mm" height="297mm""#))
        #expect(text.contains(name))
        #expect(text.contains("SURVEI KEPUASAN MASYARAKAT"))
        #expect(text.contains("Anonim") && text.contains("± 2 menit"))
        #expect(text.contains(">\(url)</text>"))

        // Rendered at 150 dpi (A4: 1240 × 1754 px) and read back: one symbol, exactly the link.
        try FileManager.default.createDirectory(atPath: Self.artefacts, withIntermediateDirectories: true)
        let png = Self.artefacts + "/poster.png"
        let rendered = try await Subprocess.run(rsvg, arguments: ["--width", "1240", "--background-color", "white", "-o", png, svg],
                                                timeout: .seconds(60))
        #expect(rendered.status == .exited(0), "\(rendered.standardErrorText)")
        let decoded = try await Subprocess.run(zbarimg, arguments: ["--quiet", "--raw", png], timeout: .seconds(60))
        #expect(decoded.status == .exited(0), "zbarimg: \(decoded.standardErrorText)")
        #expect(decoded.standardOutputText.split(separator: "\n") == [Substring(url)])

        // The link on the poster opens the unit's survey; the poster made a new link, so the earlier
        // one of the unit and period is refused.
        let page = try s.web.request("GET", try s.path(of: url))
        #expect(page.status == 200)
        #expect(page.body.contains(name))
        #expect(try s.web.request("GET", earlier).status == 404)
        try await s.stop()
    }

    @Test("an unknown unit, an unwritable --out or a file that is not .svg: a clear error, no file, no new link")
    func errorsChangeNothing() async throws {
        let s = try await WebFrontTests.start()
        let unit = try await s.kit.scalar("SELECT code FROM unit ORDER BY code LIMIT 1")
        let link = try s.path(of: try #require(try await s.ctlJSON(["survey", "link", unit])["url"]?.stringValue))
        let links = try await s.kit.scalar("SELECT COUNT(*) || '/' || COUNT(revoked_at) FROM survey_link")

        // A directory that does not exist: exit 73 naming the file, before the daemon is asked.
        let missing = s.daemon.directory.path("tidak-ada/poster.svg")
        let unwritable = try await s.kit.ctl(["survey", "poster", unit, "--out", missing])
        #expect(unwritable.status == .exited(73))
        #expect(unwritable.standardErrorText.contains("cannot write \(missing)"))
        #expect(unwritable.standardErrorText.contains("No such file or directory"))
        // A directory as --out.
        let directory = try await s.kit.ctl(["survey", "poster", unit, "--out", s.daemon.directory.path])
        #expect(directory.status == .exited(64), "\(directory.standardErrorText)")
        let folder = s.daemon.directory.path("folder.svg")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let intoFolder = try await s.kit.ctl(["survey", "poster", unit, "--out", folder])
        #expect(intoFolder.status == .exited(73))
        #expect(intoFolder.standardErrorText.contains("it is a directory"))

        // An unknown unit: the daemon's error names it; an existing file is left as it was and no
        // temporary file is left beside it.
        let out = s.daemon.directory.path("poster.svg")
        try "lama".write(toFile: out, atomically: true, encoding: .utf8)
        let unknown = try await s.kit.ctl(["survey", "poster", "TIDAK-ADA", "--out", out])
        #expect(unknown.status == .exited(1))
        #expect(unknown.standardErrorText.contains("TIDAK-ADA") && unknown.standardErrorText.contains("unit"))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "lama")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: s.daemon.directory.path).filter { $0.hasPrefix(".poster.svg.") }
        #expect(leftovers.isEmpty)

        // Not an SVG name: refused with the way to a PDF.
        let pdf = try await s.kit.ctl(["survey", "poster", unit, "--out", s.daemon.directory.path("poster.pdf")])
        #expect(pdf.status == .exited(64))
        #expect(pdf.standardErrorText.contains("rsvg-convert -f pdf"))
        #expect(!FileManager.default.fileExists(atPath: s.daemon.directory.path("poster.pdf")))

        // None of it made or revoked a link: the earlier one still works.
        #expect(try await s.kit.scalar("SELECT COUNT(*) || '/' || COUNT(revoked_at) FROM survey_link") == links)
        #expect(try s.web.request("GET", link).status == 200)
        try await s.stop()
    }
}
