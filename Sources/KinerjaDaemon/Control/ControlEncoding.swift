import Foundation
import KinerjaDomain
import KinerjaStore
import Varlink

/// Turns the store's values into the JSON of io.kinerjad.Admin replies: snake_case keys, and every
/// time in RFC 3339 with the configured zone's offset (`cycles.time_zone`).
struct ControlEncoding {
    let timeZone: TimeZone

    func value<T: Encodable>(_ item: T) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let zone = timeZone
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date, in: zone))
        }
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try JSONValue(encoding: item, encoder: encoder)
    }

    func object<T: Encodable>(_ item: T) throws -> [String: JSONValue] {
        try value(item).objectValue ?? [:]
    }

    /// Every time in a reply: RFC 3339 with the configured zone's offset (`2025-04-01T08:00:00+07:00`).
    func time(_ date: Date) -> JSONValue { .string(Timestamp.format(date, in: timeZone)) }

    /// `time(date)`, or null.
    func time(_ date: Date?) -> JSONValue { date.map(time) ?? .null }

    /// An instant from a parameter (ISO 8601; without an offset in the configured zone).
    func instant(_ text: String?, parameter: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = Timestamp.parse(text, defaultTimeZone: timeZone) else {
            throw AdminError.invalidInput(["\(parameter): '\(text)' is not an ISO 8601 time such as 2025-04-01T08:00:00+07:00"])
        }
        return date
    }

    /// Problems as lines (`line 12, column 5 (nip_atasan): reason`), the count of the rest last.
    static func problemLines(_ failure: ImportFailure) -> [String] {
        var lines = failure.problems.map { p in
            p.line > 0 ? p.description : (p.columnName.map { "\($0): " } ?? "") + p.message
        }
        if failure.isTruncated {
            lines.append("… and \(failure.totalCount - failure.problems.count) more problems (\(failure.totalCount) in all)")
        }
        return lines
    }
}
