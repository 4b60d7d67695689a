import Foundation
import Testing
@testable import KinerjaDomain

/// Streamed imports validate batch by batch and must find exactly what the whole-file validation
/// finds, duplicates across batches included.
@Suite("Batched import validation")
struct BatchedImportTests {
    static let zone = TimeZone(identifier: "Asia/Jakarta")!

    func batches(_ text: String, schema: CSVSchema, size: Int) throws -> (CSVColumnMap, [[CSVRecord]]) {
        let document = try CSVParser.parse(text)
        let map = try schema.bind(header: document.header).get()
        return (map, stride(from: 0, to: document.records.count, by: size).map {
            Array(document.records[$0..<min($0 + size, document.records.count)])
        })
    }

    @Test("reviews: duplicates in different batches, problems and their order as for the whole file")
    func reviews() throws {
        let a = TestData.nip(1), b = TestData.nip(2), c = TestData.nip(3)
        let text = """
        reviewer_nip,subject_nip,role,berorientasi_pelayanan,akuntabel,kompeten,harmonis,loyal,adaptif,kolaboratif,hasil_kerja
        \(a),\(a),self,4,4,4,4,4,4,5,
        \(b),\(a),atasan,4,4,9,4,4,4,5,sesuai
        \(c),\(a),rekan,4,4,4,4,4,4,5,
        \(b),\(a),atasan,4,4,4,4,4,4,5,sesuai
        \(c),\(a),rekan,4,4,4,4,4,4,5,
        """
        let whole = ReviewImport.validate(csv: text, timeZone: Self.zone)
        for size in [1, 2, 3, 10] {
            let (map, parts) = try batches(text, schema: ReviewImport.schema, size: size)
            var acc = ReviewImport.Accumulator(columns: map, timeZone: Self.zone)
            for part in parts { acc.add(part) }
            #expect(acc.finish() == whole, "batch size \(size)")
        }
        guard case .failure(let failure) = whole else { Issue.record("expected problems"); return }
        #expect(failure.problems.map(\.line) == [3, 5, 6])
        #expect(failure.problems[0].column == 6)
        #expect(failure.problems[1].message.contains("lines 3 and 5"))
        #expect(failure.problems[2].message.contains("lines 4 and 6"))
    }

    /// Found by the csv-reviews fuzz target (Fuzz/regressions/csv-reviews/batched-field-counts-with-unusable-header.csv,
    /// unusable-header-without-records.csv): with a header lacking the reference columns the batches
    /// skipped the field-count check, and a header alone gave a different problem than the whole file.
    @Test("reviews: a header without reference columns gives the whole file's problems in batches")
    func reviewsUnusableHeader() throws {
        let header = "reviewer_nip,berorientasi_pelayanan,akuntabel,kompeten,harmonis,loyal,adaptif,kolaboratif,comment"
        for text in [header + "\n1,2,3\n4,4,4,4,4,4,4,4,x\n1,2,3,4,5,6,7,8,9,10,11\n", header + "\n", header + "\n1,2\n"] {
            let whole = ReviewImport.validate(csv: text, timeZone: Self.zone)
            let document = try CSVParser.parse(text)
            let map = try ReviewImport.schema.bind(header: document.header).get()
            var acc = ReviewImport.Accumulator(columns: map, timeZone: Self.zone)
            for record in document.records { acc.add([record]) }
            #expect(acc.finish() == whole, "\(text)")
            #expect(throws: Never.self) { _ = try #require(failure(of: whole)) }
        }
    }

    func failure<T>(of result: Result<T, ImportFailure>) -> ImportFailure? {
        if case .failure(let f) = result { return f }
        return nil
    }

