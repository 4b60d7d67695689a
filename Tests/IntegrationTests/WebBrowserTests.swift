import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// A real headless Chromium (Debian's, driven by Playwright for Python: tools/web-browser-check.py)
/// against a real kinerjad and kinerja-web, starting from a reminder delivered through msmtp to an
/// aiosmtpd sink. Screenshots go to .build/artefacts/web/.
@Suite("WebBrowser", .serialized)
struct WebBrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let artefacts = root.appendingPathComponent(".build/artefacts/web").path

    /// Runs one step of the browser script; its `key value` lines.
    static func browser(_ arguments: [String]) async throws -> [(String, String)] {
        let script = root.appendingPathComponent("tools/web-browser-check.py").path
        let r = try await Subprocess.run("python3", arguments: [script] + arguments, environment: Subprocess.environment(),
                                         timeout: .seconds(240))
        #expect(r.status == .exited(0), "web-browser-check.py \(arguments[0]): \(r.standardErrorText)\n\(r.standardOutputText)")
        return r.standardOutputText.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
    }

    @Test("""
        from the reminder in the SMTP sink: its link, two reviews by keyboard only, a revision without JavaScript, 403 \
        without the anti-forgery value; reviews list shows them from the web and the next sweep leaves them out; the \
        survey raises count and IKM and refuses a second answer politely; closed, forged, expired and revoked links
        """)
    func fromReminderToSubmittedReviews() async throws {
        let sink = try await SMTPSink.start()
        var options = ReminderSweepTests.options(sink: sink, schedule: "    reminder-sweep: \"off\"\n    outbox-delivery: \"off\"")
        // Opened 13 days ago (cycles.due_after 14d; every day is a working day here): the reviews are due
        // tomorrow, so the sweep reminds at once (reminders.before 3d) and they can still be filled in.
        let s = try await WebFrontTests.start(options: options, openedAt: Date().addingTimeInterval(-13 * 86_400))
        let reviewer = try await s.kit.scalar("""
            SELECT a.reviewer_nip FROM assignment_named a JOIN cycle c ON c.id = a.cycle_id AND c.status = 'open'
            JOIN employee e ON e.nip = a.reviewer_nip WHERE coalesce(e.email, '') != ''
            GROUP BY a.reviewer_nip HAVING COUNT(*) >= 3 ORDER BY a.reviewer_nip LIMIT 1
            """)
        let email = try await s.kit.scalar("SELECT email FROM employee WHERE nip = '\(reviewer)'")
        #expect(reviewer.count == 18 && email.contains("@"))

        // The reminders go out through msmtp; the reviewer's carries a link made at delivery.
        let sent = try await s.kit.ctl(["reminders", "send-now"])
        #expect(sent.status == .exited(0), "\(sent.standardErrorText)")
        try await waitUntil("the reminder to \(email) reached the sink", timeout: .seconds(30), interval: .milliseconds(100)) {
            try sink.messages().contains { $0.recipients.contains(email) }
        }
        let steps = try await Self.browser(["reminder", sink.directory.path("mail"), email, Self.artefacts])
        let link = try #require(steps.first { $0.0 == "link" }?.1)
        let path = try s.path(of: link)
        let submitted = steps.filter { $0.0 == "submitted" }.compactMap { Int64($0.1) }
        #expect(submitted.count == 2)
        let revised = steps.first { $0.0 == "revised" }.flatMap { Int64($0.1) }
        #expect(revised == submitted.first)
        let forbidden = try #require(steps.first { $0.0 == "forbidden" }.flatMap { Int64($0.1) })

        // The outbox never held the token: only the link's SHA-256 is stored, made for that message.
        let token = String(path.dropFirst(3))
        #expect(try await s.kit.scalar("SELECT COUNT(*) FROM outbox_text WHERE instr(body, '\(token)') > 0 OR instr(body, '/r/') > 0") == "0")
        #expect(try await s.kit.scalar("SELECT COUNT(*) FROM review_link_named WHERE reviewer_nip = '\(reviewer)' AND created_by LIKE 'outbox %'") == "1")
        for file in [s.daemon.databasePath, s.daemon.databasePath + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(bytes.range(of: Data(token.utf8)) == nil, "the token is in \(file)")
        }

        // kinerjactl reviews list: both submitted from the web; the revision kept; the forged form stored nothing.
        let list = try await s.ctlJSON(["reviews", "list", "--cycle", s.cycle, "--reviewer", reviewer, "--status", "submitted"])
        let rows = list.arrayValue ?? []
        #expect(Set(rows.compactMap { $0["id"]?.intValue }) == Set(submitted), "\(list)")
        #expect(rows.allSatisfy { $0["source"]?.stringValue == "web" }, "\(list)")
        let human = try await s.kit.ctl(["reviews", "list", "--cycle", s.cycle, "--reviewer", reviewer, "--status", "submitted"])
        #expect(human.standardOutputText.components(separatedBy: "(web)").count == 3, "\(human.standardOutputText)")
        if let revised {
            #expect(try await s.kit.scalar("SELECT akuntabel || ' ' || (revised_at IS NOT NULL) FROM review WHERE assignment_id = \(revised)") == "5 1")
        }
        #expect(try await s.kit.scalar("SELECT COUNT(*) FROM review WHERE assignment_id = \(forbidden)") == "0")

        // The next sweep (on the due date) reminds the reviewer of what is still open, not of the two reviews.
        let dueAt = try #require(rows.first?["due_at"]?.stringValue)
        let dueDay = try await s.kit.call("PreviewReminders", ["at": .string(dueAt)])
        let mine = (dueDay["messages"]?.arrayValue ?? []).filter { $0["recipient"]?.stringValue == reviewer }
        #expect(mine.count == 1, "\(dueDay)")
        let stages = mine.flatMap { $0["stages"]?.arrayValue ?? [] }.compactMap(\.stringValue)
        #expect(stages.contains { $0.hasPrefix("\(forbidden):") }, "\(stages)")
        for id in submitted { #expect(!stages.contains { $0.hasPrefix("\(id):") }, "\(stages)") }
        let owed = try await s.kit.scalar("SELECT COUNT(*) FROM assignment_named a JOIN cycle c ON c.id = a.cycle_id AND c.status = 'open' WHERE a.reviewer_nip = '\(reviewer)' AND a.submitted_at IS NULL")
        #expect(mine.first?["body"]?.stringValue?.contains("masih ada \(owed) penilaian") == true, "\(mine)")

        // The survey: two imported answers, then one through the browser raises the count and the IKM.
        let unit = try await s.kit.scalar("SELECT code FROM unit ORDER BY code LIMIT 1")
        let csv = s.daemon.directory.path("skm.csv")
        try ("unit,period,u1,u2,u3,u4,u5,u6,u7,u8,u9\n" + String(repeating: "\(unit),\(s.cycle),2,2,2,2,2,2,2,2,2\n", count: 2))
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let imported = try await s.kit.ctl(["import", "skm", csv])
        #expect(imported.status == .exited(0), "\(imported.standardErrorText)")
        let before = try await s.ctlJSON(["survey", "stats", unit])
        #expect(before["respondents"]?.intValue == 2 && before["ikm"]?.doubleValue == 50)
        let survey = try #require(try await s.ctlJSON(["survey", "link", unit])["url"]?.stringValue)
        _ = try await Self.browser(["survey", survey, Self.artefacts])
        let after = try await s.ctlJSON(["survey", "stats", unit])
        #expect(after["respondents"]?.intValue == 3 && after["web"]?.intValue == 1 && after["import"]?.intValue == 2, "\(after)")
        #expect(after["ikm"]?.doubleValue == 66.67, "\(after)")
        #expect(try await s.kit.scalar("""
            SELECT age_band || '|' || sex || '|' || education || '|' || occupation || '|' || service FROM skm_response
            WHERE unit_code = '\(unit)' AND source = 'web'
            """) == "30_39|P|S1|WIRAUSAHA|Perizinan usaha")

        // Forged, expired and revoked links get the one error page.
        let others = try await s.kit.scalar("""
            SELECT group_concat(reviewer_nip) FROM (SELECT DISTINCT a.reviewer_nip FROM assignment_named a JOIN cycle c ON c.id = a.cycle_id
            AND c.status = 'open' WHERE a.reviewer_nip != '\(reviewer)' ORDER BY a.reviewer_nip LIMIT 2)
            """).split(separator: ",").map(String.init)
        #expect(others.count == 2)
        let revokedURL = try #require(try await s.ctlJSON(["reviews", "link", "--reviewer", others[0]])["url"]?.stringValue)
        _ = try await s.ctlJSON(["reviews", "link", "--reviewer", others[0], "--revoke"])
        let expiredURL = try #require(try await s.ctlJSON(["reviews", "link", "--reviewer", others[1]])["url"]?.stringValue)
        try await s.kit.execute("UPDATE review_link SET expires_at = '2000-01-01 00:00:00.000' WHERE reviewer_id = (SELECT id FROM person WHERE nip = '\(others[1])')")
        let forged = "http://127.0.0.1:\(s.web.port)/r/" + String(repeating: "A", count: 43)
        _ = try await Self.browser(["refused", Self.artefacts, forged, expiredURL, revokedURL])

        // Once the cycle is closed, the reminder's link shows the page read-only.
        let closed = try await s.kit.ctl(["cycles", "close", s.cycle, "--force", "--reason", "akhir periode uji"])
        #expect(closed.status == .exited(0), "\(closed.standardErrorText)")
        _ = try await Self.browser(["closed", link, Self.artefacts])

        for name in ["reviewer-360x740.png", "reviewer-1280x800.png", "survey-360x740.png", "survey-1280x800.png",
                     "closed-360x740.png", "invalid-link-360x740.png", "forbidden-360x740.png"] {
            #expect(FileManager.default.fileExists(atPath: Self.artefacts + "/" + name), "no \(name)")
        }
        try await s.stop()
        await sink.stop()
    }
}
