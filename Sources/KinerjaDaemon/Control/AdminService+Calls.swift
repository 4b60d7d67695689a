import Foundation
import KinerjaDomain
import KinerjaStore
import Varlink

/// What every handler shares: the reply encoding, the way into the database, and the decoding of
/// the parameters several methods take (cycle references, NIPs, reviewer roles).
extension AdminService {
    var encoding: ControlEncoding { ControlEncoding(timeZone: runtime.config.cycles.zone) }

    /// Runs `work` on the database off the concurrency pool; store errors become interface errors.
    func store<T: Sendable>(_ work: @escaping @Sendable (AppDatabase) throws -> T) async throws -> T {
        let database = runtime.database
        do {
            return try await offload { try work(database) }
        } catch {
            if let text = StorageDiagnosis.explain(error, path: database.path) { throw AdminError.operationFailed(text) }
            throw encoding.error(error)
        }
    }

    func cycleReference(_ call: VarlinkCall, _ name: String) throws -> CycleReference? {
        guard let text = call.parameters[name]?.stringValue else { return nil }
        do {
            return try CycleReference(parsing: text)
        } catch {
            throw AdminError.invalidInput(["\(name): \(error.message)"])
        }
    }

    func nip(_ call: VarlinkCall, _ name: String) throws -> NIP? {
        guard let text = call.parameters[name]?.stringValue else { return nil }
        switch NIP.parse(text) {
        case .success(let nip): return nip
        case .failure(let error): throw AdminError.invalidInput(["\(name): '\(text)' is not a valid NIP: \(error.message)"])
        }
    }

    func role(_ call: VarlinkCall, _ name: String) throws -> ReviewerRole? {
        guard let text = call.parameters[name]?.stringValue else { return nil }
        guard let role = ReviewerRole(parsing: text) else {
            throw AdminError.invalidInput(["\(name): '\(text)' is not one of self, atasan, rekan, bawahan"])
        }
        return role
    }

    static func iso(_ date: Date?) -> JSONValue {
        date.map { .string(isoString($0)) } ?? .null
    }

    static func isoString(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