    @Test("the compact review storage gives back exactly what was put in")
    func compactReviews() throws {
        let zone = Self.zone
        let text = """
        assignment_id,reviewer_nip,subject_nip,role,berorientasi_pelayanan,akuntabel,kompeten,harmonis,loyal,adaptif,kolaboratif,komentar,hasil_kerja,submitted_at
        ,\(TestData.nip(2)),\(TestData.nip(1)),atasan,5,4,3,2,1,2,3,"Baik, terus ""tingkatkan"" 👍",Di Atas Ekspektasi,2025-04-02T10:00:00.5+07:00
        17,,,,1,1,1,1,1,1,1,,,
        18,\(TestData.nip(1)),\(TestData.nip(1)),self,5,5,5,5,5,5,5,catatan,,2025-04-03
        """
        let expected: [ReviewSubmission] = [
            ReviewSubmission(line: 2, reference: AssignmentReference(key: AssignmentKey(subject: TestData.nip(1), reviewer: TestData.nip(2), role: .atasan)),
                             review: Review(scores: try BerAKHLAKScores([5, 4, 3, 2, 1, 2, 3]), comment: "Baik, terus \"tingkatkan\" 👍",
                                            hasilKerja: .diAtas),
                             submittedAt: Timestamp.parse("2025-04-02T10:00:00.5+07:00", defaultTimeZone: zone)),
            ReviewSubmission(line: 3, reference: AssignmentReference(id: 17), review: Review(scores: try BerAKHLAKScores(uniform: 1))),
            ReviewSubmission(line: 4, reference: AssignmentReference(id: 18, key: AssignmentKey(subject: TestData.nip(1), reviewer: TestData.nip(1), role: .selfAssessment)),
                             review: Review(scores: try BerAKHLAKScores(uniform: 5), comment: "catatan"),
                             submittedAt: Timestamp.parse("2025-04-03", defaultTimeZone: zone)),
        ]
        #expect(try ReviewImport.validate(csv: text, timeZone: zone).get() == expected)
        var compact = ReviewSubmissions()
        for e in expected { compact.append(e) }
        #expect(Array(compact) == expected)
        #expect(compact.count == 3 && compact[1].review.comment == nil)
    }

    @Test("training and SKM in batches equal the whole file; a header alone is refused")
    func trainingAndSKM() throws {
        let n = TestData.nip(7)
        let training = "nip,course,date,hours\n\(n),Bimtek SAKIP,2025-02-01,8\n\(n),Latsar,2025-02-02,x\n\(n),bimtek sakip,01/02/2025,8\n"
        let (tmap, tparts) = try batches(training, schema: TrainingImport.schema, size: 1)
        var tacc = TrainingImport.Accumulator(columns: tmap)
        for p in tparts { tacc.add(p) }
        #expect(tacc.finish() == TrainingImport.validate(csv: training))
        guard case .failure(let f) = tacc.finish() else { Issue.record("expected problems"); return }
        #expect(f.problems.map(\.line) == [3, 4])

        let skm = "unit,period,u1,u2,u3,u4,u5,u6,u7,u8,u9\nDLHK,2025-Q1,4,4,4,4,4,4,4,4,4\nDLHX,2025-Q5,4,4,4,4,4,4,4,4,5\n"
        let (smap, sparts) = try batches(skm, schema: SKMImport.schema, size: 1)
        var sacc = SKMImport.Accumulator(columns: smap, knownUnits: ["DLHK"])
        for p in sparts { sacc.add(p) }
        #expect(sacc.finish() == SKMImport.validate(csv: skm, knownUnits: ["DLHK"]))

        let empty = SKMImport.Accumulator(columns: smap)
        guard case .failure(let none) = empty.finish() else { Issue.record("expected no_records"); return }
        #expect(none.problems.first?.code == .noRecords)
    }

    @Test("units: codes checked, duplicates named with both lines")
    func units() throws {
        let text = "code;name;head_nip\nDLHK;Dinas Lingkungan Hidup dan Kebersihan;\ndlhk;Duplikat;\nBAD CODE;X;\nBKPSDM;;123\n"
        guard case .failure(let f) = UnitImport.validate(csv: text) else { Issue.record("expected problems"); return }
        #expect(f.problems.map { "\($0.line):\($0.column ?? 0):\($0.code)" }
                == ["3:1:duplicate_record", "4:1:bad_reference", "5:2:missing_value", "5:3:bad_nip"])
        #expect(f.problems[0].message.contains("lines 2 and 3"))
        let ok = try UnitImport.validate(csv: "kode,nama\nDLHK,Dinas\n").get()
        #expect(ok == [Unit(code: "DLHK", name: "Dinas")])
    }
}

