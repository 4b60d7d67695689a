import Foundation
import KinerjaSystemd
import KinerjaTestSupport
import Logging
import Testing

/// JournalLogHandler against a real journald (a private namespace), read back with journalctl.
@Suite("JournalLogHandler with a private journald")
struct JournalLogHandlerTests {
    private static let identifier = "kinerjad-test"

    private func logger(_ journal: JournalNamespace, label: String = "kinerja.test") -> Logger {
        var logger = Logger(label: label) { label in
            JournalLogHandler(label: label, identifier: Self.identifier, socketPath: journal.socketPath)
        }
        logger.logLevel = .trace
        return logger
    }

    @Test("standard and KINERJA_* fields arrive as sent")
    func structuredFields() async throws {
        try await JournalNamespace.with { journal in
            let logger = logger(journal, label: "kinerja.scheduler")
            let line: UInt = #line + 1
            logger.notice("siklus dibuka", metadata: [
                "message_id": "7D1A3C5E9F0B4A2C8E6D4B2A0C9E8F71",
                "nip": "198503302010011002",
                "cycle.id": "2025-Q1",
                "unit": "BKPSDM",
            ])
            let entries = try await journal.waitForEntries(matching: ["SYSLOG_IDENTIFIER": Self.identifier])
            try #require(entries.count == 1)
            let entry = entries[0]
            #expect(entry["MESSAGE"] == "siklus dibuka")
            #expect(entry["PRIORITY"] == "5")
            #expect(entry["MESSAGE_ID"] == "7d1a3c5e9f0b4a2c8e6d4b2a0c9e8f71")
            #expect(entry["KINERJA_NIP"] == "198503302010011002")
            #expect(entry["KINERJA_CYCLE_ID"] == "2025-Q1")
            #expect(entry["KINERJA_UNIT"] == "BKPSDM")
            #expect(entry["KINERJA_LOGGER"] == "kinerja.scheduler")
            #expect(entry["KINERJA_MESSAGE_ID"] == nil)
            #expect(entry["CODE_FILE"] == "KinerjaSystemdTests/JournalLogHandlerTests.swift")
            #expect(entry["CODE_LINE"] == String(line))
            #expect(entry["CODE_FUNC"] == "structuredFields()")
            #expect(entry["_TRANSPORT"] == "journal")
            #expect(entry["_PID"] == String(getpid()))
        }
    }

    @Test("each swift-log level maps to its syslog priority")
    func priorities() async throws {
        try await JournalNamespace.with { journal in
            let logger = logger(journal)
            let expected: [(Logger.Level, String)] = [
                (.trace, "7"), (.debug, "7"), (.info, "6"), (.notice, "5"),
                (.warning, "4"), (.error, "3"), (.critical, "2"),
            ]
            for (level, _) in expected {
                logger.log(level: level, "level \(level)", metadata: ["level": "\(level)"])
            }
            let entries = try await journal.waitForEntries(matching: ["SYSLOG_IDENTIFIER": Self.identifier], count: expected.count)
            for (level, priority) in expected {
                let entry = entries.first { $0["KINERJA_LEVEL"] == "\(level)" }
                #expect(entry?["PRIORITY"] == priority, "level \(level)")
            }
        }
    }

    @Test("a multi-line message and a multi-line metadata value arrive intact")
    func multiLine() async throws {
        try await JournalNamespace.with { journal in
            let message = "Pengingat penilaian:\n- 3 penilaian rekan\n- 1 penilaian atasan\n\ttab dan baris akhir\n"
            logger(journal).info("\(message)", metadata: ["evidence": "Q1: 3.1\nQ2: 2.7\r\nQ3: 2.2"])
            let entries = try await journal.waitForEntries(matching: ["SYSLOG_IDENTIFIER": Self.identifier])
            #expect(entries.first?["MESSAGE"] == message)
            #expect(entries.first?["KINERJA_EVIDENCE"] == "Q1: 3.1\nQ2: 2.7\r\nQ3: 2.2")
        }
    }

