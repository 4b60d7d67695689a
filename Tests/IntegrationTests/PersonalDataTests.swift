import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// Personal data stays where it belongs, tried the way a local attacker would against a real
/// daemon with demo data: a second daemon on the same database, every method of the interface
/// called by a user outside the admin group, the files' modes under umask 000, and input that
/// would be stored differently from what was shown.
@Suite("Personal data: one daemon per database, access by data, private files, safe input", .serialized,
       .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
struct PersonalDataTests {
    static let offJobs = "    reminder-sweep: \"off\"\n    outbox-delivery: \"off\"\n    motivation-analysis: \"off\"\n    maintenance: \"off\""

    static func ctl(_ daemon: DaemonHarness, _ arguments: [String], asNobody: Bool = false) async throws -> Subprocess.Completed {
        let ctl = try BuiltProducts.kinerjactl
        let command = ["--socket", daemon.socketPath] + arguments
        if asNobody {
            return try await Subprocess.run("/usr/bin/setpriv", arguments: ["--reuid=nobody", "--regid=nogroup", "--clear-groups", ctl] + command,
                                            environment: Subprocess.environment(), timeout: .seconds(120))
        }
        return try await Subprocess.run(ctl, arguments: command, environment: Subprocess.environment(), timeout: .seconds(300))
    }

    @Test("a second daemon on the same database exits 69 naming the holder's PID; each reminder is mailed once")
    func oneDaemonPerDatabase() async throws {
        let sink = try await SMTPSink.start()
        let (daemon, dir) = try await ReminderSweepTests.startWithOverdueCycle(sink: sink, schedule: Self.offJobs)
        // The same configuration with another socket path: only the database is shared.
        let second = dir.path("second.yaml")
        try String(contentsOfFile: daemon.configPath, encoding: .utf8)
            .replacingOccurrences(of: dir.path("admin.varlink"), with: dir.path("second.varlink"))
            .write(toFile: second, atomically: true, encoding: .utf8)
        let other = try Subprocess.launch(try BuiltProducts.kinerjad, arguments: ["--config", second],
                                          environment: Subprocess.environment(), newProcessGroup: true)
        let status: KinerjaTestSupport.ExitStatus
        do {
            status = try await other.wait(timeout: .seconds(30))
        } catch {
            try? other.signal(SIGKILL)
            throw error
        }
        #expect(status == .exited(69), "\(other.outputSummary())")
        #expect(other.text(.standardError).contains("in use by process \(daemon.process.pid)"), "\(other.outputSummary())")
        #expect(!FileManager.default.fileExists(atPath: dir.path("second.varlink")))

        let planned = try await daemon.call("io.kinerjad.Admin.PreviewReminders")["messages"]?.arrayValue ?? []
        let withAddress = planned.filter { !($0["to"]?.arrayValue ?? []).isEmpty }.count
        #expect(withAddress > 0)
        let send = try await Self.ctl(daemon, ["reminders", "send-now"])
        #expect(send.status == .exited(0), "\(send.standardErrorText)")
        _ = try await Self.ctl(daemon, ["jobs", "run", "outbox-delivery"])
        let received = try await sink.waitForMessages(count: withAddress)
        try await Task.sleep(for: .seconds(1))
        let ids = try sink.messages().compactMap { m in
            m.text.split(whereSeparator: \.isNewline).first { $0.lowercased().hasPrefix("message-id:") }.map(String.init)
        }
        let all = try sink.messages()
        #expect(received.count == withAddress && all.count == withAddress)
        #expect(Set(ids).count == ids.count, "a Message-ID was mailed twice")
        #expect(try await daemon.stop() == .exited(0))
    }

    /// Calls every method of io.kinerjad.Admin as `nobody` with plain sockets; prints one JSON reply
    /// per call, in order.
    static let walker = """
        import json, socket, sys
        calls = json.load(sys.stdin)
        out = []
        for method, parameters in calls:
            s = socket.socket(socket.AF_UNIX)
            s.connect(sys.argv[1])
            s.sendall(json.dumps({'method': method, 'parameters': parameters}).encode() + b'\\0')
            data = b''
            while not data.endswith(b'\\0'):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            s.close()
            out.append(json.loads(data[:-1]) if data else {'error': 'closed'})
        print(json.dumps(out))
        """

    /// Parameters good enough to pass validation, by field name and type.
    static func sample(_ fields: [VarlinkField], nip: String, unit: String) -> [String: JSONValue] {
        var parameters: [String: JSONValue] = [:]
        for field in fields {
            if case .optional = field.type { continue }
            switch (field.name, field.type) {
            case ("cycle", _): parameters[field.name] = "1"
            case ("name", _): parameters[field.name] = "outbox-delivery"
            case ("nip", _), ("subject", _), ("reviewer", _): parameters[field.name] = .string(nip)
            case ("period", _): parameters[field.name] = "2026-Q3"
            case ("unit", _): parameters[field.name] = .string(unit)
            case (_, .string): parameters[field.name] = "x"
            case (_, .int): parameters[field.name] = 1
            case (_, .float): parameters[field.name] = 1
            case (_, .bool): parameters[field.name] = false
            case (_, .array): parameters[field.name] = []
            default: parameters[field.name] = [:]
            }
        }
        return parameters
    }

    @Test("as a user outside the admin group, every method either is refused or answers without a NIP, name, score or mail body")
    func everyMethodAsNonAdmin() async throws {
        let sink = try await SMTPSink.start()
        let (daemon, dir) = try await ReminderSweepTests.startWithOverdueCycle(sink: sink, schedule: Self.offJobs)
        chmod(daemon.socketPath, 0o666)
        chmod(dir.path, 0o755)
        // Mail in the outbox, a closed cycle with results, flags: every kind of personal data exists.
        #expect(try await Self.ctl(daemon, ["reminders", "send-now"]).status == .exited(0))
        #expect(try await Self.ctl(daemon, ["cycles", "close", "2026-Q2", "--force", "--reason", "test"]).status == .exited(0))
        _ = try await Self.ctl(daemon, ["jobs", "run", "motivation-analysis"])
        let employees = TestCSV.records(try String(contentsOfFile: dir.path("demo/employees.csv"), encoding: .utf8))
        let nips = employees.compactMap { $0["nip"] }
        let names = employees.compactMap { $0["nama"] }.filter { $0.count >= 6 }
        #expect(nips.count >= 40)
        let unit = try #require(employees.compactMap { $0["unit_kerja"] }.first)
        // Root sees personal data through the same methods (so the walk below is not vacuous).
        let asRoot = try await daemon.call("io.kinerjad.Admin.ListReminders")
        #expect((asRoot["total"]?.intValue ?? 0) > 0)

        let idl = try await daemon.call("org.varlink.service.GetInterfaceDescription", ["interface": "io.kinerjad.Admin"])
        let interface = try VarlinkInterface(parsing: idl["description"]?.stringValue ?? "")
        let calls: [JSONValue] = interface.methods.map { method in
            .array([.string("io.kinerjad.Admin.\(method.name)"), .object(Self.sample(method.input, nip: nips[1], unit: unit))])
        }
        let input = Array(JSONValue.array(calls).serializedString(.compact).utf8)
        let ctlDone = try await Subprocess.run(
            "/usr/bin/setpriv", arguments: ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", "/usr/bin/env", "python3", "-c", Self.walker, daemon.socketPath],
            input: input, timeout: .seconds(120))
        #expect(ctlDone.status == .exited(0), "\(ctlDone.standardErrorText)")
        let replies = try JSONValue(parsing: ctlDone.standardOutputText).arrayValue ?? []
        #expect(replies.count == interface.methods.count)
        let forbiddenKeys: Set<String> = ["nip", "nama", "subject", "reviewer", "recipient", "to", "cc", "body", "text",
                                          "mean", "scores", "self_mean", "atasan_mean", "predikat", "hasil_kerja", "comment", "email"]
        var answered: [String] = []
        for (method, reply) in zip(interface.methods, replies) {
            if let error = reply["error"]?.stringValue {
                #expect(error == "org.varlink.service.PermissionDenied" || method.accessClass < .admin,
                        "\(method.name) answered \(error)")
                if method.accessClass < .admin {
                    Issue.record("\(method.name) is \(method.accessClass) but failed for a non-admin: \(reply)")
                }
                continue
            }
            answered.append(method.name)
            #expect(method.accessClass < .admin, "\(method.name) (admin) answered a non-admin")
            let text = reply.serializedString(.compact)
            for nip in nips where text.contains(nip) { Issue.record("\(method.name) shows the NIP \(nip)") }
            for name in names where text.contains(name) { Issue.record("\(method.name) shows the name \(name)") }
            #expect(!text.contains("@bandung") && !text.contains("Yth."), "\(method.name) shows mail: \(text.prefix(300))")
            let keys = Self.keys(reply["parameters"] ?? .null)
            #expect(keys.isDisjoint(with: forbiddenKeys), "\(method.name) carries \(keys.intersection(forbiddenKeys))")
        }
        #expect(Set(answered) == ["Ping", "GetStatus", "ListJobs", "JobHistory", "ListCycles", "GetCycle", "SurveyStats"])

        // kinerjactl explains a refused read as a matter of personal data, not of changing state.
        let flags = try await Self.ctl(daemon, ["flags"], asNobody: true)
        #expect(flags.status == .exited(1))
        #expect(flags.standardErrorText.contains("only reads, but what it shows is personal data"), "\(flags.standardErrorText)")
        let reload = try await Self.ctl(daemon, ["reload"], asNobody: true)
        #expect(reload.standardErrorText.contains("this command changes state"), "\(reload.standardErrorText)")
        #expect(try await daemon.stop() == .exited(0))
    }

    static func keys(_ value: JSONValue) -> Set<String> {
        switch value {
        case .object(let members): return Set(members.keys).union(members.values.flatMap { keys($0) })
        case .array(let items): return Set(items.flatMap { keys($0) })
        default: return []
        }
    }

    @Test("under umask 000 the database, WAL, SHM, lock, backups and spool are private (0600 files, 0700 folders)")
    func privateFilesWhateverTheUmask() async throws {
        var options = DaemonHarness.Options()
        options.wrapper = ["/bin/sh", "-c", "umask 000; exec \"$0\" \"$@\""]
        let daemon = try await DaemonHarness.start(options)
        let backup = try await daemon.call("io.kinerjad.Admin.Backup")
        let backupFile = try #require(backup["file"]?.stringValue)
        _ = try await Self.ctl(daemon, ["jobs", "run", "outbox-delivery"])
        func mode(_ path: String) -> mode_t? {
            var info = stat()
            return stat(path, &info) == 0 ? info.st_mode & 0o777 : nil
        }
        for file in [daemon.databasePath, daemon.databasePath + "-wal", daemon.databasePath + "-shm",
                     daemon.databasePath + ".lock", backupFile] {
            #expect(mode(file) == 0o600, "\(file): \(String(mode(file) ?? 0, radix: 8))")
        }
        for folder in [daemon.directory.path("backup"), daemon.directory.path("outbox")] where mode(folder) != nil {
            #expect(mode(folder) == 0o700, "\(folder): \(String(mode(folder) ?? 0, radix: 8))")
        }
        #expect(mode(daemon.directory.path("backup")) != nil)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("control characters, far-future periods and a unit head from another unit are refused with where and why")
    func inputStoredAsShown() async throws {
        let sink = try await SMTPSink.start()
        let (daemon, dir) = try await ReminderSweepTests.startWithOverdueCycle(sink: sink, schedule: Self.offJobs)
        let far = try await Self.ctl(daemon, ["cycles", "open", "9999-Q4"])
        #expect(far.status == .exited(1))
        #expect(far.standardErrorText.contains("more than 5 years ahead"), "\(far.standardErrorText)")
        let reason = try await Self.ctl(daemon, ["cycles", "close", "2026-Q2", "--force", "--reason", "ok\nBcc: x"])
        #expect(reason.status == .exited(1))
        #expect(reason.standardErrorText.contains("U+000A (LF)"), "\(reason.standardErrorText)")

        let employees = TestCSV.records(try String(contentsOfFile: dir.path("demo/employees.csv"), encoding: .utf8))
        let units = TestCSV.records(try String(contentsOfFile: dir.path("demo/units.csv"), encoding: .utf8))
        let first = try #require(units.first { !($0["head_nip"] ?? "").isEmpty })
        let stranger = try #require(employees.first { $0["unit_kerja"] != first["code"] && $0["aktif"] == "true" })
        let file = dir.path("bad-units.csv")
        try "code,name,head_nip\n\(first["code"]!),\(first["name"]!),\(stranger["nip"]!)\n".write(toFile: file, atomically: true, encoding: .utf8)
        let head = try await Self.ctl(daemon, ["import", "units", file])
        #expect(head.status == .exited(1))
        #expect(head.standardErrorText.contains("line 2, column 3 (head_nip)"), "\(head.standardErrorText)")

        let nul = dir.path("nul.csv")
        var text = try String(contentsOfFile: dir.path("demo/employees.csv"), encoding: .utf8)
        let victim = try #require(employees.last?["nama"])
        text = text.replacingOccurrences(of: victim, with: "Nul\u{0}Byte")
        try text.write(toFile: nul, atomically: true, encoding: .utf8)
        let imported = try await Self.ctl(daemon, ["import", "employees", nul])
        #expect(imported.status == .exited(1))
        #expect(imported.standardErrorText.contains("U+0000 (NUL)"), "\(imported.standardErrorText)")
        #expect(try await daemon.stop() == .exited(0))
    }
}
