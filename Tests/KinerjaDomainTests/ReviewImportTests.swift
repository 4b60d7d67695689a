import Foundation
import Testing
@testable import KinerjaDomain

@Suite("Review import")
struct ReviewImportTests {
    static let jakarta = TimeZone(identifier: "Asia/Jakarta")!
    static let a = "198001012005011001", b = "198502022010012002", c = "199003032015011003"
    static let header = "reviewer_nip,subject_nip,role,berorientasi_pelayanan,akuntabel,kompeten,harmonis,loyal,adaptif,kolaboratif,comment,hasil_kerja,submitted_at"

    @Test func validRowsByKeyAndByID() throws {
        let text = """
        \(Self.header)
        \(Self.a),\(Self.a),self,4,4,5,4,4,3,4,,,2025-03-14T09:30:00+07:00
        \(Self.b),\(Self.a),atasan,3,4,4,4,5,4,4,"Kerja baik, terus tingkatkan",Di Atas Ekspektasi,
        \(Self.c),\(Self.a),REKAN,5,5,5,5,5,5,5,,,2025-03-15 08:00
        """
        let subs = try #require(success(of: ReviewImport.validate(csv: text, timeZone: Self.jakarta)))
        #expect(subs.count == 3)
        #expect(subs.map(\.line) == [2, 3, 4])
        #expect(subs[0].reference.key == AssignmentKey(subject: NIP(Self.a)!, reviewer: NIP(Self.a)!, role: .selfAssessment))
        #expect(subs[0].review.scores.ordered == [4, 4, 5, 4, 4, 3, 4])
        #expect(subs[0].review.comment == nil)
        #expect(subs[1].review.comment == "Kerja baik, terus tingkatkan")
        #expect(subs[1].review.hasilKerja == .diAtas)
        #expect(subs[2].reference.key?.role == .rekan)
        #expect(subs[2].review.scores.isUniform)
        #expect(subs[0].submittedAt == Timestamp.parse("2025-03-14T02:30:00Z", defaultTimeZone: Self.jakarta))
        #expect(subs[2].submittedAt == Timestamp.parse("2025-03-15T01:00:00Z", defaultTimeZone: Self.jakarta))

        let byID = "assignment_id;berorientasi_pelayanan;akuntabel;kompeten;harmonis;loyal;adaptif;kolaboratif;komentar\r\n"
            + "17;4;4;4;4;4;4;4;mantap\r\n"
        let idSubs = try #require(success(of: ReviewImport.validate(csv: byID, timeZone: Self.jakarta)))
        #expect(idSubs.map(\.reference.id) == [17])
        #expect(idSubs[0].reference.key == nil && idSubs[0].review.comment == "mantap")
    }