    @Test("Indonesian text and emoji arrive intact")
    func nonASCII() async throws {
        try await JournalNamespace.with { journal in
            let message = "Penilaian perilaku kerja BerAKHLAK untuk Dinas Lingkungan Hidup — “Sangat Baik” ✅ 🎉 ñ ü 日本"
            logger(journal).info("\(message)", metadata: ["unit": "Kecamatan Cibeunying Kidul 🏙️"])
            let entries = try await journal.waitForEntries(matching: ["SYSLOG_IDENTIFIER": Self.identifier])
            #expect(entries.first?["MESSAGE"] == message)
            #expect(entries.first?["KINERJA_UNIT"] == "Kecamatan Cibeunying Kidul 🏙️")
        }
    }

    @Test("a message over 300 KiB travels through a sealed memfd and arrives intact")
    func largeMessage() async throws {
        try await JournalNamespace.with { journal in
            let line = "NIP 198503302010011002 Sesuai Ekspektasi; catatan atasan panjang sekali.\n"
            let message = String(repeating: line, count: 300 * 1024 / line.utf8.count + 1)
            #expect(message.utf8.count > 300 * 1024)

            var entry = JournalEntry()
            entry.append(.message, message)
            entry.append(.syslogIdentifier, Self.identifier)
            entry.append(try JournalFieldName("KINERJA_PATH"), "socket")
            let socket = JournalSocket(path: journal.socketPath)
            #expect(try socket.send(entry) == .memfd)

            logger(journal).info("\(message)", metadata: ["path": "handler"])

            let entries = try await journal.waitForEntries(matching: ["SYSLOG_IDENTIFIER": Self.identifier], count: 2)
            #expect(entries.count == 2)
            for entry in entries {
                #expect(entry.value("MESSAGE")?.data?.count == message.utf8.count, "\(entry["KINERJA_PATH"] ?? "?")")
                #expect(entry["MESSAGE"] == message, "\(entry["KINERJA_PATH"] ?? "?")")
            }
        }
    }

    @Test("entries up to the datagram limit go as one datagram; with a zero limit even a small one goes by memfd")
    func transports() async throws {
        try await JournalNamespace.with { journal in
            var entry = JournalEntry()
            entry.append(.message, "kecil")
            entry.append(.syslogIdentifier, Self.identifier)
            #expect(try JournalSocket(path: journal.socketPath).send(entry) == .datagram)

            var forced = JournalEntry()
            forced.append(.message, "lewat memfd\nbaris kedua")
            forced.append(.syslogIdentifier, Self.identifier)
            #expect(try JournalSocket(path: journal.socketPath, datagramLimit: 0).send(forced) == .memfd)

            var nearLimit = JournalEntry()
            let big = String(repeating: "0123456789abcdef", count: 120 * 1024 / 16)
            nearLimit.append(.message, big)
            nearLimit.append(.syslogIdentifier, Self.identifier)
            #expect(try JournalSocket(path: journal.socketPath).send(nearLimit) == .datagram)

            let entries = try await journal.waitForEntries(matching: ["SYSLOG_IDENTIFIER": Self.identifier], count: 3)
            #expect(entries.map { $0["MESSAGE"] } == ["kecil", "lewat memfd\nbaris kedua", big])
        }
    }

    @Test("metadata keys that break journald's field rules are sanitised, not dropped")
    func sanitisedKeys() async throws {
        try await JournalNamespace.with { journal in
            let longKey = String(repeating: "panjang", count: 12)
            logger(journal).info("kunci aneh", metadata: [
                "jumlah pegawai": "16012",
                "9lives": "x",
                "_private": "y",
                "ünït-kerja": "DLHK",
                longKey: "z",
                "message_id": "not-a-message-id",
            ])
            let entries = try await journal.waitForEntries(matching: ["SYSLOG_IDENTIFIER": Self.identifier])
            let entry = try #require(entries.first)
            #expect(entry["KINERJA_JUMLAH_PEGAWAI"] == "16012")
            #expect(entry["KINERJA_9LIVES"] == "x")
            #expect(entry["KINERJA__PRIVATE"] == "y")
            #expect(entry["KINERJA__N_T_KERJA"] == "DLHK")
            let longField = String(("KINERJA_" + longKey.uppercased()).prefix(64))
            #expect(entry[longField] == "z")
            #expect(entry["MESSAGE_ID"] == nil)
            #expect(entry["KINERJA_MESSAGE_ID"] == "not-a-message-id")
        }
    }

