import Foundation
import KinerjaDomain
import Mustache
import Varlink

/// Renders the pages from the Mustache templates (embedded in the binary). Mustache escapes every
/// `{{value}}` for HTML, so names and comments from the database cannot inject markup; the only
/// unescaped insertions are the layout's `{{{content}}}` and the reviewer page's `{{{values}}}`,
/// each itself a rendered template.
public struct Pages: Sendable {
    let library: MustacheLibrary
    let contact: String
    /// The fieldset of each BerAKHLAK value (`value.mustache`) as HTML, rendered once at start: per
    /// value, with no point checked (index 0) and with point 1 to 5 checked. Rendered per request,
    /// these 7 fieldsets of 5 points each per assignment were most of a page's CPU time (the
    /// template's dictionaries are looked up through dynamic casts); they hold only this program's
    /// own texts and the reviewer's earlier score.
    let valueFieldsets: [[String]]
    public static let stylesheet = String(decoding: PackageResources.style_css, as: UTF8.self)

    public init(contact: String) throws {
        var library = MustacheLibrary()
        for (name, bytes) in [("layout", PackageResources.layout_mustache), ("reviewer", PackageResources.reviewer_mustache),
                              ("survey", PackageResources.survey_mustache), ("message", PackageResources.message_mustache),
                              ("followup", PackageResources.followup_mustache), ("value", PackageResources.value_mustache)] {
            try library.register(String(decoding: bytes, as: UTF8.self), named: name)
        }
        self.library = library
        self.contact = contact
        valueFieldsets = PageTexts.values.map { v in
            (0...PageTexts.scale.count).map { checked in
                library.render([
                    "field": v.field, "name": v.name, "meaning": v.meaning, "examples": v.examples,
                    "points": PageTexts.scale.enumerated().map { i, label in
                        ["n": i + 1, "label": label, "checked": checked == i + 1] as [String: Any]
                    },
                ] as [String: Any], withTemplate: "value") ?? ""
            }
        }
    }

    func page(title: String, template: String, _ object: [String: Any]) -> String {
        let content = library.render(object, withTemplate: template) ?? ""
        return library.render(["title": title, "content": content, "contact": contact], withTemplate: "layout") ?? ""
    }

    /// A page that only says something: the error pages, the thank-you page.
    public func message(title: String, heading: String, paragraphs: [String], link: (href: String, text: String)? = nil) -> String {
        var object: [String: Any] = ["heading": heading, "paragraphs": paragraphs]
        if let link { object["link"] = ["href": link.href, "text": link.text] }
        return page(title: title, template: "message", object)
    }

    /// The one page for a wrong, expired or revoked link.
    public func invalidLink() -> String {
        message(title: "Tautan tidak berlaku", heading: "Tautan tidak berlaku atau sudah kedaluwarsa",
                paragraphs: ["Tautan yang Anda buka tidak berlaku atau sudah kedaluwarsa. Periksa apakah tautan tersalin utuh, "
                             + "atau mintalah tautan baru.", "Hubungi: \(contact)."])
    }

    /// The reviewer's page from a GetReviewerPage reply.
    /// `saved`: the assignment just stored, confirmed beside its own form (where the redirect lands).
    public func reviewer(_ reply: [String: JSONValue], token: String, csrf: String, notice: String?, errors: [String],
                         saved: Int64? = nil) -> String {
        let minimum = Int(reply["anonymity_minimum"]?.intValue ?? 3)
        let maxComment = Int(reply["max_comment_length"]?.intValue ?? 2000)
        let cycleOpen = reply["cycle_open"]?.boolValue ?? false
        let assignments: [[String: Any]] = (reply["assignments"]?.arrayValue ?? []).map { a in
            let role = a["role"]?.stringValue ?? ""
            let subject = a["subject_name"]?.stringValue ?? ""
            let status = a["status"]?.stringValue ?? "open"
            // A submitted review's own answers are shown checked, so a revision starts from them.
            let values = PageTexts.values.enumerated().map { i, v in
                let given = Int(a["scores"]?[v.field]?.intValue ?? 0)
                return valueFieldsets[i][(0...PageTexts.scale.count).contains(given) ? given : 0]
            }.joined()
            let hasil = a["hasil_kerja"]?.stringValue
            return [
                "id": Int(a["id"]?.intValue ?? 0),
                "saved": saved != nil && a["id"]?.intValue == saved,
                "sentence": PageTexts.sentence(role: role, subject: subject),
                "subject_name": role == "self" ? "Anda" : subject,
                "audience": PageTexts.audience(role: role, minimum: minimum),
                "due_date": a["due_date"]?.stringValue ?? "",
                "days_text": PageTexts.daysLeft(Int(a["days_left"]?.intValue ?? 0)),
                "status_text": PageTexts.status(status),
                "editable": (a["editable"]?.boolValue ?? false) && cycleOpen,
                "needs_hasil_kerja": a["needs_hasil_kerja"]?.boolValue ?? false,
                "hasil_options": PageTexts.hasilKerja.map { ["value": $0.value, "label": $0.label, "checked": $0.value == hasil] as [String: Any] },
                "comment": a["comment"]?.stringValue ?? "",
                "values": values,
                "max_comment": maxComment,
                "button": status == "submitted" ? "Perbarui penilaian" : "Kirim penilaian",
                "token": token, "csrf": csrf,
            ]
        }
        var object: [String: Any] = [
            "cycle": reply["cycle"]?.stringValue ?? "", "reviewer_name": reply["reviewer_name"]?.stringValue ?? "",
            "cycle_open": cycleOpen, "anonymity_minimum": minimum, "assignments": assignments,
            "has_errors": !errors.isEmpty, "errors": errors,
        ]
        if let notice { object["notice"] = notice }
        return page(title: "Penilaian 360", template: "reviewer", object)
    }

    /// The survey form from a GetSurvey reply.
    public func survey(_ reply: [String: JSONValue], token: String, csrf: String, maxSuggestion: Int, errors: [String]) -> String {
        let elements: [[String: Any]] = PageTexts.survey.enumerated().map { i, e in
            ["number": i + 1, "name": e.name, "question": e.question,
             "points": e.labels.enumerated().map { j, label in ["n": j + 1, "label": label, "field": e.field] as [String: Any] }]
        }
        let object: [String: Any] = [
            "unit_name": reply["unit_name"]?.stringValue ?? "", "period": reply["period"]?.stringValue ?? "",
            "elements": elements, "token": token, "csrf": csrf, "max_suggestion": maxSuggestion,
            "has_errors": !errors.isEmpty, "errors": errors,
            "respondent": SKMRespondent.questions.map { q in
                ["field": q.field, "label": q.label,
                 "choices": q.choices.map { ["code": $0.code, "label": $0.label] }] as [String: Any]
            },
            "max_service": SKMRespondent.serviceMaxLength,
        ]
        return page(title: "Survei Kepuasan Masyarakat", template: "survey", object)
    }
}
