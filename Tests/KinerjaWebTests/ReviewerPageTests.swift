import Foundation
import Testing
import Varlink
@testable import KinerjaWeb

/// The reviewer's page from a GetReviewerPage reply: the value fieldsets come rendered once at start,
/// one per value and checked point, and must still show each assignment's own earlier answers.
@Suite("ReviewerPage")
struct ReviewerPageTests {
    static func assignment(id: Int64, subject: String, scores: [String: Int64]?) -> JSONValue {
        var a: [String: JSONValue] = [
            "id": .int(id), "subject_name": .string(subject), "role": .string("rekan"), "due_date": .string("2026-12-21"),
            "days_left": .int(16), "status": .string(scores == nil ? "open" : "submitted"), "editable": .bool(true),
            "needs_hasil_kerja": .bool(false),
        ]
        a["scores"] = scores.map { .object($0.mapValues { .int($0) }) } ?? .null
        return .object(a)
    }

    @Test("each value's earlier score is checked in its own assignment's form only; names are escaped")
    func checkedScores() throws {
        let pages = try Pages(contact: "Bagian Kepegawaian")
        let fields = PageTexts.values.map(\.field)
        let given = Dictionary(uniqueKeysWithValues: fields.enumerated().map { ($1, Int64($0 % 5 + 1)) })
        let reply: [String: JSONValue] = [
            "reviewer_name": .string("Budi"), "cycle": .string("2026-Q4"), "cycle_open": .bool(true),
            "anonymity_minimum": .int(3), "max_comment_length": .int(2000),
            "assignments": .array([Self.assignment(id: 1, subject: "Sri <b>Hernawati</b>", scores: given),
                                   Self.assignment(id: 2, subject: "Dodi", scores: nil)]),
        ]
        let html = pages.reviewer(reply, token: "T", csrf: "C", notice: nil, errors: [])
        let forms = html.components(separatedBy: "<form ").dropFirst()
        #expect(forms.count == 2)
        let first = try #require(forms.first), second = try #require(forms.last)
        for (field, n) in given {
            #expect(first.contains("name=\"\(field)\" value=\"\(n)\" required checked>"), "\(field) \(n)")
            #expect(first.components(separatedBy: "name=\"\(field)\"").count - 1 == 5)
        }
        #expect(first.components(separatedBy: " checked>").count - 1 == fields.count)
        #expect(!second.contains(" checked>"))
        #expect(second.components(separatedBy: "<fieldset>").count - 1 == fields.count)
        #expect(html.contains("Sri &lt;b&gt;Hernawati&lt;/b&gt;") && !html.contains("<b>Hernawati"))
    }
}
