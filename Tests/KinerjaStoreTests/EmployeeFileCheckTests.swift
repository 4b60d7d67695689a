import Foundation
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// The checks of an employee file, the daemon's way (`EmployeeSpool`, `EmployeeFileCheck`,
/// `EmployeeMerge` through `AppDatabase.importEmployees`): each kind of problem with its line, column
/// and message; derived and stored units; warnings; what is stored.
@Suite("Employee file checks")
struct EmployeeFileCheckTests {
    // Valid NIPs used in the files below.
    static let sekda = "197001011995031001"
    static let kadis = "197505052000032002"
    static let kabid = "198003032005011003"
    static let staf1 = "199001012015031004"
    static let staf2 = "199202022017032005"

    static let validFile = """
    nip,nama,jabatan,unit_kerja,nip_atasan,email,telepon,status,aktif
    \(sekda),Ema Sumarna,Sekretaris Daerah,SETDA,,ema@bandung.go.id,022-4232338,PNS,true
    \(kadis),Siti Aminah,Kepala Dinas,DLHK,\(sekda),siti@bandung.go.id,,PNS,ya
    \(kabid),Agus Salim,Kepala Bidang,DLHK,\(kadis),,,PNS,1
    \(staf1),Budi Santoso,Pengelola Data,DLHK,\(kabid),budi.s@bandung.go.id,,PPPK,Y
    \(staf2),Rina Marlina,Analis,DLHK,\(kabid),rina@bandung.go.id,,pppk,tidak
    """

    static let header = "nip,nama,jabatan,unit_kerja,nip_atasan,email,telepon,status,aktif"

    func success(of result: Result<EmployeeFile, ImportFailure>) -> EmployeeFile? {
        guard case .success(let file) = result else { Issue.record("expected success, got \(result)"); return nil }
        return file
    }

    func failure(of result: Result<EmployeeFile, ImportFailure>) -> ImportFailure? {
        guard case .failure(let failure) = result else { Issue.record("expected problems, got \(result)"); return nil }
        return failure
    }

    @Test func validFileWithDerivedUnits() throws {
        let v = try #require(success(of: EmployeeFile.importing(Self.validFile)))
        #expect(v.employees.count == 5)
        #expect(v.employees.map(\.nip.description) == [Self.sekda, Self.kadis, Self.kabid, Self.staf1, Self.staf2])
        #expect(v.employees[3].status == .pppk && v.employees[4].status == .pppk)
        #expect(v.employees.map(\.aktif) == [true, true, true, true, false])
        #expect(v.employees[2].email == nil && v.employees[0].telepon == "022-4232338")
        #expect(v.summary.added == 5 && v.summary.unitsAdded == 2)
        #expect(v.units.map(\.code) == ["DLHK", "SETDA"])
        #expect(v.units[0].head == NIP(Self.kadis))
        #expect(v.units[1].head == NIP(Self.sekda))
        #expect(v.summary.warnings.isEmpty)
    }

    @Test func excelIndonesianExport() throws {
        // BOM, CRLF, ';' separator, quoted names containing ';' and quotes, columns reordered, header in caps.
        let text = "\u{FEFF}NAMA;NIP;Jabatan;Unit_Kerja;NIP_ATASAN;Email;Telepon;Status;Aktif\r\n"
            + "\"Ema; S.Sos\";\(Self.sekda);Sekda;SETDA;;;;PNS;TRUE\r\n"
            + "\"Dedi \"\"Ade\"\" K\";\(Self.kadis);Kadis;SETDA;\(Self.sekda);;;PNS;true\r\n"
            + ";;;;;;;;\r\n"
        let v = try #require(success(of: EmployeeFile.importing(text)))
        #expect(v.employees.map(\.nama) == ["Ema; S.Sos", "Dedi \"Ade\" K"])
        #expect(v.summary.records == 2)
    }

    @Test func knownUnitsAreMatchedCaseInsensitively() throws {
        let units = [Unit(code: "DLHK", name: "Dinas Lingkungan Hidup dan Kebersihan"), Unit(code: "SETDA")]
        let text = Self.validFile.replacingOccurrences(of: ",DLHK,", with: ",dlhk,")
        let v = try #require(success(of: EmployeeFile.importing(text, units: units)))
        #expect(Set(v.employees.map(\.unit)) == ["DLHK", "SETDA"])
        #expect(v.summary.unitsAdded == 0)
        #expect(v.units.first { $0.code == "DLHK" }?.name == "Dinas Lingkungan Hidup dan Kebersihan")
    }

