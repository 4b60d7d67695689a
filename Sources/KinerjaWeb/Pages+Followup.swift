import Foundation
import KinerjaDomain
import Varlink

extension Pages {
    /// The atasan's follow-up page from a GetFollowupPage reply; `form` refills the fields after a refusal.
    public func followup(_ reply: [String: JSONValue], token: String, csrf: String, notice: String?, errors: [String],
                         form: [String: String] = [:]) -> String {
        func text(_ key: String) -> String { reply[key]?.stringValue ?? "" }
        let due = CalendarDate(iso: text("due_date"))
        let recordedAction = reply["action"]?.stringValue
        let chosen = form["action"] ?? recordedAction
        var object: [String: Any] = [
            "subject_name": text("subject_name"), "title": text("title"), "seen": text("seen"),
            "recommendation": text("recommendation"),
            "due_text": due.map(IndonesianFormat.longDate) ?? text("due_date"),
            "days_text": PageTexts.daysLeft(Int(reply["days_left"]?.intValue ?? 0)),
            "status_text": FollowupStatus(rawValue: text("status"))?.label ?? text("status"),
            "editable": reply["editable"]?.boolValue ?? false, "today": text("today"),
            "max_note": Int(reply["max_note_length"]?.intValue ?? 500),
            "actions": FollowupAgreedAction.allCases.map { ["value": $0.rawValue, "label": $0.label, "checked": $0.rawValue == chosen] as [String: Any] },
            "held_value": form["held_on"] ?? text("today"), "note_value": form["note"] ?? "", "next_value": form["next_check"] ?? "",
            "token": token, "csrf": csrf, "has_errors": !errors.isEmpty, "errors": errors,
        ]
        if let unit = reply["unit_name"]?.stringValue { object["unit_name"] = unit }
        let trainings: [[String: Any]] = (reply["trainings"]?.arrayValue ?? []).map { t in
            ["title": t["title"]?.stringValue ?? "", "code": t["code"]?.stringValue ?? "", "provider": t["provider"]?.stringValue ?? "",
             "mode": t["mode"]?.stringValue ?? "", "hours": IndonesianFormat.decimal(t["hours"]?.doubleValue ?? 0, places: 0),
             "reason": t["reason"]?.stringValue ?? ""]
        }
        object["trainings"] = trainings
        object["has_trainings"] = !trainings.isEmpty
        if let held = reply["held_on"]?.stringValue {
            object["recorded"] = [
                "held_on": CalendarDate(iso: held).map(IndonesianFormat.date) ?? held,
                "action_label": recordedAction.flatMap(FollowupAgreedAction.init(rawValue:))?.label ?? "",
                "note": reply["note"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "-",
                "next_check": reply["next_check"]?.stringValue.flatMap(CalendarDate.init(iso:)).map(IndonesianFormat.date) ?? "-",
            ]
        }
        if let notice { object["notice"] = notice }
        return page(title: "Tindak lanjut kinerja", template: "followup", object)
    }
}
