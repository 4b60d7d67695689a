import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// Every kinerjactl command that takes or prints a time, against a real daemon, with the daemon and
/// kinerjactl in a system zone (America/New_York) other than `cycles.time_zone` (Asia/Jakarta):
/// times without an offset are read in Asia/Jakarta, every time printed carries +07:00, and `--json`
/// carries RFC 3339 with that offset.
@Suite("one time zone across kinerjactl", .serialized)
struct TimeZoneWalkTests {
    static let elsewhere = ["TZ": "America/New_York"]

    struct Kit {
        let daemon: DaemonHarness

        func ctl(_ arguments: [String]) async throws -> Subprocess.Completed {
            try await Subprocess.run(try BuiltProducts.kinerjactl, arguments: ["--socket", daemon.socketPath] + arguments,
                                     environment: Subprocess.environment(adding: TimeZoneWalkTests.elsewhere), timeout: .seconds(120))
        }

        /// Runs a command that must succeed and returns its standard output.
        func ok(_ arguments: [String]) async throws -> String {
            let r = try await ctl(arguments)
            #expect(r.status == .exited(0), "\(arguments): \(r.standardErrorText)")
            return r.standardOutputText
        }

        func json(_ arguments: [String]) async throws -> JSONValue {
            try JSONValue(parsing: try await ok(["--json"] + arguments))
        }
    }

    /// Every clock time in `text` (HH:MM:SS) is followed by the +07:00 offset, directly (RFC 3339) or
    /// after a space (tables); no other zone's notation appears. A job's calendar expression names
    /// its own zone (`*-*-* 02:30:00 Asia/Jakarta`): that is the schedule as configured, not a time
    /// shown, and is skipped.
    static func checkShownInJakarta(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let times = try! NSRegularExpression(pattern: #"\d{2}:\d{2}:\d{2}(?:\.\d+)?(?! [A-Z][a-z]+/)( ?[+-]\d{2}:?\d{2}| ?[A-Z]{3,4}\b|Z)?"#)
        let range = NSRange(text.startIndex..., in: text)
        var seen = 0
        for match in times.matches(in: text, range: range) {
            seen += 1
            let zone = match.range(at: 1).location == NSNotFound ? "" : (text as NSString).substring(with: match.range(at: 1))
            #expect(zone.trimmingCharacters(in: .whitespaces) == "+07:00",
                    "\(what): '\((text as NSString).substring(with: match.range))' is not shown with +07:00",
                    sourceLocation: sourceLocation)
        }
        #expect(seen > 0, "\(what) shows no time at all", sourceLocation: sourceLocation)
    }

