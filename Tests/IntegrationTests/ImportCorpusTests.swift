import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// Bad import files through kinerjactl and the real daemon (a corpus of bad files): each
/// gives its line/column messages, exits 1, and leaves every table exactly as it was.
@Suite("Import corpus: bad files change nothing", .serialized)
struct ImportCorpusTests {
    static let a = "198001012005011001", b = "198502022010012002", c = "199003032015011003", d = "197512312000121004"
    static let header = "nip,nama,jabatan,unit_kerja,nip_atasan,email,telepon,status,aktif"

    static func row(_ nip: String, _ nama: String = "Pegawai", unit: String = "DLHK", atasan: String = "",
                    email: String = "") -> String {
        "\(nip),\(nama),Analis,\(unit),\(atasan),\(email),,PNS,true"
    }

    /// (file name, content, fragments expected on stderr)
    static let employeeCorpus: [(String, String, [String])] = [
        ("nip-length.csv", [header, row(a), row("19800101200501100")].joined(separator: "\n"),
         ["line 3, column 1 (nip)", "NIP must have 18 digits, found 17"]),
        ("nip-date.csv", [header, row(a), row("198002302005011001")].joined(separator: "\n"),
         ["line 3, column 1 (nip)", "birth date (digits 1–8) 19800230 is not a real date"]),
        ("nip-gender.csv", [header, row("198001012005013001")].joined(separator: "\n"),
         ["line 2, column 1 (nip)", "gender (digit 15) must be 1 or 2, found 3"]),
        ("duplicate.csv", [header, row(a), row(b, atasan: a), row(a)].joined(separator: "\n"),
         ["line 4, column 1 (nip)", "appears on lines 2 and 4"]),
        ("unknown-supervisor.csv", [header, row(a), row(b, atasan: d)].joined(separator: "\n"),
         ["line 3, column 5 (nip_atasan)", "supervisor NIP \(d) is not in the file"]),
        ("loop.csv", [header, row(a, atasan: c), row(b, atasan: a), row(c, atasan: b)].joined(separator: "\n"),
         ["column 5 (nip_atasan)", "supervisor loop of 3 employees"]),
        ("unknown-unit.csv", [header, row(a, unit: "DLHX")].joined(separator: "\n"),
         ["line 2, column 4 (unit_kerja)", "unit 'DLHX' is not a known unit"]),
        ("bad-email.csv", [header, row(a, email: "budi@@bandung.go.id")].joined(separator: "\n"),
         ["line 2, column 6 (email)", "'budi@@bandung.go.id' is not a valid e-mail address"]),
        ("bom-crlf-semicolon-quotes.csv",
         "\u{FEFF}NIP;Nama;Jabatan;Unit_Kerja;NIP_Atasan;Email;Telepon;Status;Aktif\r\n"
            + "\(a);\"Siti; S.Kom\";Kepala;DLHK;;;;PNS;ya\r\n"
            + "\(b);Budi;\"Analis\r\nKebijakan\";DLHK;\(a);;;PNS;ya\r\n"
            + "\(c);\"Dewi \"\"Ade\"\"\";Staf;DLHK;\(a);dewi@;;PPPK;tidak\r\n",
         ["line 5, column 6 (email)", "'dewi@' is not a valid e-mail address"]),
        ("unterminated-quote.csv", [header, row(a), "\(b),\"Budi,Analis,DLHK,,,,PNS,true"].joined(separator: "\n"),
         ["line 3, column 2", "never closed"]),
        ("empty.csv", "", ["line 1", "the file is empty"]),
        ("header-only.csv", header + "\n", ["line 1", "the file has a header but no records"]),
        ("wrong-header.csv", [header.replacingOccurrences(of: "nama", with: "name"), row(a)].joined(separator: "\n"),
         ["line 1, column 2 (name): unknown column 'name'", "missing column 'nama'"]),
        ("field-count.csv", [header, row(a), "\(b),Budi,Analis"].joined(separator: "\n"),
         ["line 3: the record has 3 fields, the header has 9"]),
    ]

