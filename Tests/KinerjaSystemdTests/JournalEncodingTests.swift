import KinerjaSystemd
import Logging
import Testing

@Suite("Journal native protocol encoding")
struct JournalEncodingTests {
    @Test("plain values are NAME=value lines; values with control characters use the length-prefixed form")
    func encoding() throws {
        var entry = JournalEntry()
        entry.append(.message, "halo")
        entry.append(try JournalFieldName("KINERJA_NOTE"), "a\nb")
        entry.append(try JournalFieldName("KINERJA_TAB"), "a\tb")
        entry.append(try JournalFieldName("KINERJA_BIN"), bytes: [0x00, 0xFF])
        let expected: [UInt8] =
            Array("MESSAGE=halo\n".utf8)
            + Array("KINERJA_NOTE\n".utf8) + [3, 0, 0, 0, 0, 0, 0, 0] + Array("a\nb\n".utf8)
            + Array("KINERJA_TAB=a\tb\n".utf8)
            + Array("KINERJA_BIN\n".utf8) + [2, 0, 0, 0, 0, 0, 0, 0, 0x00, 0xFF, 0x0A]
        #expect(entry.encoded() == expected)
    }

    @Test("field names follow journald's rules", arguments: [
        ("MESSAGE", true), ("KINERJA_NIP", true), ("A1_B2", true),
        (String(repeating: "A", count: 64), true), (String(repeating: "A", count: 65), false),
        ("", false), ("_PID", false), ("1ABC", false), ("message", false), ("KINERJA-NIP", false),
        ("KINERJA NIP", false), ("KINERJA_É", false),
    ])
    func fieldNames(name: String, valid: Bool) {
        #expect((JournalFieldName(validating: name) != nil) == valid)
        #expect((JournalFieldName.problem(with: name) == nil) == valid)
    }

    @Test("an invalid field name is an error that names the field and the rule")
    func fieldNameError() {
        #expect {
            try JournalFieldName("_HIDDEN")
        } throws: { error in
            let error = error as? SystemdError
            return error?.code == .invalidFieldName
                && error?.message == "journal field name \"_HIDDEN\" starts with \"_\", which is reserved for journald's own fields"
        }
    }

    @Test("metadata keys become KINERJA_* fields", arguments: [
        ("nip", "KINERJA_NIP"), ("cycle.id", "KINERJA_CYCLE_ID"), ("jumlah-pegawai", "KINERJA_JUMLAH_PEGAWAI"),
        ("Unit Kerja", "KINERJA_UNIT_KERJA"), ("ünït", "KINERJA__N_T"), ("", "KINERJA_"),
        ("error.type", "KINERJA_ERROR_TYPE"), ("42", "KINERJA_42"),
    ])
    func sanitizedKeys(key: String, field: String) {
        let name = JournalFieldName.sanitized(metadataKey: key)
        #expect(name.rawValue == field)
        #expect(JournalFieldName(validating: name.rawValue) != nil)
    }

    @Test("a long metadata key is cut to 64 characters and stays valid")
    func longKey() {
        let name = JournalFieldName.sanitized(metadataKey: String(repeating: "x", count: 100))
        #expect(name.rawValue.count == 64)
        #expect(name.rawValue.hasPrefix("KINERJA_XXXX"))
        #expect(JournalFieldName(validating: name.rawValue) != nil)
    }

    @Test("message ids are 32 hex characters, normalised to lower case")
    func messageIDs() throws {
        #expect(try MessageID(hex: "0123456789ABCDEF0123456789abcdef").hex == "0123456789abcdef0123456789abcdef")
        #expect(MessageID(validating: "0123456789abcdef0123456789abcde") == nil)
        #expect(MessageID(validating: "0123456789abcdef0123456789abcdeg") == nil)
        #expect(MessageID(validating: "01234567-89ab-cdef-0123-456789abcdef") == nil)
        #expect(MessageID.problem(with: "0123456789abcdef0123456789abcdeg") == "has a non-hexadecimal character at position 32")
        #expect(MessageID.problem(with: "abc") == "has 3 bytes; a message id is 32 hexadecimal characters")
        let literal: MessageID = "fedcba9876543210fedcba9876543210"
        #expect(Logger.MetadataValue.messageID(literal) == .string("fedcba9876543210fedcba9876543210"))
    }

    @Test("the handler builds the entry from level, message, metadata and source position")
    func entryFields() {
        let entry = JournalLogHandler.entry(
            level: .warning,
            message: "terlambat",
            metadata: ["message_id": "0123456789abcdef0123456789abcdef", "nip": "198503302010011002", "count": .stringConvertible(3)],
            identifier: "kinerjad",
            label: "kinerja.reminder",
            file: "KinerjaDaemon/Reminder.swift",
            function: "sweep()",
            line: 42
        )
        #expect(entry.fields.map(\.name.rawValue) == [
            "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "MESSAGE_ID", "CODE_FILE", "CODE_LINE", "CODE_FUNC",
            "KINERJA_LOGGER", "KINERJA_COUNT", "KINERJA_NIP",
        ])
        #expect(entry.value(of: "PRIORITY") == "4")
        #expect(entry.value(of: "KINERJA_COUNT") == "3")
        #expect(entry.value(of: "CODE_LINE") == "42")
    }

    @Test("swift-log levels map to syslog priorities")
    func priorities() {
        #expect(SyslogPriority(.trace) == .debug)
        #expect(SyslogPriority(.debug).rawValue == 7)
        #expect(SyslogPriority(.info).rawValue == 6)
        #expect(SyslogPriority(.notice).rawValue == 5)
        #expect(SyslogPriority(.warning).rawValue == 4)
        #expect(SyslogPriority(.error).rawValue == 3)
        #expect(SyslogPriority(.critical).rawValue == 2)
    }

    @Test("a journal socket path that does not fit sockaddr_un is reported on send")
    func pathTooLong() {
        let socket = JournalSocket(path: "/tmp/" + String(repeating: "p", count: 200))
        #expect {
            try socket.send(JournalEntry())
        } throws: { error in
            (error as? SystemdError)?.message.contains("must be 1 to 107 bytes") == true
        }
    }
}