    @Test("times in and out of every command that takes or prints one are in cycles.time_zone")
    func walk() async throws {
        var options = DaemonHarness.Options()
        options.environment = Self.elsewhere
        options.extraConfig = """
            cycles:
              time_zone: Asia/Jakarta
            mail:
              channel: journal
            reminders:
              working_hours: "Mon..Sun 00:00..23:59"
              holidays: []
            jobs:
              schedule:
                reminder-sweep: "off"
                outbox-delivery: "off"
            """
        let daemon = try await DaemonHarness.start(options)
        let kit = Kit(daemon: daemon)
        let dir = daemon.directory
        _ = try await kit.ok(["demo", "generate", "--employees", "30", "--periods", "1", "--seed", "4", "--out", dir.path("demo"),
                              "--first-period", "2025-Q1"])
        _ = try await kit.ok(["import", "units", dir.path("demo") + "/units.csv"])
        _ = try await kit.ok(["import", "employees", dir.path("demo") + "/employees.csv"])

        // cycles open --opened-at: offset-less, read in Jakarta; shown in Jakarta.
        let opened = try await kit.json(["cycles", "open", "2025-Q1", "--opened-at", "2025-04-01 08:00"])
        #expect(opened["cycle"]?["opened_at"]?.stringValue == "2025-04-01T08:00:00+07:00")
        #expect(opened["cycle"]?["due_at"]?.stringValue == "2025-04-15T08:00:00+07:00")
        Self.checkShownInJakarta(try await kit.ok(["cycles", "open", "2025-Q2", "--early", "--opened-at", "2025-04-02T09:30"]),
                                 "cycles open")
        Self.checkShownInJakarta(try await kit.ok(["cycles", "show", "2025-Q1", "--at", "2025-04-20T09:00"]), "cycles show")

        // reviews submit --submitted-at, reviews list, reviews overdue --at.
        let list = try await kit.json(["reviews", "list", "--cycle", "2025-Q1", "--role", "rekan", "--limit", "2"])
        let ids = (list.arrayValue ?? list["assignments"]?.arrayValue ?? []).compactMap { $0["id"]?.intValue }
        try #require(ids.count == 2, "\(list)")
        let submitted = try await kit.json(["reviews", "submit", "--assignment", "\(ids[0])", "--scores", "4,4,4,4,4,4,4",
                                            "--submitted-at", "2025-04-02T10:00"])
        #expect(submitted["assignment"]?["submitted_at"]?.stringValue == "2025-04-02T10:00:00+07:00")
        Self.checkShownInJakarta(try await kit.ok(["reviews", "list", "--cycle", "2025-Q1", "--status", "submitted"]), "reviews list")
        let overdue = try await kit.json(["reviews", "overdue", "--cycle", "2025-Q1", "--at", "2025-04-15T08:01", "--limit", "1"])
        #expect((overdue.arrayValue ?? overdue["assignments"]?.arrayValue ?? []).count == 1, "\(overdue)")
        let notYet = try await kit.json(["reviews", "overdue", "--cycle", "2025-Q1", "--at", "2025-04-15T07:59"])
        #expect((notYet.arrayValue ?? notYet["assignments"]?.arrayValue ?? []).isEmpty, "\(notYet)")

        // An error message about times: both in Jakarta.
        let early = try await kit.ctl(["reviews", "submit", "--assignment", "\(ids[1])", "--scores", "4,4,4,4,4,4,4",
                                       "--submitted-at", "2025-04-01T07:00"])
        #expect(early.status == .exited(1))
        #expect(early.standardErrorText.contains("submitted_at 2025-04-01T07:00:00+07:00 is before cycle 2025-Q1 opened (2025-04-01T08:00:00+07:00)"),
                "\(early.standardErrorText)")

        // reminders preview --at (offset-less and a systemd timestamp), then the outbox.
        let preview = try await kit.json(["reminders", "preview", "--at", "2025-04-16T09:00"])
        #expect(preview["at"]?.stringValue == "2025-04-16T09:00:00+07:00" || preview.arrayValue != nil)
        let previewText = try await kit.ok(["reminders", "preview", "--at", "2025-04-16 09:00"])
        #expect(previewText.hasPrefix("At 2025-04-16 09:00:00 +07:00"), "\(previewText.prefix(200))")
        _ = try await kit.ok(["reminders", "send-now"])
        Self.checkShownInJakarta(try await kit.ok(["reminders", "list"]), "reminders list")
        let messages = try await kit.json(["reminders", "list"])
        let first = try #require(messages["messages"]?.arrayValue?.first, "\(messages)")
        #expect(first["created_at"]?.stringValue?.hasSuffix("+07:00") == true)
        let shown = try await kit.ok(["reminders", "show", "\(first["id"]?.intValue ?? 0)"])
        Self.checkShownInJakarta(shown.components(separatedBy: "\n\n").first ?? shown, "reminders show")

        // cycles close --closed-at, cycles list, status, jobs, jobs history.
        let closed = try await kit.json(["cycles", "close", "2025-Q1", "--force", "--reason", "uji zona waktu",
                                         "--closed-at", "2025-04-20 09:00"])
        #expect(closed["cycle"]?["closed_at"]?.stringValue == "2025-04-20T09:00:00+07:00")
        Self.checkShownInJakarta(try await kit.ok(["cycles", "show", "2025-Q1"]), "cycles show (closed)")
        Self.checkShownInJakarta(try await kit.ok(["status"]), "status")
        _ = try await kit.ok(["jobs", "run", "maintenance"])
        Self.checkShownInJakarta(try await kit.ok(["jobs"]), "jobs")
        Self.checkShownInJakarta(try await kit.ok(["jobs", "history", "maintenance"]), "jobs history")
        let jobs = try await kit.json(["jobs"])
        for job in jobs.arrayValue ?? [] {
            for key in ["last_run", "next_run"] {
                if let text = job[key]?.stringValue { #expect(text.hasSuffix("+07:00"), "\(key): \(text)") }
            }
        }
        #expect(try await daemon.stop() == .exited(0))
    }
}
