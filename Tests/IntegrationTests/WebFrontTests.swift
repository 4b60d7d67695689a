import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// The web front end to end with real parts: a kinerjad with demo data and an open cycle, a
/// kinerja-web on a loopback port, links made with kinerjactl, and HTTP requests on a raw socket.
@Suite("WebFront", .serialized)
struct WebFrontTests {
    struct Setup {
        let daemon: DaemonHarness
        let web: WebFrontHarness
        let kit: CyclesKit
        let cycle: String
        /// The port of web.listen.
        let listen: Int

        func stop() async throws {
            try await web.stop()
            try await daemon.stop()
        }

        func ctlJSON(_ arguments: [String]) async throws -> JSONValue {
            let r = try await kit.ctl(["--json"] + arguments)
            #expect(r.status == .exited(0), "kinerjactl \(arguments): \(r.standardErrorText)")
            return try JSONParser().parse(r.standardOutputText)
        }

        /// The path of a link URL (`/r/TOKEN`), checking it starts with web.public_base_url.
        func path(of url: String) throws -> String {
            let base = "http://127.0.0.1:\(web.port)"
            #expect(url.hasPrefix(base))
            return String(url.dropFirst(base.count))
        }
    }

    /// The quarter containing today in Asia/Jakarta (the demo's cycles are all before it).
    static func currentQuarter() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Jakarta")!
        let c = calendar.dateComponents([.year, .month], from: Date())
        return "\(c.year!)-Q\((c.month! - 1) / 3 + 1)"
    }

    /// A daemon with demo data and the current quarter open, and a kinerja-web. `options` starts the
    /// daemon's options (mail to an SMTP sink, a journal namespace); its extraConfig is kept before
    /// the web section. With `socketActivated`, kinerja-web gets its socket from
    /// systemd-socket-activate on the port of the links, and web.listen names another port, which must
    /// stay closed.
    static func start(rateLimit: Int = 60, options base: DaemonHarness.Options = DaemonHarness.Options(),
                      openedAt: Date? = nil, socketActivated: Bool = false) async throws -> Setup {
        let port = try WebFrontHarness.freePort()
        let listen = socketActivated ? try WebFrontHarness.freePort() : port
        var options = base
        options.extraConfig = (base.extraConfig.isEmpty ? "" : base.extraConfig + "\n") + """
            web:
              listen: 127.0.0.1:\(listen)
              public_base_url: http://127.0.0.1:\(port)
              contact: Bagian Kepegawaian (022) 1234567
              rate_limit_per_minute: \(rateLimit)
            """
        let daemon = try await DaemonHarness.start(options)
        let kit = CyclesKit(daemon: daemon)
        let demo = daemon.directory.path("demo")
        #expect(try await kit.ctl(["demo", "generate", "--employees", "40", "--periods", "1", "--seed", "7", "--out", demo, "-q"]).status == .exited(0))
        let loaded = try await kit.ctl(["demo", "load", demo])
        #expect(loaded.status == .exited(0), "\(loaded.standardErrorText)")
        let cycle = currentQuarter()
        // The running quarter (its due date ahead, so reviews can be submitted): opening a period that
        // has not ended needs --early.
        let opened = try await kit.ctl(["cycles", "open", cycle, "--early"]
                                       + (openedAt.map { ["--opened-at", ISO8601DateFormatter().string(from: $0)] } ?? []))
        #expect(opened.status == .exited(0), "\(opened.standardErrorText)")
        let web = try await WebFrontHarness.start(configPath: daemon.configPath, port: port, socketActivated: socketActivated)
        return Setup(daemon: daemon, web: web, kit: kit, cycle: cycle, listen: listen)
    }

    /// Requests `/` until the front answers 429, at most three times `limit` requests (a burst that
    /// straddles the turn of the minute needs more than `limit`); false when none was refused.
    static func burstUntilLimited(_ web: WebFrontHarness, limit: Int) throws -> Bool {
        for _ in 0..<(3 * limit) {
            if try web.request("GET", "/").status == 429 { return true }
        }
        return false
    }

    static func formValue(_ name: String, in html: String) -> String? {
        guard let r = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[r.upperBound...].prefix { $0 != "\"" })
    }

    static func scores(_ n: Int) -> String {
        ["berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"].map { "\($0)=\(n)" }
            .joined(separator: "&")
    }

    @Test("a reviewer's link opens the form, a POST stores the review with source web, forgeries are refused")
    func reviewerRoundTrip() async throws {
        let s = try await Self.start()
        // A rekan assignment of the open cycle: its reviewer gets a link.
        let listed = try await s.ctlJSON(["reviews", "list", "--cycle", s.cycle, "--role", "rekan", "--limit", "1"])
        let assignment = try #require(listed[0])
        let id = try #require(assignment["id"]?.intValue)
        let reviewer = try #require(assignment["reviewer"]?.stringValue)
        let link = try await s.ctlJSON(["reviews", "link", "--reviewer", reviewer])
        let path = try s.path(of: try #require(link["url"]?.stringValue))
        #expect(path.count == 3 + 43)

        let page = try s.web.request("GET", path)
        #expect(page.status == 200)
        let csp = page.headers["content-security-policy"] ?? ""
        #expect(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline") && !csp.contains("script-src"))
        #expect(page.headers["referrer-policy"] == "no-referrer")
        #expect(page.headers["cache-control"] == "no-store")
        #expect(page.body.contains("rekan kerja Anda"))
        #expect(page.body.contains("<legend>Akuntabel"))
        #expect(!page.body.contains("<script"))
        let csrf = try #require(Self.formValue("csrf", in: page.body))

        // Without the anti-forgery value, or with one of another link: 403, nothing stored.
        let body = "assignment=\(id)&\(Self.scores(4))&comment=Kerja+sama+baik"
        #expect(try s.web.request("POST", path, body: body).status == 403)
        #expect(try s.web.request("POST", path, body: body + "&csrf=AAAA").status == 403)
        #expect(try await s.kit.scalar("SELECT COUNT(*) FROM review WHERE assignment_id = \(id)") == "0")

        // With it: stored through the same use case as the admin's, source web; 303 back to the page.
        let posted = try s.web.request("POST", path, body: "csrf=\(csrf)&" + body)
        #expect(posted.status == 303)
        #expect(posted.headers["location"]?.hasPrefix(path) == true)
        #expect(try await s.kit.scalar("SELECT s.text FROM review v JOIN review_source s ON s.id = v.source_id WHERE v.assignment_id = \(id)") == "web")
        let submitted = try await s.ctlJSON(["reviews", "list", "--cycle", s.cycle, "--reviewer", reviewer, "--status", "submitted"])
        #expect(submitted.arrayValue?.contains { $0["id"]?.intValue == id } == true)
        // A revision keeps the first submission time.
        let first = try await s.kit.scalar("SELECT submitted_at FROM review WHERE assignment_id = \(id)")
        #expect(try s.web.request("POST", path, body: "csrf=\(csrf)&assignment=\(id)&\(Self.scores(3))").status == 303)
        #expect(try await s.kit.scalar("SELECT submitted_at FROM review WHERE assignment_id = \(id)") == first)
        #expect(try await s.kit.scalar("SELECT revised_at IS NOT NULL FROM review WHERE assignment_id = \(id)") == "1")
        // The page shows the reviewer's own answers checked, so the next revision starts from them.
        let revisedPage = try s.web.request("GET", path).body
        #expect(revisedPage.contains("name=\"akuntabel\" value=\"3\" required checked"))
        #expect(!revisedPage.contains("name=\"akuntabel\" value=\"4\" required checked"))
        // kinerjactl status counts today's web reviews (one review, revised: one).
        let status = try await s.ctlJSON(["status"])
        #expect(status["counts"]?["web_reviews_today"]?.intValue == 1)
        // An incomplete form is answered with the page and its problems, in Indonesian.
        let incomplete = try s.web.request("POST", path, body: "csrf=\(csrf)&assignment=\(id)&akuntabel=4")
        #expect(incomplete.status == 422)
        #expect(incomplete.body.contains("Pilih nilai 1 sampai 5 untuk Kompeten"))

        // A forged token and a revoked one get the same page and status.
        let forged = try s.web.request("GET", "/r/" + String(repeating: "A", count: 43))
        #expect(forged.status == 404)
        #expect(forged.body.contains("Tautan tidak berlaku atau sudah kedaluwarsa"))
        #expect(forged.body.contains("(022) 1234567"))
        _ = try await s.ctlJSON(["reviews", "link", "--reviewer", reviewer, "--revoke"])
        let revoked = try s.web.request("GET", path)
        #expect(revoked.status == forged.status)
        #expect(revoked.body == forged.body)
        #expect(try s.web.request("POST", path, body: "csrf=\(csrf)&" + body).status == 404)

        // Once the cycle is closed, a link shows the page read-only and a POST changes nothing.
        let fresh = try s.path(of: try #require(try await s.ctlJSON(["reviews", "link", "--reviewer", reviewer])["url"]?.stringValue))
        let freshCSRF = try #require(Self.formValue("csrf", in: try s.web.request("GET", fresh).body))
        let closed = try await s.kit.ctl(["cycles", "close", s.cycle, "--force", "--reason", "akhir periode uji"])
        #expect(closed.status == .exited(0), "\(closed.standardErrorText)")
        let readOnly = try s.web.request("GET", fresh)
        #expect(readOnly.status == 200)
        #expect(readOnly.body.contains("sudah ditutup"))
        #expect(!readOnly.body.contains("<form"))
        let stored = try await s.kit.scalar("SELECT akuntabel FROM review WHERE assignment_id = \(id)")
        #expect(try s.web.request("POST", fresh, body: "csrf=\(freshCSRF)&assignment=\(id)&\(Self.scores(5))").status == 409)
        #expect(try await s.kit.scalar("SELECT akuntabel FROM review WHERE assignment_id = \(id)") == stored)
        try await s.stop()
    }

    @Test("socket-activated (systemd-socket-activate, as kinerja-web.socket): serves a review on the passed socket, binds nothing itself")
    func servesOnPassedSocket() async throws {
        let s = try await Self.start(socketActivated: true)
        try await s.web.process.waitForOutput(containing: "listening on fd 3 (socket activation)", in: .standardError)
        // web.listen stays closed: the passed socket is the only one.
        #expect(throws: (any Error).self) { try HTTPExchange.send(port: s.listen, method: "GET", path: "/static/style.css") }

        let listed = try await s.ctlJSON(["reviews", "list", "--cycle", s.cycle, "--role", "rekan", "--limit", "1"])
        let id = try #require(listed[0]?["id"]?.intValue)
        let reviewer = try #require(listed[0]?["reviewer"]?.stringValue)
        let path = try s.path(of: try #require(try await s.ctlJSON(["reviews", "link", "--reviewer", reviewer])["url"]?.stringValue))
        let page = try s.web.request("GET", path)
        #expect(page.status == 200)
        let csrf = try #require(Self.formValue("csrf", in: page.body))
        #expect(try s.web.request("POST", path, body: "csrf=\(csrf)&assignment=\(id)&\(Self.scores(4))").status == 303)

        // kinerjactl reviews list shows where the review came from: JSON source, and "(web)" in the table.
        let submitted = try await s.ctlJSON(["reviews", "list", "--cycle", s.cycle, "--reviewer", reviewer, "--status", "submitted"])
        let row = try #require(submitted.arrayValue?.first { $0["id"]?.intValue == id })
        #expect(row["source"]?.stringValue == "web")
        let table = try await s.kit.ctl(["reviews", "list", "--cycle", s.cycle, "--reviewer", reviewer, "--status", "submitted"])
        #expect(table.standardOutputText.contains("(web)"), "\(table.standardOutputText)")

        // SIGTERM stops it cleanly (the listening socket closed, requests under way finished).
        #expect(try await s.web.stop() == .exited(0), "\(s.web.process.text(.standardError))")
        try await s.daemon.stop()
    }

    @Test("kinerja-web --check-config and a start with a bad file exit 78 naming the key")
    func checkConfig() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerja-web-config")
        let path = directory.path("bad.yaml")
        try "web:\n  public_base_url: https://kinerja.example/\n  rate_limit_per_minute: 0\n".write(toFile: path, atomically: true, encoding: .utf8)
        let web = try BuiltProducts.executable(named: "kinerja-web")
        for arguments in [["--check-config", "--config", path], ["--config", path]] {
            let r = try await Subprocess.run(web, arguments: arguments, timeout: .seconds(30))
            #expect(r.status == .exited(78))
            #expect(r.standardErrorText.contains("bad.yaml:2") && r.standardErrorText.contains("web.public_base_url"))
            #expect(r.standardErrorText.contains("web.rate_limit_per_minute"))
        }
        let good = directory.path("good.yaml")
        try "web:\n  public_base_url: https://kinerja.example\n".write(toFile: good, atomically: true, encoding: .utf8)
        #expect(try await Subprocess.run(web, arguments: ["--check-config", "--config", good], timeout: .seconds(30)).status == .exited(0))
    }

    @Test("the Review socket serves only io.kinerjad.Review, and only to root and the web user")
    func reviewSocketIsNarrow() async throws {
        let s = try await Self.start()
        let socket = s.daemon.directory.path("review.varlink")
        let client = try await VarlinkClient.connect(unixPath: socket)
        do {
            _ = try await client.call("io.kinerjad.Admin.Ping")
            Issue.record("Admin.Ping answered on the Review socket")
        } catch let error as VarlinkError {
            #expect(error.name == VarlinkError.Name.interfaceNotFound)
        }
        do {
            _ = try await client.call("io.kinerjad.Admin.ReviewLink", parameters: ["reviewer": .string("199001012015011001")])
            Issue.record("Admin.ReviewLink answered on the Review socket")
        } catch let error as VarlinkError {
            #expect(error.name == VarlinkError.Name.interfaceNotFound)
        }
        do {
            _ = try await client.call("io.kinerjad.Review.GetReviewerPage", parameters: ["token": .string("x")])
            Issue.record("a malformed token opened a page")
        } catch let error as VarlinkError {
            #expect(error.name == "io.kinerjad.Review.InvalidToken")
        }
        await client.close()
        // Another uid: even with the file opened up, the daemon closes the connection unanswered.
        chmod(s.daemon.directory.path, 0o755)
        chmod(socket, 0o666)
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sys.argv[1])
            s.settimeout(10)
            try:
                s.sendall(b'{"method":"org.varlink.service.GetInfo","parameters":{}}\\0')
                print("reply" if s.recv(4096) else "closed")
            except (ConnectionResetError, BrokenPipeError):
                print("closed")
            """
        let r = try await Subprocess.run("/usr/bin/setpriv", arguments: ["--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                                                         "/usr/bin/python3", "-c", script, socket], timeout: .seconds(30))
        #expect(r.standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines) == "closed", "\(r.standardErrorText)")
        try await s.stop()
    }

    @Test("a survey link stores one response per browser per day; honeypot and rate limit")
    func surveyAndLimits() async throws {
        let s = try await Self.start(rateLimit: 40)
        let unit = try await s.kit.scalar("SELECT code FROM unit ORDER BY code LIMIT 1")
        let link = try await s.ctlJSON(["survey", "link", unit])
        let path = try s.path(of: try #require(link["url"]?.stringValue))
        let page = try s.web.request("GET", path)
        #expect(page.status == 200)
        #expect(page.body.contains("Penanganan pengaduan, saran dan masukan"))
        let csrf = try #require(Self.formValue("csrf", in: page.body))
        let answers = (1...9).map { "u\($0)=\($0 % 4 + 1)" }.joined(separator: "&")
        let before = try await s.kit.scalar("SELECT COUNT(*) FROM skm_response WHERE unit_code = '\(unit)' AND source = 'web'")
        #expect(before == "0")
        // The honeypot filled: thanked, not stored.
        #expect(try s.web.request("POST", path, body: "csrf=\(csrf)&website=spam&\(answers)").status == 200)
        #expect(try await s.kit.scalar("SELECT COUNT(*) FROM skm_response WHERE unit_code = '\(unit)' AND source = 'web'") == "0")
        let posted = try s.web.request("POST", path, body: "csrf=\(csrf)&\(answers)&suggestion=Antrian+lebih+cepat")
        #expect(posted.status == 200)
        let cookie = try #require(posted.headers["set-cookie"]?.components(separatedBy: ";").first)
        #expect(try await s.kit.scalar("SELECT COUNT(*) FROM skm_response WHERE unit_code = '\(unit)' AND source = 'web'") == "1")
        #expect(try await s.ctlJSON(["status"])["counts"]?["web_survey_responses_today"]?.intValue == 1)
        // The same browser again that day: refused politely, nothing stored.
        let again = try s.web.request("POST", path, body: "csrf=\(csrf)&\(answers)", headers: ["Cookie": cookie])
        #expect(again.body.contains("sudah mengisi survei ini hari ini"))
        #expect(try await s.kit.scalar("SELECT COUNT(*) FROM skm_response WHERE unit_code = '\(unit)' AND source = 'web'") == "1")

        // Per-IP limit: within one minute, past 40 requests the front answers 429. X-Forwarded-For
        // from an untrusted peer changes nothing. (The window is the clock's minute; should it turn
        // between the burst and the last request, the burst is sent again.)
        var forwardedLimited = false
        for _ in 0..<2 where !forwardedLimited {
            #expect(try Self.burstUntilLimited(s.web, limit: 40))
            forwardedLimited = try s.web.request("GET", "/", headers: ["X-Forwarded-For": "203.0.113.9"]).status == 429
        }
        #expect(forwardedLimited, "a request naming another address in X-Forwarded-For was let through")
        try await s.stop()
    }

    @Test("web submissions, refused tokens and rate limits are journal events with catalog ids, without scores, comments, answers or tokens",
          .enabled(if: getuid() == 0, "needs root: it reads the entries from a private journald namespace"))
    func journalEvents() async throws {
        let journal = try await JournalNamespace.start()
        defer { Task { await journal.stop() } }
        var options = DaemonHarness.Options()
        options.logging = "  target: journal\n  level: info\n  journal_socket: \(journal.socketPath)\n"
        let s = try await Self.start(rateLimit: 30, options: options)
        let assignment = try #require(try await s.ctlJSON(["reviews", "list", "--cycle", s.cycle, "--role", "rekan", "--limit", "1"])[0])
        let id = try #require(assignment["id"]?.intValue)
        let reviewer = try #require(assignment["reviewer"]?.stringValue)
        let path = try s.path(of: try #require(try await s.ctlJSON(["reviews", "link", "--reviewer", reviewer])["url"]?.stringValue))
        let csrf = try #require(Self.formValue("csrf", in: try s.web.request("GET", path).body))
        let review = "csrf=\(csrf)&assignment=\(id)&\(Self.scores(4))&comment=RAHASIA+komentar"
        #expect(try s.web.request("POST", path, body: review).status == 303)

        let unit = try await s.kit.scalar("SELECT code FROM unit ORDER BY code LIMIT 1")
        let survey = try s.path(of: try #require(try await s.ctlJSON(["survey", "link", unit])["url"]?.stringValue))
        let surveyCSRF = try #require(Self.formValue("csrf", in: try s.web.request("GET", survey).body))
        let answers = (1...9).map { "u\($0)=3" }.joined(separator: "&")
        let answered = try s.web.request("POST", survey, body: "csrf=\(surveyCSRF)&\(answers)&suggestion=RAHASIA+saran&jenis_layanan=RAHASIA+layanan&umur=30_39")
        #expect(answered.status == 200)

        #expect(try s.web.request("GET", "/r/" + String(repeating: "B", count: 43)).status == 404)
        #expect(try Self.burstUntilLimited(s.web, limit: 30))

        // reviewSubmitted, surveyAnswered, webTokenRefused (kinerjad), webRateLimited (kinerja-web).
        let submitted = try await journal.waitForEntries(matching: ["MESSAGE_ID": "39b7f8a9d40446d080d4bcb5a32ce56d"])
        #expect(submitted.contains { $0["KINERJA_SOURCE"] == "web" && $0["KINERJA_ASSIGNMENT"] == "\(id)" }, "\(submitted)")
        let stored = try await journal.waitForEntries(matching: ["MESSAGE_ID": "322c7fc5575d48b698d73bca68e6fae5"])
        #expect(stored.first?["KINERJA_UNIT"] == unit)
        let refused = try await journal.waitForEntries(matching: ["MESSAGE_ID": "1c312c4872d34d519041d72aff6c0506"])
        #expect(refused.first?["KINERJA_KIND"] == "review")
        let limited = try await journal.waitForEntries(matching: ["MESSAGE_ID": "5e1a9efc92ce4ad294e65b7c06225e09"])
        #expect(limited.first?["KINERJA_LIMIT"] == "ip" && limited.first?["KINERJA_CLIENT"] == "127.0.0.1", "\(limited)")
        #expect(limited.first?["_PID"] == "\(s.web.process.pid)", "the 429 entry is not kinerja-web's")

        // Nothing in the namespace holds a score, a comment, an answer, a respondent field or a token.
        let token = String(path.dropFirst(3)), surveyToken = String(survey.dropFirst(3))
        for entry in try await journal.entries() {
            let text = entry.description
            #expect(!text.contains("RAHASIA") && !text.contains(token) && !text.contains(surveyToken), "\(text)")
            #expect(entry["KINERJA_SCORES"] == nil && entry["KINERJA_COMMENT"] == nil && entry["KINERJA_ANSWERS"] == nil)
        }
        try await s.stop()
    }
}
