import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// Listings that grow with the data come in parts: with `more`, replies of at most 500 rows (100
/// planned messages), `continues` on all but the last, every row once and in order; without `more`,
/// one reply of at most 1000 rows (500 messages) or ExpectedMore. kinerjactl reads the parts as they
/// come and reports a reply over its size limit as such, not as an unreachable daemon.
@Suite("bounded replies: listings stream in parts", .serialized)
struct BoundedRepliesTests {
    static let config = """
        mail:
          channel: journal
        reminders:
          working_hours: "Mon..Sun 00:00..23:59 UTC"
          holidays: []
        jobs:
          schedule:
            maintenance: "off"
            outbox-delivery: "off"
            motivation-analysis: "off"
            reminder-sweep: "off"
            "cycle-open:quarterly": "off"
            "cycle-open:annual": "off"
            cycle-close: "off"
        """

    /// A daemon with `employees` demo employees and one cycle opened on 2026-04-01 (every review overdue).
    static func start(employees: Int = 700) async throws -> (DaemonHarness, CyclesKit) {
        var options = DaemonHarness.Options()
        options.extraConfig = config
        options.logging = "  target: stderr\n  level: notice\n"
        let daemon = try await DaemonHarness.start(options)
        let kit = CyclesKit(daemon: daemon)
        let data = daemon.directory.path("demo")
        let generated = try await Subprocess.run(
            try BuiltProducts.kinerjactl,
            arguments: ["demo", "generate", "--employees", "\(employees)", "--periods", "1", "--seed", "5", "--out", data, "-q"],
            environment: Subprocess.environment(), timeout: .seconds(300))
        #expect(generated.status == .exited(0), "\(generated.standardErrorText)")
        for kind in ["units", "employees"] where FileManager.default.fileExists(atPath: "\(data)/\(kind).csv") {
            let imported = try await kit.ctl(["-q", "import", kind, "\(data)/\(kind).csv"])
            #expect(imported.status == .exited(0), "\(imported.standardErrorText)")
        }
        let opened = try await kit.ctl(["-q", "cycles", "open", "2026-Q2", "--early", "--opened-at", "2026-04-01T00:00:00Z"])
        #expect(opened.status == .exited(0), "\(opened.standardErrorText)")
        return (daemon, kit)
    }

    struct Reply {
        var parameters: [String: JSONValue]
        var continues: Bool
    }

    /// Every reply of a call with `more`, each checked against the method's declared output.
    static func stream(_ daemon: DaemonHarness, _ method: String, _ parameters: [String: JSONValue] = [:]) async throws -> [Reply] {
        let client = try await daemon.client()
        defer { Task { await client.close() } }
        var replies: [Reply] = []
        let interface = try CyclesKit.interface.get()
        let definition = try #require(interface.method(named: method))
        for try await reply in client.send(VarlinkCallMessage(method: "io.kinerjad.Admin.\(method)", parameters: parameters, more: true)) {
            if let error = reply.varlinkError { throw error }
            do {
                try VarlinkValidator(interface: interface).validate(reply.parameters, against: definition.output)
            } catch {
                Issue.record("\(method) reply does not match the IDL: \(error)")
            }
            replies.append(Reply(parameters: reply.parameters, continues: reply.continues))
        }
        return replies
    }

    /// `continues` on every reply but the last, none on the last.
    static func expectContinuesOnAllButLast(_ replies: [Reply], _ method: String) {
        #expect(replies.dropLast().allSatisfy { $0.continues }, "\(method): a reply before the last one lacks continues")
        #expect(replies.last?.continues == false, "\(method): the last reply has continues")
    }

    static func expectExpectedMore(_ daemon: DaemonHarness, _ method: String, _ parameters: [String: JSONValue] = [:]) async {
        do {
            let reply = try await daemon.call("io.kinerjad.Admin.\(method)", parameters)
            Issue.record("\(method) without more answered \(reply.count) fields instead of ExpectedMore")
        } catch let error as VarlinkError {
            #expect(error.name == VarlinkError.Name.expectedMore, "\(method): \(error)")
        } catch {
            Issue.record("\(method): \(error)")
        }
    }