    @Test("a missing journal socket falls back to stderr-format lines without crashing")
    func missingSocketFallsBack() async throws {
        try await TemporaryDirectory.with { directory in
            let capture = try FileCapture(directory.path("fallback.log"))
            let destination = JournalDestination(
                identifier: Self.identifier,
                socket: JournalSocket(path: directory.path("no-journald/socket")),
                fallback: capture.writer
            )
            let logger = Logger(label: "kinerja.test") { JournalLogHandler(label: $0, destination: destination) }
            logger.error("pengiriman gagal", metadata: ["attempt": "3"])
            logger.warning("kedua")
            let lines = try capture.lines()
            try #require(lines.count == 3, "\(lines)")
            #expect(lines[0].hasPrefix("<4>journal unavailable, logging to stderr instead: sendto \(directory.path("no-journald/socket")) failed"))
            #expect(lines[0].hasSuffix("No such file or directory"))
            #expect(lines[1] == "<3>pengiriman gagal attempt=3")
            #expect(lines[2] == "<4>kedua")
        }
    }

    @Test("when journald stops, entries fall back; when a journald listens again, they go to the journal")
    func recoversAfterJournaldReturns() async throws {
        try await TemporaryDirectory.with { directory in
            let journal = try await JournalNamespace.start()
            let capture = try FileCapture(directory.path("fallback.log"))
            let destination = JournalDestination(
                identifier: Self.identifier,
                socket: JournalSocket(path: journal.socketPath),
                fallback: capture.writer
            )
            let logger = Logger(label: "kinerja.test") { JournalLogHandler(label: $0, destination: destination) }
            logger.info("pertama")
            try await journal.waitForEntries(matching: ["MESSAGE": "pertama"])
            await journal.stop()
            logger.info("kedua")
            #expect(try capture.lines().count == 2)
            #expect(try capture.lines().last == "<6>kedua")

            let restarted = try await JournalNamespace.start(name: journal.name)
            logger.info("ketiga")
            let entries = try await restarted.waitForEntries(matching: ["SYSLOG_IDENTIFIER": Self.identifier])
            #expect(entries.map { $0["MESSAGE"] } == ["ketiga"])
            #expect(try capture.lines().count == 2)
            await restarted.stop()
        }
    }
}

/// A stalled journald: a bound datagram socket that nobody reads, so its queue fills up.
@Suite("JournalLogHandler with a stalled journal socket")
struct StalledJournalTests {
    @Test("when journald's queue is full, a log call gives up after the send timeout and falls back")
    func sendTimeout() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.path("stalled.sock")
            let stalled = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            defer { close(stalled) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stalled, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            try #require(bound == 0, "bind \(path): \(describeErrno())")

            let capture = try FileCapture(directory.path("fallback.log"))
            let destination = JournalDestination(
                identifier: "kinerjad-test",
                socket: JournalSocket(path: path, sendTimeout: .milliseconds(100)),
                fallback: capture.writer
            )
            let logger = Logger(label: "kinerja.test") { JournalLogHandler(label: $0, destination: destination) }
            let clock = ContinuousClock()
            var slowest = Duration.zero
            var index = 0
            while try capture.lines().isEmpty && index < 1000 {
                index += 1
                let elapsed = clock.measure { logger.info("antre \(index)") }
                slowest = max(slowest, elapsed)
            }
            let lines = try capture.lines()
            try #require(lines.count == 2, "\(lines)")
            #expect(lines[0].hasPrefix("<4>journal unavailable, logging to stderr instead: sendto \(path) failed"))
            #expect(lines[1] == "<6>antre \(index)")
            #expect(slowest >= .milliseconds(90))
            #expect(slowest < .seconds(1))
        }
    }
}
