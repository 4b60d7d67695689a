import Foundation
import Testing
@testable import KinerjaDomain

@Suite("Training import")
struct TrainingImportTests {
    static let a = "198001012005011001", b = "198502022010012002"

    @Test func validFile() throws {
        let text = """
        NIP;Pelatihan;Tanggal;Jam
        \(Self.a);Pelatihan Kepemimpinan Pengawas;2025-03-10;40
        \(Self.b);"Manajemen ASN; Angkatan II";05/02/2025;2,5
        """
        let records = try #require(success(of: TrainingImport.validate(csv: text, knownEmployees: [NIP(Self.a)!, NIP(Self.b)!])))
        #expect(records.count == 2)
        #expect(records[0].date == CalendarDate(year: 2025, month: 3, day: 10) && records[0].hours == 40)
        #expect(records[1].course == "Manajemen ASN; Angkatan II")
        #expect(records[1].date == CalendarDate(year: 2025, month: 2, day: 5) && records[1].hours == 2.5)
    }

    @Test func problems() throws {
        let text = """
        nip,course,date,hours
        \(Self.a),Diklat PIM IV,2025-02-30,10
        \(Self.b),,2025-01-10,0
        198001012005011099,Bimtek SAKIP,2025-01-10,1.5.2
        \(Self.a),Diklat PIM IV,01/03/2025,8
        \(Self.a),diklat pim iv,2025-03-01,8
        12345,Bimtek,,
        """
        let f = try #require(failure(of: TrainingImport.validate(csv: text, knownEmployees: [NIP(Self.a)!, NIP(Self.b)!])))
        #expect(f.problems.map { "\($0.line):\($0.column ?? 0):\($0.code)" } == [
            "2:3:bad_date",
            "3:2:missing_value", "3:4:bad_number",
            "4:1:unknown_employee", "4:4:bad_number",
            "6:2:duplicate_record",
            "7:1:bad_nip", "7:3:missing_value", "7:4:missing_value",
        ])
        #expect(f.problems[5].message == "the same training (\(Self.a), 'diklat pim iv', 2025-03-01) is on lines 5 and 6")
    }

    @Test func dates() {
        #expect(TrainingImport.parseDate("2024-02-29") == CalendarDate(year: 2024, month: 2, day: 29))
        #expect(TrainingImport.parseDate("29/2/2024") == CalendarDate(year: 2024, month: 2, day: 29))
        #expect(TrainingImport.parseDate("29/02/2023") == nil)
        #expect(TrainingImport.parseDate("2/29/2024") == nil)
        #expect(TrainingImport.parseDate("2024/02/29") == nil)
    }
}
