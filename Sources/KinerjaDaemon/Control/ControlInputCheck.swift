import Foundation
import KinerjaDomain
import Varlink

/// Checks every call's string parameters before its handler runs, so each method gets the same
/// rules from one place:
/// - no NUL, no other control character, no line break (CR, LF, U+2028, …) in any string: names,
///   reasons and notes are stored and later printed in tables and mail, where such characters would
///   drive a terminal or forge a line. Free text (`comment`, `reason`, `note`) may hold TAB.
///   Import records are left to the import, which names the line and column of a bad field;
/// - periods and times (`period`, `opened_at`, `closed_at`, `submitted_at`) at most
///   ``DateHorizon/years`` years ahead.
enum ControlInputCheck {
    /// Parameters of free text, where TAB is allowed.
    static let freeText: Set<String> = ["comment", "reason", "note"]
    /// Parameters holding import records, checked by the import itself with line and column.
    static let importRecords: Set<String> = ["header", "records"]
    static let periodParameters: Set<String> = ["period"]
    static let instantParameters: Set<String> = ["opened_at", "closed_at", "submitted_at"]

    /// The problems of `parameters`, each naming the parameter; empty when they are fine.
    static func problems(_ parameters: [String: JSONValue], horizon: DateHorizon, timeZone: TimeZone) -> [String] {
        var problems: [String] = []
        for key in parameters.keys.sorted() where !importRecords.contains(key) {
            collect(parameters[key]!, path: key, allowTab: freeText.contains(key), into: &problems)
            guard let text = parameters[key]?.stringValue else { continue }
            if periodParameters.contains(key), let period = try? Period(parsing: text),
               let problem = horizon.problem(period: period) {
                problems.append("\(key): \(problem)")
            }
            if instantParameters.contains(key), let instant = Timestamp.parse(text, defaultTimeZone: timeZone),
               let problem = horizon.problem(instant: instant, timeZone: timeZone) {
                problems.append("\(key): \(problem)")
            }
        }
        return problems
    }

    private static func collect(_ value: JSONValue, path: String, allowTab: Bool, into problems: inout [String]) {
        switch value {
        case .string(let text):
            if let problem = ControlCharacters.problem(in: text, field: path, allowTab: allowTab) { problems.append(problem) }
        case .array(let items):
            for (index, item) in items.enumerated() { collect(item, path: "\(path)[\(index)]", allowTab: allowTab, into: &problems) }
        case .object(let members):
            for key in members.keys.sorted() {
                collect(members[key]!, path: "\(path).\(key)", allowTab: allowTab || freeText.contains(key), into: &problems)
            }
        default: break
        }
    }
}