    /// Each kind of problem, with the line, column and reason expected.
    @Test func everyProblemIsReportedWithLineAndColumn() throws {
        let text = """
        nip,nama,jabatan,unit_kerja,nip_atasan,email,telepon,status,aktif
        \(Self.sekda),Ema,Sekda,SETDA,,ema@bandung,,PNS,true
        19700101199503100,Salah Panjang,Staf,SETDA,\(Self.sekda),,,PNS,true
        \(Self.kadis),Siti,Kadis,DLHK,\(Self.sekda),,,PNS,true
        \(Self.kadis),Siti Lagi,Kadis,DLHK,\(Self.sekda),,,PNS,true
        \(Self.kabid),Agus,Kabid,DLHK,198505052010011099,,,PNS,true
        \(Self.staf1),Budi,Staf,DLHK,\(Self.staf1),,,PPPK,true
        \(Self.staf2),,Staf,DISKOMINFO,\(Self.kadis),,,Honorer,mungkin
        """
        let f = try #require(failure(of: EmployeeFile.importing(
            text, units: [Unit(code: "SETDA"), Unit(code: "DLHK")])))
        let got = f.problems.map { "\($0.line):\($0.column ?? 0):\($0.columnName ?? ""):\($0.code)" }
        #expect(got == [
            "2:6:email:bad_email",
            "3:1:nip:bad_nip",
            "5:1:nip:duplicate_nip",
            "6:5:nip_atasan:unknown_supervisor",
            "7:5:nip_atasan:self_supervision",
            "8:2:nama:missing_value",
            "8:4:unit_kerja:unknown_unit",
            "8:8:status:bad_status",
            "8:9:aktif:bad_boolean",
        ])
        #expect(f.totalCount == 9 && !f.isTruncated)
        let messages = f.problems.map(\.message)
        #expect(messages[0] == "'ema@bandung' is not a valid e-mail address")
        #expect(messages[1] == "'19700101199503100' is not a valid NIP: NIP must have 18 digits, found 17")
        #expect(messages[2] == "NIP \(Self.kadis) appears on lines 4 and 5")
        #expect(messages[3] == "supervisor NIP 198505052010011099 is not in the file")
        #expect(messages[6].hasPrefix("unit 'DISKOMINFO' is not a known unit (known: DLHK, SETDA)"))
        #expect(messages[7] == "status must be PNS or PPPK, found 'Honorer'")
        #expect(f.description.contains("line 8, column 9 (aktif): aktif must be one of true/false, 1/0, ya/tidak, y/n, found 'mungkin'"))
    }

    /// An NI PPPK carries no appointment month in digits 13–14: it is accepted for status PPPK, and
    /// refused for status PNS with a hint; a PNS NIP is checked as before.
    @Test func pppkNumbersAreAcceptedForPPPK() throws {
        let pppk = "199408112022211001", pppkSupervised = "198707132023212004"
        let text = """
        nip,nama,jabatan,unit_kerja,nip_atasan,email,telepon,status,aktif
        \(Self.kadis),Siti,Kepala Dinas,DLHK,,,,PNS,true
        \(pppk),Dani Prasetyo,Pranata Komputer,DLHK,\(Self.kadis),,,PPPK,true
        \(pppkSupervised),Wulan Sari,Penata Layanan Operasional,DLHK,\(pppk),,,PPPK,true
        """
        let v = try #require(success(of: EmployeeFile.importing(text)))
        #expect(v.employees.map(\.nip.description) == [Self.kadis, pppk, pppkSupervised])
        #expect(v.employees[2].supervisor == NIP(pppk))

        let asPNS = text.replacingOccurrences(of: "Pranata Komputer,DLHK,\(Self.kadis),,,PPPK", with: "Pranata Komputer,DLHK,\(Self.kadis),,,PNS")
        let f = try #require(failure(of: EmployeeFile.importing(asPNS)))
        #expect(f.problems.map(\.message) == [
            "'\(pppk)' is not a valid NIP: appointment date (digits 9–14) 202221 is not a real year and month: "
                + "month 21 is not 01–12 (an NI PPPK is accepted with status PPPK)",
            "supervisor NIP \(pppk) is not in the file",
        ])
        // A PPPK number whose year of appointment is implausible is still refused, with the PPPK reason.
        let young = text.replacingOccurrences(of: pppkSupervised, with: "201001012022211001")
        let g = try #require(failure(of: EmployeeFile.importing(young)))
        #expect(g.problems.map(\.message) == ["'201001012022211001' is not a valid NIP: NI PPPK appointment year "
            + "(digits 9–12) 2022 is not plausible: year 2022 is less than 15 years after the birth year 2010"])
    }

    @Test func supervisorLoopsReportTheirMembers() throws {
        // A 2-cycle (lines 2, 3) and a 4-cycle (lines 4–7), plus a tail hanging off the long cycle.
        let a = "198001012005011001", b = "198001012005011002"
        let c = "198001012005011003", d = "198001012005011004", e = "198001012005011005", f = "198001012005011006"
        let g = "198001012005011007"
        let text = """
        nip,nama,jabatan,unit_kerja,nip_atasan,email,telepon,status,aktif
        \(a),A,Staf,U,\(b),,,PNS,true
        \(b),B,Staf,U,\(a),,,PNS,true
        \(c),C,Staf,U,\(d),,,PNS,true
        \(d),D,Staf,U,\(e),,,PNS,true
        \(e),E,Staf,U,\(f),,,PNS,true
        \(f),F,Staf,U,\(c),,,PNS,true
        \(g),G,Staf,U,\(e),,,PNS,true
        """
        let loops = try #require(failure(of: EmployeeFile.importing(text)))
        #expect(loops.problems.map(\.code) == [.supervisorLoop, .supervisorLoop])
        #expect(loops.problems.map(\.line) == [2, 4])
        #expect(loops.problems.allSatisfy { $0.columnName == "nip_atasan" && $0.column == 5 })
        #expect(loops.problems[0].message
            == "supervisor loop of 2 employees: \(a) (line 2) → \(b) (line 3) → back to \(a)")
        #expect(loops.problems[1].message
            == "supervisor loop of 4 employees: \(c) (line 4) → \(d) (line 5) → \(e) (line 6) → \(f) (line 7) → back to \(c)")
    }

    @Test func emptyHeaderOnlyAndWrongHeader() throws {
        let empty = try #require(failure(of: EmployeeFile.importing("")))
        #expect(empty.problems.map(\.code) == [.emptyFile])
        #expect(empty.problems[0].description == "line 1: the file is empty: expected a header line and at least one record")

        let headerOnly = try #require(failure(of: EmployeeFile.importing(Self.header + "\r\n")))
        #expect(headerOnly.problems.map(\.code) == [.noRecords])
        #expect(headerOnly.problems[0].message == "the file has a header but no records")

        let wrong = try #require(failure(of: EmployeeFile.importing(
            "nip,name,jabatan,unit,nip_atasan,email,telepon,status\n1,2,3,4,5,6,7,8\n")))
        // Missing columns (no column number) sort before the unknown ones at columns 2 and 4.
        #expect(wrong.problems.map(\.code) == [.missingColumn, .missingColumn, .missingColumn, .unknownColumn, .unknownColumn])
        #expect(wrong.problems.map(\.columnName) == ["nama", "unit_kerja", "aktif", "name", "unit"])
        #expect(wrong.problems.map(\.column) == [nil, nil, nil, 2, 4])
        #expect(wrong.problems[3].message == "unknown column 'name'; expected header: "
            + Self.expectedHeader)
        #expect(wrong.problems[0].description == "line 1 (nama): missing column 'nama'; expected header: "
            + Self.expectedHeader)
    }

    /// The nine required columns, then the optional ones in brackets.
    static let expectedHeader = "nip,nama,jabatan,unit_kerja,nip_atasan,email,telepon,status,aktif,"
        + "[jenis_jabatan],[kelas_jabatan],[eselon],[sub_unit],[nip_plt],[jenis_plt],[alasan_nonaktif]"

    @Test func recordWithWrongFieldCount() throws {
        let text = Self.header + "\n"
            + "\(Self.sekda),Ema,Sekda,SETDA,,,,PNS,true\n"
            + "\(Self.kadis),Siti,Kadis,SETDA,\(Self.sekda),,PNS,true\n"
        let f = try #require(failure(of: EmployeeFile.importing(text)))
        #expect(f.problems.map(\.code) == [.fieldCount])
        #expect(f.problems[0].line == 3)
    }

    /// 10,000 bad records: the cap holds, the total counts them all, and the first problems are the
    /// first lines of the file, in order.
    @Test func tenThousandBadRows() throws {
        var text = Self.header + "\r\n"
        for i in 0..<10_000 {
            // Bad gender digit (3) and a bad e-mail on every record.
            text += "19800101200501300\(i % 10),Nama \(i),Staf,DLHK,,bukan-email,,PNS,true\r\n"
        }
        let f = try #require(failure(of: EmployeeFile.importing(text, problemCap: 50)))
        #expect(f.problems.count == 50)
        #expect(f.totalCount == 20_000)
        #expect(f.isTruncated)
        #expect(f.problems.first?.line == 2)
        #expect(f.problems.map(\.line) == (0..<50).map { 2 + $0 / 2 })
        #expect(f.problems.map(\.columnName) == (0..<50).map { $0 % 2 == 0 ? "nip" : "email" })
        #expect(f.problems[0].message == "'198001012005013000' is not a valid NIP: gender (digit 15) must be 1 or 2, found 3")
        #expect(f.description.hasSuffix("… and 19950 more problems"))
    }

    @Test func lateProblemsStillSortIntoPlaceUnderTheCap() throws {
        // The loop through lines 2 and 30 is only known after the last line; with a cap of 3 it must
        // still be reported first, at line 2.
        var text = Self.header + "\n"
        text += "\(Self.sekda),Ema,Sekda,SETDA,\(Self.kadis),,,PNS,true\n"
        for i in 0..<27 { text += "\(Self.kabid.dropLast(3))\(100 + i),X,Staf,SETDA,,bad,,PNS,true\n" }
        text += "\(Self.kadis),Siti,Kadis,SETDA,\(Self.sekda),,,PNS,true\n"
        let f = try #require(failure(of: EmployeeFile.importing(text, problemCap: 3)))
        #expect(f.totalCount == 28)
        #expect(f.problems.map(\.line) == [2, 3, 4])
        #expect(f.problems.map(\.code) == [.supervisorLoop, .badEmail, .badEmail])
        #expect(f.problems[0].message.contains("\(Self.kadis) (line 30)"))
    }

    @Test func inactiveSupervisorIsAWarning() throws {
        let text = Self.header + "\n"
            + "\(Self.sekda),Ema,Sekda,SETDA,,,,PNS,false\n"
            + "\(Self.kadis),Siti,Kadis,SETDA,\(Self.sekda),,,PNS,true\n"
        let v = try #require(success(of: EmployeeFile.importing(text)))
        #expect(v.summary.warnings == ["line 3, column 5 (nip_atasan): supervisor \(Self.sekda) (line 2) is inactive; "
            + "this employee will have no atasan review"])
    }


    /// A file staged in many batches, loops and field counts included, gives the problems of the file
    /// staged in two.
    @Test func batchesDoNotChangeTheProblems() throws {
        let lines = [Self.header,
                     "\(Self.sekda),Ema,Sekda,SETDA,\(Self.kabid),,,PNS,true",
                     "\(Self.kadis),Siti,Kadis,SETDA,\(Self.sekda),,,PNS,true",
                     "\(Self.kabid),Agus,Kabid,SETDA,\(Self.kadis),,,PNS,true",
                     "1,2,3",
                     "\(Self.staf1),Budi,Staf,SETDA,\(Self.kabid),,,PNS,true"]
        let text = lines.joined(separator: "\n")
        let document = try CSVParser.parse(text)
        let staged = try EmployeeSpool(columns: try EmployeeImport.schema.bind(header: document.header).get())
        for record in document.records { staged.add([record]) }
        let one = try #require(failure(of: .failure(ImportFailure.from {
            try AppDatabase.inMemory().importEmployees(staged, dryRun: false, now: EmployeeFile.importedAt, source: "test")
        })))
        let two = try #require(failure(of: try EmployeeFile.importing(text)))
        #expect(one == two)
        #expect(two.problems.map { "\($0.line):\($0.code)" } == ["2:supervisor_loop", "5:field_count"])
    }
}

extension ImportFailure {
    /// The failure `body` throws (none when it does not).
    static func from(_ body: () throws -> Any) -> ImportFailure {
        do { _ = try body() } catch let failure as ImportFailure { return failure } catch {}
        return ImportFailure(problems: [], totalCount: 0)
    }
}
