import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// A real headless Chromium (Debian's, driven by Playwright for Python: tools/web-browser-check.py)
/// against a real kinerjad and kinerja-web. Screenshots go to .build/artefacts/web/.
@Suite("WebBrowser", .serialized)
struct WebBrowserTests {
    @Test("two reviews by keyboard only, no horizontal scroll at 360 px, every control named, survey without JavaScript")
    func keyboardAndLayout() async throws {
        let s = try await WebFrontTests.start()
        // A reviewer with at least two assignments (self plus one more at least).
        let reviewer = try await s.kit.scalar("""
            SELECT reviewer_nip FROM assignment a JOIN cycle c ON c.id = a.cycle_id AND c.status = 'open'
            WHERE a.role != 'atasan' GROUP BY reviewer_nip HAVING COUNT(*) >= 3 ORDER BY reviewer_nip LIMIT 1
            """)
        let review = try #require(try await s.ctlJSON(["reviews", "link", "--reviewer", reviewer])["url"]?.stringValue)
        let unit = try await s.kit.scalar("SELECT code FROM unit ORDER BY code LIMIT 1")
        let survey = try #require(try await s.ctlJSON(["survey", "link", unit])["url"]?.stringValue)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("tools/web-browser-check.py").path
        let artefacts = root.appendingPathComponent(".build/artefacts/web").path
        let r = try await Subprocess.run("python3", arguments: [script, review, survey, artefacts], environment: Subprocess.environment(),
                                         timeout: .seconds(240))
        #expect(r.status == .exited(0), "\(r.standardErrorText)\n\(r.standardOutputText)")
        let submitted = r.standardOutputText.split(separator: "\n").filter { $0.hasPrefix("submitted ") }.map { $0.dropFirst(10) }
        #expect(submitted.count == 2)
        for id in submitted {
            #expect(try await s.kit.scalar("SELECT source FROM review WHERE assignment_id = \(id)") == "web")
        }
        #expect(try await s.kit.scalar("SELECT COUNT(*) FROM skm_response WHERE unit_code = '\(unit)' AND source = 'web'") == "1")
        for name in ["reviewer-360x740.png", "reviewer-1280x800.png", "survey-360x740.png"] {
            #expect(FileManager.default.fileExists(atPath: artefacts + "/" + name))
        }
        try await s.stop()
    }
}
