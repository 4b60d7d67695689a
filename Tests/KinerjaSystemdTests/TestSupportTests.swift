import Foundation
import KinerjaSystemd
import KinerjaTestSupport
import Testing

@Suite("Test helpers")
struct TestSupportTests {
    @Test("Subprocess captures output, passes stdin, environment and working directory, and reports the exit status")
    func runsProcesses() async throws {
        try await TemporaryDirectory.with { directory in
            let result = try await Subprocess.run(
                "/bin/sh", arguments: ["-c", "cat; echo \"$GREETING\"; pwd; echo oops >&2; exit 3"],
                environment: ["GREETING": "halo", "PATH": "/usr/bin:/bin"],
                workingDirectory: directory.path,
                input: Array("dari stdin\n".utf8)
            )
            #expect(result.status == .exited(3))
            #expect(result.standardOutputText == "dari stdin\nhalo\n\(directory.path)\n")
            #expect(result.standardErrorText == "oops\n")
        }
    }

    @Test("Subprocess signals a running process, waits for output, and times out with the output so far")
    func signalsProcesses() async throws {
        let process = try Subprocess.launch("/bin/sh", arguments: ["-c", "echo started; exec sleep 30"])
        try await process.waitForOutput(containing: "started", in: .standardOutput)
        await #expect(throws: TestSupportError.self) {
            try await process.wait(timeout: .milliseconds(100))
        }
        #expect(process.isRunning)
        try process.signal(SIGTERM)
        #expect(try await process.wait(timeout: .seconds(5)) == .signaled(SIGTERM))
        #expect(throws: TestSupportError.self) { try process.signal(SIGTERM) }
    }

    @Test("a child does not inherit the test runner's other descriptors")
    func closesDescriptors() async throws {
        try await TemporaryDirectory.with { directory in
            let capture = try FileCapture(directory.path("held-open"))
            let fd = capture.writer.fileDescriptor
            _ = fcntl(fd, F_SETFD, 0)
            let result = try await Subprocess.run("/bin/sh", arguments: ["-c", "ls /proc/self/fd"])
            let fds = result.standardOutputText.split(separator: "\n").compactMap { Int32($0) }
            #expect(!fds.contains(fd), "\(fds)")
        }
    }

    @Test("TemporaryDirectory is created under /tmp and removed afterwards")
    func temporaryDirectory() async throws {
        let path = try await TemporaryDirectory.with { directory in
            #expect(directory.path.hasPrefix("/tmp/kinerja-test-"))
            try "x".write(toFile: directory.path("file"), atomically: false, encoding: .utf8)
            return directory.path
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a journald namespace starts, holds entries, and leaves no files behind when stopped")
    func journalNamespaceLifecycle() async throws {
        let journal = try await JournalNamespace.start()
        let name = journal.name
        #expect(journal.isRunning)
        let logger = try await Subprocess.run(
            "logger", arguments: ["--socket", journal.syslogSocketPath, "-t", "kinerja-probe", "lewat syslog"]
        )
        #expect(logger.status == .exited(0), "\(logger.standardErrorText)")
        let entries = try await journal.waitForEntries(matching: ["SYSLOG_IDENTIFIER": "kinerja-probe"])
        #expect(entries.first?["MESSAGE"] == "lewat syslog")
        await journal.stop()
        #expect(!journal.isRunning)
        #expect(!FileManager.default.fileExists(atPath: "/run/systemd/journal.\(name)"))
        let leftovers = ["/var/log/journal", "/run/log/journal"].flatMap { parent in
            ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { $0.hasSuffix(".\(name)") }
        }
        #expect(leftovers.isEmpty)
    }

    @Test("journalctl's byte-array form of a value decodes to the same text")
    func journalValueForms() throws {
        let json = #"{"MESSAGE":[104,97,108,111,10,100,117,110,105,97],"PLAIN":"teks","MULTI":["a",[98,10]],"BIG":null}"#
        let record = try JSONDecoder().decode(JournalRecord.self, from: Data(json.utf8))
        #expect(record["MESSAGE"] == "halo\ndunia")
        #expect(record["PLAIN"] == "teks")
        #expect(record.value("MULTI")?.strings == ["a", "b\n"])
        #expect(record.value("BIG") == .omitted)
        #expect(record["MISSING"] == nil)
    }

    @Test("BuiltProducts looks next to the test bundle and explains a missing executable")
    func builtProducts() {
        #expect(FileManager.default.fileExists(atPath: BuiltProducts.directory))
        #expect {
            try BuiltProducts.executable(named: "no-such-kinerja-tool")
        } throws: { error in
            "\(error)".contains("no executable no-such-kinerja-tool at \(BuiltProducts.directory)/no-such-kinerja-tool")
        }
    }
}
