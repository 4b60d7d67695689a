import Foundation
import Testing
@testable import KinerjaDomain

@Suite("SKM / IKM")
struct SKMTests {
    static let period = try! Period(parsing: "2025-Q1")

    @Test func ikmIsMeanOfElementMeansTimes25() throws {
        let answers = [
            [4, 3, 3, 4, 3, 4, 4, 2, 3],
            [3, 3, 4, 4, 3, 3, 4, 3, 3],
            [4, 4, 4, 4, 4, 4, 4, 4, 4],
        ]
        let r = try #require(IKMResult.compute(unit: "DPMPTSP", period: Self.period, answers: answers))
        #expect(r.respondents == 3)
        #expect(r.elementMeans[0] == 11.0 / 3 && r.elementMeans[7] == 3)
        let meanOfMeans = r.elementMeans.reduce(0, +) / 9
        #expect(abs(r.ikm - meanOfMeans * 25) < 1e-9)
        #expect(abs(r.ikm - 96.0 * 25 / 27) < 1e-9)  // 88.888…
        #expect(r.ikmRounded == 88.89)
        #expect(r.mutu == .a)
        #expect(IKMResult.compute(unit: "X", period: Self.period, answers: []) == nil)
    }

    @Test(arguments: [
        (100.0, Mutu.a), (88.31, .a), (88.3049, .b), (88.30, .b), (88.305, .a),
        (76.61, .b), (76.6049, .c), (76.60, .c),
        (65.00, .c), (64.9949, .d), (64.99, .d), (25.0, .d),
    ])
    func mutuAtTheBoundaries(ikm: Double, expected: Mutu) {
        #expect(Mutu(ikm: ikm) == expected)
    }

    /// Data whose IKM is exactly 88.31: 2,500 respondents, 22,500 answers summing to 79,479
    /// (79,479 × 25 / 22,500 = 88.31). Summing to 79,474 gives 88.3044… → published 88.30 → B.
    @Test(arguments: [(79_479, Mutu.a, 88.31), (79_474, Mutu.b, 88.30)])
    func mutuFromData(total: Int, expected: Mutu, published: Double) throws {
        let respondents = 2500
        var threes = respondents * 9 * 4 - total  // answers lowered from 4 to 3
        var answers: [[Int]] = []
        for _ in 0..<respondents {
            var row = [Int](repeating: 4, count: 9)
            for i in 0..<9 where threes > 0 {
                row[i] = 3
                threes -= 1
            }
            answers.append(row)
        }
        let r = try #require(IKMResult.compute(unit: "DPMPTSP", period: Self.period, answers: answers))
        #expect(r.ikmRounded == published)
        #expect(r.mutu == expected)
    }

    @Test func otherBoundariesFromData() throws {
        // 9 respondents × 9 answers = 81 answers; IKM = total × 25 / 81.
        // C/D: total 211 → 65.123 (C); 210 → 64.814 (D). B/C: 249 → 76.851 (B); 248 → 76.543 (C).
        for (total, expected) in [(211, Mutu.c), (210, .d), (249, .b), (248, .c)] {
            var remaining = total
            var answers: [[Int]] = []
            for r in 0..<9 {
                var row: [Int] = []
                for c in 0..<9 {
                    let left = 81 - (r * 9 + c) - 1  // answers after this one, each at least 1
                    let a = min(4, remaining - left)
                    row.append(a)
                    remaining -= a
                }
                answers.append(row)
            }
            let r = try #require(IKMResult.compute(unit: "U", period: Self.period, answers: answers))
            #expect(abs(r.ikm - Double(total) * 25 / 81) < 1e-9)
            #expect(r.mutu == expected, "total \(total): IKM \(r.ikm)")
        }
    }

    @Test func importAndGroup() throws {
        let text = """
        unit;period;u1;u2;u3;u4;u5;u6;u7;u8;u9\r
        DPMPTSP;2025-Q1;4;4;4;4;4;4;4;4;4\r
        dpmptsp;2025-q1;3;3;3;3;3;3;3;3;3\r
        DLHK;2025-Q1;2;2;2;2;2;2;2;2;2\r
        DLHK;2025-Q2;1;1;1;1;1;1;1;1;1\r
        """
        let responses = try #require(success(of: SKMImport.validate(csv: text, knownUnits: ["DPMPTSP", "DLHK"])))
        #expect(responses.count == 4)
        let results = IKMResult.results(responses)
        #expect(results.map { "\($0.unit) \($0.period) \($0.respondents) \($0.ikmRounded) \($0.mutu.rawValue)" } == [
            "DLHK 2025-Q1 1 50.0 D", "DLHK 2025-Q2 1 25.0 D", "DPMPTSP 2025-Q1 2 87.5 B",
        ])
    }

    @Test func importProblems() throws {
        let text = """
        unit,period,u1,u2,u3,u4,u5,u6,u7,u8,u9
        DPMPTSP,2025-Q1,4,4,5,4,4,4,4,4,4
        ,2025-Q5,4,4,4,4,4,4,4,4,
        DISHUB,2025-Q1,0,4,4,4,4,4,4,4,4
        """
        let f = try #require(failure(of: SKMImport.validate(csv: text, knownUnits: ["DPMPTSP", "DLHK"])))
        #expect(f.problems.map { "\($0.line):\($0.column ?? 0):\($0.code)" } == [
            "2:5:bad_score", "3:1:missing_value", "3:2:bad_period", "3:11:missing_value",
            "4:1:unknown_unit", "4:3:bad_score",
        ])
        #expect(f.problems[0].message == "u3 (Waktu Penyelesaian) must be a whole number 1–4, found '5'")
        #expect(f.problems[2].message == "quarter Q5 is not Q1–Q4")
        #expect(throws: SKMError.outOfRange(element: .u2, answer: 5)) {
            try SKMResponse(unit: "U", period: Self.period, answers: [1, 5, 1, 1, 1, 1, 1, 1, 1])
        }
    }

    @Test("the optional respondent fields of the form: codes in any case, blanks allowed, a wrong code named with its line and column")
    func respondentFields() throws {
        let text = """
        unit,period,u1,u2,u3,u4,u5,u6,u7,u8,u9,umur,jenis_kelamin,pendidikan,pekerjaan,jenis_layanan
        DLHK,2025-Q1,4,4,4,4,4,4,4,4,4,30_39,p,S1,wirausaha,Perizinan usaha
        DLHK,2025-Q1,3,3,3,3,3,3,3,3,3,,,,,
        """
        let responses = try #require(success(of: SKMImport.validate(csv: text, knownUnits: ["DLHK"])))
        #expect(responses[0].respondent.given == ["umur": "30_39", "jenis_kelamin": "P", "pendidikan": "S1", "pekerjaan": "WIRAUSAHA",
                                                  "jenis_layanan": "Perizinan usaha"])
        #expect(responses[1].respondent == SKMRespondent())
        let bad = text.replacingOccurrences(of: ",p,S1,", with: ",X,S1,")
        let f = try #require(failure(of: SKMImport.validate(csv: bad, knownUnits: ["DLHK"])))
        #expect(f.problems.map { "\($0.line):\($0.column ?? 0):\($0.code)" } == ["2:13:bad_value"])
        #expect(f.problems[0].message == "jenis_kelamin: 'X' is not one of L, P")
    }
}
