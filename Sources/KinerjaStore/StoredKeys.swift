import Foundation
import GRDB
import KinerjaDomain

/// The role as stored in `assignment.role`: `ReviewerRole.code` (0 atasan, 1 bawahan, 2 rekan,
/// 3 self, the order the names sort as text).
enum RoleCode {
    /// The SQL expression giving the role's name from its code in `column`.
    static func nameSQL(_ column: String) -> String {
        "CASE \(column) " + ReviewerRole.allCases.sorted { $0.code < $1.code }
            .map { "WHEN \($0.code) THEN '\($0.rawValue)'" }.joined(separator: " ") + " END"
    }

    /// The SQL expression giving the code from the role's name in `column` (the migration's copy).
    static func codeSQL(_ column: String) -> String {
        "CASE \(column) " + ReviewerRole.allCases.sorted { $0.code < $1.code }
            .map { "WHEN '\($0.rawValue)' THEN \($0.code)" }.joined(separator: " ") + " END"
    }

    /// The codes of `roles` as a SQL list (`0, 2`), for `role IN (…)`.
    static func list(_ roles: some Sequence<ReviewerRole>) -> String {
        roles.map { String($0.code) }.sorted().joined(separator: ", ")
    }
}

/// An instant as stored in `assignment.due_at`/`submitted_at`: whole Unix seconds (4 bytes a value
/// until 2038, 6 after, against 23 as GRDB's date text). GRDB reads a number back as a `Date`, so the
/// columns decode as before; what is compared with them must be bound as seconds too.
enum StoredTime {
    static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }
}

/// The integer ids of NIPs (`person`) and unit codes (`unit_key`): rows added when first needed and
/// never removed, so an id keeps its meaning in past cycles.
enum StoredKeys {
    /// The ids of `nips`, adding those not yet known.
    static func personIDs(_ db: Database, _ nips: some Collection<String>) throws -> [String: Int64] {
        try ids(db, table: "person", column: "nip", Array(nips))
    }

    /// The ids of unit `codes`, adding those not yet known.
    static func unitIDs(_ db: Database, _ codes: some Collection<String>) throws -> [String: Int64] {
        try ids(db, table: "unit_key", column: "code", Array(codes))
    }

    /// The ids of every active employee and their units, added first when missing (two set-based
    /// statements, whatever the size of the city).
    static func addActiveEmployees(_ db: Database) throws {
        try db.execute(sql: """
            INSERT OR IGNORE INTO person(nip) SELECT nip FROM employee WHERE aktif;
            INSERT OR IGNORE INTO unit_key(code) SELECT DISTINCT unit_code FROM employee WHERE aktif;
            """)
    }

    private static func ids(_ db: Database, table: String, column: String, _ values: [String]) throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        let chunk = 500
        for start in stride(from: 0, to: values.count, by: chunk) {
            let part = Array(values[start..<min(start + chunk, values.count)])
            let list = String(decoding: try JSONEncoder().encode(part), as: UTF8.self)
            try db.execute(sql: "INSERT OR IGNORE INTO \(table)(\(column)) SELECT value FROM json_each(?)", arguments: [list])
            for row in try Row.fetchAll(db, sql: """
                SELECT \(column), id FROM \(table) WHERE \(column) IN (SELECT value FROM json_each(?))
                """, arguments: [list]) {
                result[row[0]] = row[1]
            }
        }
        return result
    }
}

/// The BerAKHLAK score columns of `review`, in their order.
enum BerAKHLAKColumns {
    static let all = ["berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"]
    static var list: String { all.joined(separator: ", ") }
}

/// Who or what recorded a review (`review.source_id`): `review_source` holds each text once.
enum ReviewSource {
    /// The web front's id, fixed by the migration (the partial index `review_web_touched` names it).
    static let web: Int64 = 1

    /// The id of `text`, added when new.
    static func id(_ db: Database, _ text: String) throws -> Int64 {
        try db.execute(sql: "INSERT OR IGNORE INTO review_source(text) VALUES (?)", arguments: [text])
        return try Int64.fetchOne(db, sql: "SELECT id FROM review_source WHERE text = ?", arguments: [text])!
    }
}

/// A rating or predikat as stored in `result` and `perilaku_override`: its position in `allCases`,
/// which is its rank (`Rating`: 0 di_bawah, 1 sesuai, 2 di_atas; `Predikat`: 0 sangat_kurang …
/// 4 sangat_baik). SQLite stores 0 and 1 in the record header alone and 2 to 4 in one byte, against
/// 5 to 16 bytes of text.
enum StoredCode<Value: CaseIterable & RawRepresentable & Equatable> where Value.RawValue == String {
    /// The code of `value`.
    static func code(_ value: Value) -> Int {
        Value.allCases.enumerated().first { $0.element == value }!.offset
    }

    /// The value a stored code names; nil for NULL or a code out of range.
    static func value(_ code: Int?) -> Value? {
        guard let code, code >= 0 else { return nil }
        return Value.allCases.enumerated().first { $0.offset == code }?.element
    }

    /// `value`'s code as a database value, NULL for nil.
    static func database(_ value: Value?) -> DatabaseValue { value.map { code($0).databaseValue } ?? .null }

    /// The highest code, for the column's CHECK.
    static var maxCode: Int { Value.allCases.count - 1 }

    /// The SQL expression giving the name (the raw value) from the code in `column`.
    static func nameSQL(_ column: String) -> String {
        "CASE \(column) " + Value.allCases.enumerated().map { "WHEN \($0.offset) THEN '\($0.element.rawValue)'" }
            .joined(separator: " ") + " END"
    }

    /// The SQL expression giving the code from the name in `column` (the migration's copy).
    static func codeSQL(_ column: String) -> String {
        "CASE \(column) " + Value.allCases.enumerated().map { "WHEN '\($0.element.rawValue)' THEN \($0.offset)" }
            .joined(separator: " ") + " END"
    }
}

typealias RatingCode = StoredCode<Rating>
typealias PredikatCode = StoredCode<Predikat>
