import Foundation
import Testing
@testable import KinerjaDomain

@Suite("Writers and conversions used by the store and the demo")
struct CycleAdditionsTests {
    @Test("IKM from element sums equals IKM from the answers, at the mutu edges too")
    func ikmFromSums() throws {
        let period = try Period(parsing: "2025-Q1")
        let answers = [[4, 4, 3, 4, 4, 3, 4, 4, 3], [3, 3, 3, 4, 4, 4, 2, 3, 3], [4, 4, 4, 4, 4, 4, 4, 4, 4]]
        let sums = (0..<9).map { i in answers.reduce(0) { $0 + $1[i] } }
        let a = try #require(IKMResult.compute(unit: "DLHK", period: period, answers: answers))
        let b = try #require(IKMResult.compute(unit: "DLHK", period: period, respondents: 3, elementSums: sums))
        #expect(a == b)
        // 2,500 respondents summing to 79,479 is exactly 88.31 (an A); 79,474 is 88.30 (a B).
        let edgeA = IKMResult.compute(unit: "U", period: period, respondents: 2500, elementSums: [79_479 - 8 * 8831] + Array(repeating: 8831, count: 8))
        #expect(edgeA?.mutu == .a && edgeA?.ikmRounded == 88.31)
        let edgeB = IKMResult.compute(unit: "U", period: period, respondents: 2500, elementSums: [79_474 - 8 * 8831] + Array(repeating: 8831, count: 8))
        #expect(edgeB?.mutu == .b)
        #expect(IKMResult.compute(unit: "U", period: period, respondents: 0, elementSums: sums) == nil)
    }

    @Test("CSV writer output reads back field for field")
    func csvRoundTrip() throws {
        let rows = [["a", "b,c", "say \"hi\""], [" lead", "multi\nline", ""], ["plain", "x;y", "z"]]
        let text = "h1,h2,h3\n" + rows.map { CSVWriter.line($0) }.joined(separator: "\n") + "\n"
        let doc = try CSVParser.parse(text)
        #expect(doc.records.map(\.fields) == rows)
        #expect(doc.records.map(\.line) == [2, 3, 5])
    }

    @Test("timestamps format in a zone and parse back to the same second", arguments: [
        ("Asia/Jakarta", 1_743_469_200.0, "2025-04-01T08:00:00+07:00"),
        ("UTC", 0.0, "1970-01-01T00:00:00+00:00"),
        ("America/St_Johns", 1_700_000_000.0, "2023-11-14T18:43:20-03:30"),
        ("Asia/Jakarta", -1.5, "1970-01-01T06:59:58+07:00"),
    ])
    func timestamps(zone: String, seconds: Double, text: String) throws {
        let tz = try #require(TimeZone(identifier: zone))
        let date = Date(timeIntervalSince1970: seconds)
        #expect(Timestamp.format(date, in: tz) == text)
        #expect(Timestamp.parse(text, defaultTimeZone: tz)?.timeIntervalSince1970 == seconds.rounded(.down))
    }

    @Test("packed BerAKHLAK scores keep order, total and uniformity")
    func packedScores() throws {
        let s = try BerAKHLAKScores([5, 1, 2, 3, 4, 5, 1])
        #expect(s.ordered == [5, 1, 2, 3, 4, 5, 1])
        #expect(s[.akuntabel] == 1 && s[.kolaboratif] == 1 && s[.berorientasiPelayanan] == 5)
        #expect(s.total == 21 && !s.isUniform)
        #expect(try BerAKHLAKScores(uniform: 4).isUniform)
        #expect(try BerAKHLAKScores([1, 2, 3, 4, 5, 1, 2]) != (try BerAKHLAKScores([2, 1, 3, 4, 5, 1, 2])))
    }

    @Test("a distribution from counts fills the missing predikat with 0")
    func distributionFromCounts() {
        let d = UnitDistribution(unit: "DLHK", counts: [.baik: 8, .sangatBaik: 2])
        #expect(d.total == 10 && d.counts[.kurang] == 0 && d.share(.sangatBaik) == 0.2)
    }
}