    @Test("each bad employee file: exit 1, line and column, the database unchanged; then a messy valid file imports")
    func employeeFiles() async throws {
        let daemon = try await DaemonHarness.start()
        let kit = CyclesKit(daemon: daemon)
        let dir = try TemporaryDirectory(prefix: "kinerja-corpus")
        try "code,name\nDLHK,Dinas Lingkungan Hidup dan Kebersihan\nBKPSDM,Badan Kepegawaian\n"
            .write(toFile: dir.path("units.csv"), atomically: true, encoding: .utf8)
        #expect(try await kit.ctl(["import", "units", dir.path("units.csv")]).status == .exited(0))
        try ([Self.header, Self.row(Self.d, "Kepala", unit: "BKPSDM")].joined(separator: "\n"))
            .write(toFile: dir.path("base.csv"), atomically: true, encoding: .utf8)
        #expect(try await kit.ctl(["import", "employees", dir.path("base.csv")]).status == .exited(0))
        let baseline = try await kit.checksum()

        for (name, content, fragments) in Self.employeeCorpus {
            try content.write(toFile: dir.path(name), atomically: true, encoding: .utf8)
            let r = try await kit.ctl(["import", "employees", dir.path(name)])
            #expect(r.status == .exited(1), "\(name): \(r.status)")
            for fragment in fragments {
                #expect(r.standardErrorText.contains(fragment), "\(name): missing '\(fragment)' in:\n\(r.standardErrorText)")
            }
            #expect(r.standardErrorText.contains("nothing was imported"), "\(name)")
            #expect(try await kit.checksum() == baseline, "\(name) changed the database")
        }

        // 10,000 bad rows: the first 100 problems by line, then the count of the rest.
        let many = [Self.header] + (0..<10_000).map { i in
            Self.row(String(format: "1980010120050110%02d", i % 100).prefix(18).description, email: "x\(i)@@bad")
        }
        try many.joined(separator: "\n").write(toFile: dir.path("many.csv"), atomically: true, encoding: .utf8)
        let r = try await kit.ctl(["import", "employees", dir.path("many.csv")])
        #expect(r.status == .exited(1))
        let lines = r.standardErrorText.split(separator: "\n").filter { $0.hasPrefix("  line ") }
        #expect(lines.count == 100)
        #expect(lines.first?.hasPrefix("  line 2, column") == true)
        #expect(r.standardErrorText.contains("more problems ("), "\(r.standardErrorText.suffix(300))")
        #expect(r.standardErrorText.contains("in all)"))
        #expect(try await kit.checksum() == baseline)

        // A dry run reports and writes nothing; the messy but valid file then imports.
        let messy = "\u{FEFF}NIP;Nama;Jabatan;Unit_Kerja;NIP_Atasan;Email;Telepon;Status;Aktif\r\n"
            + "\(Self.a);\"Siti; S.Kom\";Kepala;dlhk;;siti@bandung.go.id;;PNS;ya\r\n"
            + "\(Self.b);Budi;\"Analis \"\"Kebijakan\"\"\";DLHK;\(Self.a);;;PNS;ya\r\n"
            + "\(Self.d);Kepala;Analis;BKPSDM;;;;PNS;true\r\n"
        try messy.write(toFile: dir.path("messy.csv"), atomically: true, encoding: .utf8)
        let dry = try await kit.ctl(["--json", "import", "employees", dir.path("messy.csv"), "--dry-run"])
        #expect(dry.status == .exited(0), "\(dry.standardErrorText)")
        let drySummary = try JSONValue(parsing: dry.standardOutputText)
        #expect(drySummary["dry_run"]?.boolValue == true && drySummary["added"]?.intValue == 2)
        #expect(try await kit.checksum() == baseline)
        let applied = try await kit.ctl(["import", "employees", dir.path("messy.csv")])
        #expect(applied.status == .exited(0), "\(applied.standardErrorText)")
        #expect(applied.standardOutputText.contains("2 new"))
        let employee = try await kit.call("GetEmployee", ["nip": .string(Self.a)])
        #expect(employee["employee"]?["nama"]?.stringValue == "Siti; S.Kom")
        #expect(employee["employee"]?["unit"]?.stringValue == "DLHK")
        let budi = try await kit.call("GetEmployee", ["nip": .string(Self.b)])
        #expect(budi["employee"]?["jabatan"]?.stringValue == "Analis \"Kebijakan\"")
        // A line break inside a quoted field reads, but no stored name or title may hold one: it
        // would start a line of its own in a table or a mail. The import names where it is.
        let broken = messy.replacingOccurrences(of: "Analis \"\"Kebijakan\"\"", with: "Analis\r\nKebijakan")
        try broken.write(toFile: dir.path("broken.csv"), atomically: true, encoding: .utf8)
        let refused = try await kit.ctl(["import", "employees", dir.path("broken.csv")])
        #expect(refused.status == .exited(1))
        #expect(refused.standardErrorText.contains("line 3, column 3 (jabatan)"), "\(refused.standardErrorText)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("bad review, SKM and training files: line and column, nothing written")
    func otherFiles() async throws {
        let daemon = try await DaemonHarness.start()
        let kit = CyclesKit(daemon: daemon)
        let dir = try TemporaryDirectory(prefix: "kinerja-corpus2")
        try "code,name\nDLHK,Dinas\n".write(toFile: dir.path("units.csv"), atomically: true, encoding: .utf8)
        try [Self.header, Self.row(Self.a), Self.row(Self.b, atasan: Self.a), Self.row(Self.c, atasan: Self.a)]
            .joined(separator: "\n").write(toFile: dir.path("e.csv"), atomically: true, encoding: .utf8)
        #expect(try await kit.ctl(["import", "units", dir.path("units.csv")]).status == .exited(0))
        #expect(try await kit.ctl(["import", "employees", dir.path("e.csv")]).status == .exited(0))
        #expect(try await kit.ctl(["cycles", "open", "2025-Q1", "--opened-at", "2025-04-01T08:00:00+07:00"]).status == .exited(0))
        let baseline = try await kit.checksum()
        let reviewHeader = "reviewer_nip,subject_nip,role,berorientasi_pelayanan,akuntabel,kompeten,harmonis,loyal,adaptif,kolaboratif,hasil_kerja,submitted_at"
        let corpus: [(String, String, String, [String])] = [
            ("reviews", "bad-score.csv", [reviewHeader, "\(Self.b),\(Self.b),self,4,4,6,4,4,4,4,,2025-04-02T10:00:00+07:00"].joined(separator: "\n"),
             ["line 2, column 6 (kompeten)", "must be a whole number 1–5, found '6'"]),
            ("reviews", "no-assignment.csv", [reviewHeader, "\(Self.c),\(Self.b),atasan,4,4,4,4,4,4,4,sesuai,2025-04-02T10:00:00+07:00"].joined(separator: "\n"),
             ["line 2, column 1 (reviewer_nip)", "has no atasan assignment of \(Self.b) to \(Self.c)"]),
            ("reviews", "hasil-missing.csv", [reviewHeader, "\(Self.a),\(Self.b),atasan,4,4,4,4,4,4,4,,2025-04-02T10:00:00+07:00"].joined(separator: "\n"),
             ["line 2, column 11 (hasil_kerja)", "hasil_kerja is required for the atasan role"]),
            ("reviews", "too-early.csv", [reviewHeader, "\(Self.b),\(Self.b),self,4,4,4,4,4,4,4,,2025-03-02T10:00:00+07:00"].joined(separator: "\n"),
             ["line 2, column 12 (submitted_at)", "before cycle 2025-Q1 opened"]),
            ("skm", "skm.csv", "unit,period,u1,u2,u3,u4,u5,u6,u7,u8,u9\nDLHK,2025-Q1,4,4,4,4,5,4,4,4,4\nDLHX,2025-Q1,4,4,4,4,4,4,4,4,4\n",
             ["line 2, column 7 (u5)", "line 3, column 1 (unit): unit 'DLHX' is not a known unit"]),
            ("training", "training.csv", "nip,course,date,hours\n\(Self.d),Bimtek SAKIP,2025-02-30,8\n",
             ["line 2, column 1 (nip): no employee has NIP \(Self.d)", "line 2, column 3 (date)"]),
        ]
        for (kind, name, content, fragments) in corpus {
            try content.write(toFile: dir.path(name), atomically: true, encoding: .utf8)
            let arguments = kind == "reviews" ? ["reviews", "import", dir.path(name)] : ["import", kind, dir.path(name)]
            let r = try await kit.ctl(arguments)
            #expect(r.status == .exited(1), "\(name)")
            for fragment in fragments {
                #expect(r.standardErrorText.contains(fragment), "\(name): missing '\(fragment)' in:\n\(r.standardErrorText)")
            }
            #expect(try await kit.checksum() == baseline, "\(name) changed the database")
        }
        #expect(try await daemon.stop() == .exited(0))
    }
}