    @Test("lists larger than one reply arrive completely and in order, continues on all but the last; without more at most 1000 rows or ExpectedMore")
    func listsStream() async throws {
        let (daemon, kit) = try await Self.start()

        // Assignments: the ids in the order the database gives for the documented sort key.
        let expected = try await kit.scalar("""
            SELECT group_concat(id) FROM (SELECT a.id FROM assignment_named a JOIN cycle c ON c.id = a.cycle_id
            ORDER BY c.period_start, a.due_at, a.reviewer_nip, a.subject_nip, a.role, a.id)
            """).split(separator: ",").compactMap { Int64($0) }
        #expect(expected.count > 2000, "the data set should need several replies")
        let replies = try await Self.stream(daemon, "ListReviews", ["limit": .int(1_000_000)])
        let rows = replies.flatMap { $0.parameters["assignments"]?.arrayValue ?? [] }
        #expect(replies.count == (expected.count + 499) / 500)
        #expect(replies.allSatisfy { ($0.parameters["assignments"]?.arrayValue?.count ?? 0) <= 500 })
        #expect(replies.allSatisfy { $0.parameters["total"]?.intValue == Int64(expected.count) })
        Self.expectContinuesOnAllButLast(replies, "ListReviews")
        #expect(rows.compactMap { $0["id"]?.intValue } == expected)

        // A limit cuts the stream; without more the same first rows come in one reply.
        let limited = try await Self.stream(daemon, "ListReviews", ["limit": .int(1200)])
        #expect(limited.map { $0.parameters["assignments"]?.arrayValue?.count ?? 0 } == [500, 500, 200])
        Self.expectContinuesOnAllButLast(limited, "ListReviews")
        let single = try await kit.call("ListReviews", ["limit": .int(1000)])
        #expect(single["assignments"]?.arrayValue?.compactMap { $0["id"]?.intValue } == Array(expected.prefix(1000)))
        await Self.expectExpectedMore(daemon, "ListReviews", ["limit": .int(1001)])
        let overdue = try await Self.stream(daemon, "ListOverdue", ["limit": .int(1_000_000)])
        #expect(overdue.flatMap { $0.parameters["assignments"]?.arrayValue ?? [] }.count == expected.count)
        Self.expectContinuesOnAllButLast(overdue, "ListOverdue")

        // The outbox, newest first, after a sweep wrote one message per reviewer.
        let sweep = try await daemon.call("io.kinerjad.Admin.RunJob", ["name": "reminder-sweep"])
        #expect(sweep["run"]?["outcome"]?.stringValue == "ok", "\(sweep)")
        let written = Int(try await kit.scalar("SELECT COUNT(*) FROM outbox")) ?? 0
        #expect(written > 500, "the sweep should write more messages than one reply holds")
        let outbox = try await Self.stream(daemon, "ListReminders", ["limit": .int(10_000)])
        let ids = outbox.flatMap { $0.parameters["messages"]?.arrayValue ?? [] }.compactMap { $0["id"]?.intValue }
        #expect(ids.count == written)
        #expect(ids == ids.sorted(by: >) && Set(ids).count == ids.count, "not newest first, or a message twice")
        #expect(outbox.count == (written + 499) / 500)
        Self.expectContinuesOnAllButLast(outbox, "ListReminders")
        let outboxAtOnce = try await kit.call("ListReminders", ["limit": .int(10_000)])
        #expect(outboxAtOnce["messages"]?.arrayValue?.compactMap { $0["id"]?.intValue } == ids, "at most 1000 rows come in one reply")

        // Short lists are one reply either way.
        let cycles = try await Self.stream(daemon, "ListCycles")
        #expect(cycles.count == 1 && cycles[0].parameters["cycles"]?.arrayValue?.count == 1)
        let runs = try await Self.stream(daemon, "JobHistory", ["name": "reminder-sweep"])
        #expect(runs.count == 1 && runs[0].parameters["runs"]?.arrayValue?.count == 1)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("PreviewReminders with more: more reviewers than one batch, every message once in NIP order, in replies of at most 100; the sweep writes as many")
    func previewStreams() async throws {
        let (daemon, kit) = try await Self.start()
        let replies = try await Self.stream(daemon, "PreviewReminders")
        let messages = replies.flatMap { $0.parameters["messages"]?.arrayValue ?? [] }
        #expect(messages.count > 500, "the data set should plan more than one batch of reviewers")
        #expect(replies.allSatisfy { ($0.parameters["messages"]?.arrayValue?.count ?? 0) <= 100 })
        #expect(replies.allSatisfy { $0.parameters["working_time"]?.boolValue == true })
        Self.expectContinuesOnAllButLast(replies, "PreviewReminders")
        let reviewers = messages.filter { $0["kind"]?.stringValue != "admin_digest" }.compactMap { $0["recipient"]?.stringValue }
        #expect(reviewers == reviewers.sorted() && Set(reviewers).count == reviewers.count, "reviewer messages out of NIP order, or twice")
        let owing = Int(try await kit.scalar("""
            SELECT COUNT(DISTINCT a.reviewer_nip) FROM assignment_named a JOIN employee e ON e.nip = a.reviewer_nip
            WHERE a.submitted_at IS NULL AND e.aktif AND COALESCE(e.email, '') <> ''
            """)) ?? -1
        #expect(reviewers.count == owing, "one message per reviewer owing reviews with an address")
        await Self.expectExpectedMore(daemon, "PreviewReminders")
        // kinerjactl reads the parts: one JSON array.
        let previewJSON = try await kit.ctl(["--json", "reminders", "preview"])
        #expect(previewJSON.status == .exited(0), "\(previewJSON.standardErrorText)")
        #expect(try JSONValue(parsing: previewJSON.standardOutputText).arrayValue?.count == messages.count)

        // What the preview showed is what the sweep writes.
        let sweep = try await daemon.call("io.kinerjad.Admin.RunJob", ["name": "reminder-sweep"])
        #expect(sweep["run"]?["outcome"]?.stringValue == "ok", "\(sweep)")
        #expect(Int(try await kit.scalar("SELECT COUNT(*) FROM outbox")) == messages.count)
        let after = try await Self.stream(daemon, "PreviewReminders")
        #expect(after.count == 1 && after[0].parameters["messages"]?.arrayValue?.isEmpty == true)
        #expect(after.first?.continues == false)

        // Other lists in kinerjactl: one JSON document, and a table with one header.
        let listJSON = try await kit.ctl(["--json", "reviews", "list", "--limit", "2345"])
        #expect(try JSONValue(parsing: listJSON.standardOutputText).arrayValue?.count == 2345, "\(listJSON.standardErrorText)")
        let outboxJSON = try await kit.ctl(["--json", "reminders", "list", "--limit", "10000"])
        let outbox = try JSONValue(parsing: outboxJSON.standardOutputText)
        #expect(outbox["messages"]?.arrayValue?.count == messages.count)
        #expect(outbox["total"]?.intValue == Int64(messages.count))
        let table = try await kit.ctl(["reviews", "list", "--limit", "1500"])
        let lines = table.standardOutputText.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("ID ") }.count == 1)
        #expect(lines.count == 1 + 1500 + 1, "header, rows and the '(1500 of N shown)' line: \(lines.suffix(2))")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a reply larger than kinerjactl accepts is reported as too large, not as an unreachable daemon")
    func tooLargeReply() async throws {
        let directory = try TemporaryDirectory(prefix: "kinerjactl-large")
        let socket = directory.path("big.varlink")
        // A service that answers any call with a 17 MiB reply.
        let server = try Subprocess.launch("python3", arguments: ["-c", """
            import socket, sys
            s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
            print("listening", flush=True)
            c, _ = s.accept()
            data = b""
            while b"\\0" not in data:
                data += c.recv(65536)
            c.sendall(b'{"parameters":{"version":"' + b"x" * (17 << 20) + b'"}}\\0')
            c.recv(1)
            """, socket], environment: Subprocess.environment())
        // It says when it listens (its socket file exists a moment before).
        try await server.waitForOutput(containing: "listening", in: .standardOutput, timeout: .seconds(30))
        let result = try await Subprocess.run(try BuiltProducts.kinerjactl, arguments: ["--socket", socket, "ping"],
                                              environment: Subprocess.environment(), timeout: .seconds(60))
        #expect(result.status == .exited(1), "\(result.standardErrorText)")
        #expect(result.standardErrorText.contains("too large"), "\(result.standardErrorText)")
        #expect(!result.standardErrorText.contains("cannot reach"), "\(result.standardErrorText)")
        if server.isRunning { try? server.signal(SIGKILL) }
    }
}
