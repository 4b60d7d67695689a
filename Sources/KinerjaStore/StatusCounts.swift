import Foundation
import GRDB

/// The counts `GetStatus` and the STATUS= line show. Each is one aggregate query.
public struct StatusCounts: Sendable, Equatable {
    public var activeEmployees: Int
    public var units: Int
}

extension AppDatabase {
    public func statusCounts() throws -> StatusCounts {
        try writer.read { db in
            StatusCounts(
                activeEmployees: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM employee WHERE aktif") ?? 0,
                units: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM unit") ?? 0
            )
        }
    }
}