    @Test func problemsWithLineAndColumn() throws {
        let text = """
        \(Self.header)
        \(Self.a),\(Self.a),self,4,4,6,4,4,3,4,,,
        \(Self.b),\(Self.a),atasan,3,4,4,4,5,4,4,,,
        \(Self.c),\(Self.a),rekan,5,5,4.5,5,,5,5,,sesuai,
        \(Self.c),\(Self.b),self,4,4,4,4,4,4,4,,,
        \(Self.c),\(Self.c),bawahan,4,4,4,4,4,4,4,,,
        \(Self.c),\(Self.a),masyarakat,4,4,4,4,4,4,4,,,
        \(Self.c),\(Self.a),rekan,4,4,4,4,4,4,4,,,kemarin
        \(Self.b),\(Self.a),atasan,4,4,4,4,4,4,4,,luar biasa,
        198001012005013001,\(Self.a),rekan,4,4,4,4,4,4,4,,,
        """
        let f = try #require(failure(of: ReviewImport.validate(csv: text, timeZone: Self.jakarta)))
        let got = f.problems.map { "\($0.line):\($0.column ?? 0):\($0.code)" }
        #expect(got == [
            "2:6:bad_score",
            "3:12:hasil_kerja_role",
            "4:6:bad_score", "4:8:missing_value", "4:12:hasil_kerja_role",
            "5:1:bad_reference",
            "6:1:bad_reference",
            "7:3:bad_role",
            "8:1:duplicate_record", "8:13:bad_timestamp",
            "9:1:duplicate_record", "9:12:bad_rating",
            "10:1:bad_nip",
        ])
        #expect(f.problems[0].message == "the score for Kompeten must be a whole number 1–5, found '6'")
        #expect(f.problems[1].message.hasPrefix("hasil_kerja is required for the atasan role"))
        #expect(f.problems[4].message == "hasil_kerja is given only by the atasan; this review is in the rekan role")
        #expect(f.problems[7].message == "masyarakat is heard through the SKM survey (import skm), not through reviews")
        #expect(f.problems[8].message == "the rekan review of \(Self.a) by \(Self.c) is on lines 4 and 8")
        #expect(f.problems[10].message == "the atasan review of \(Self.a) by \(Self.b) is on lines 3 and 9")
    }

    @Test func headerNeedsAReference() throws {
        let text = "role,berorientasi_pelayanan,akuntabel,kompeten,harmonis,loyal,adaptif,kolaboratif\nself,1,1,1,1,1,1,1\n"
        let f = try #require(failure(of: ReviewImport.validate(csv: text, timeZone: Self.jakarta)))
        #expect(f.problems.map(\.code) == [.missingColumn])
        #expect(f.problems[0].message.contains("missing: reviewer_nip, subject_nip"))
        let noScores = try #require(failure(of: ReviewImport.validate(csv: "assignment_id,akuntabel\n1,4\n", timeZone: Self.jakarta)))
        #expect(noScores.problems.map(\.columnName) == ["berorientasi_pelayanan", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"])
    }

    @Test func ratingSpellings() {
        for (text, rating) in [("di_atas", Rating.diAtas), ("Di Atas Ekspektasi", .diAtas), ("DiAtas", .diAtas),
                               ("sesuai", .sesuai), ("Sesuai Ekspektasi", .sesuai), ("di-bawah", .diBawah),
                               ("DI BAWAH", .diBawah)] {
            #expect(Rating(parsing: text) == rating, "\(text)")
        }
        #expect(Rating(parsing: "baik") == nil)
        #expect(Rating(parsing: "") == nil)
    }

    @Test func scoresAndHasilKerjaRules() throws {
        #expect(throws: ScoreError.outOfRange(value: .loyal, score: 0)) { try BerAKHLAKScores([5, 5, 5, 5, 0, 5, 5]) }
        #expect(throws: ScoreError.wrongCount(6)) { try BerAKHLAKScores([5, 5, 5, 5, 5, 5]) }
        let s = try BerAKHLAKScores([1, 2, 3, 4, 5, 4, 3])
        #expect(s[.berorientasiPelayanan] == 1 && s[.kolaboratif] == 3)
        #expect(s.total == 22 && abs(s.mean - 22.0 / 7) < 1e-12)
        let json = try JSONEncoder().encode(s)
        #expect(try JSONDecoder().decode(BerAKHLAKScores.self, from: json) == s)
        #expect(Review.hasilKerjaProblem(role: .atasan, hasilKerja: .sesuai) == nil)
        #expect(Review.hasilKerjaProblem(role: .atasan, hasilKerja: nil) != nil)
        #expect(Review.hasilKerjaProblem(role: .rekan, hasilKerja: nil) == nil)
        #expect(Review.hasilKerjaProblem(role: .selfAssessment, hasilKerja: .diAtas) != nil)
        #expect(BerAKHLAKValue.allCases.map(\.name) == ["Berorientasi Pelayanan", "Akuntabel", "Kompeten", "Harmonis",
                                                        "Loyal", "Adaptif", "Kolaboratif"])
    }
}
