import Foundation
import Testing
@testable import KinerjaDomain

/// A review record's values are read by their column's place, and a value that starts and ends with
/// printable ASCII is taken as it is: every other value is still trimmed as `CSVColumnMap.value(_:in:)`
/// trims it (spaces, NBSP and ideographic spaces go; a TAB stays and is refused outside free text).
@Suite("Review import: field values")
struct ReviewImportFieldTests {
    static let header = ReviewImportTests.header

    func row(score: String, comment: String = "") -> String {
        "\(ReviewImportTests.a),\(ReviewImportTests.b),rekan,\(score),4,4,4,4,4,4,\(comment),,"
    }

    @Test("spaces of every kind around a value are trimmed; the value inside is checked and quoted as trimmed")
    func trimmedAsTheColumnMapTrims() throws {
        let accepted = ["4", " 4", "4 ", "\u{00A0}4\u{00A0}", "\u{3000}4"]
        for score in accepted {
            let text = "\(Self.header)\n\(row(score: score, comment: "\u{00A0}Baik sekali "))\n"
            let subs = try #require(success(of: ReviewImport.validate(csv: text, timeZone: ReviewImportTests.jakarta)), "'\(score)'")
            #expect(subs[0].review.scores.ordered.first == 4 && subs[0].review.comment == "Baik sekali", "'\(score)'")
        }
        for (score, quoted) in [(" x5 ", "x5"), ("\u{00A0}é5", "é5"), ("5x", "5x"), ("6", "6")] {
            let text = "\(Self.header)\n\(row(score: score))\n"
            guard case .failure(let failure) = ReviewImport.validate(csv: text, timeZone: ReviewImportTests.jakarta) else {
                Issue.record("'\(score)' was accepted")
                continue
            }
            #expect(failure.problems.map(\.message) == ["the score for \(BerAKHLAKValue.berorientasiPelayanan.name) must be a whole number 1–5, found '\(quoted)'"])
            #expect(failure.problems.first?.column == 4)
        }
    }
}
