import Foundation
import KinerjaDomain
import KinerjaStore
import Varlink

/// Errors of io.kinerjad.Admin.
enum AdminError {
    static func notFound(_ what: String, _ id: String) -> VarlinkError {
        VarlinkError(name: "io.kinerjad.Admin.NotFound", parameters: ["what": .string(what), "id": .string(id)])
    }

    static func invalidInput(_ problems: [String]) -> VarlinkError {
        VarlinkError(name: "io.kinerjad.Admin.InvalidInput", parameters: ["problems": .array(problems.map { .string($0) })])
    }

    static func configInvalid(_ problems: [String]) -> VarlinkError {
        VarlinkError(name: "io.kinerjad.Admin.ConfigInvalid", parameters: ["problems": .array(problems.map { .string($0) })])
    }

    static let operationFailedName = "io.kinerjad.Admin.OperationFailed"

    static func operationFailed(_ message: String) -> VarlinkError {
        VarlinkError(name: operationFailedName, parameters: ["message": .string(message)])
    }
}

extension AdminService {
    /// The one mapping from what handlers and use cases throw to the interface's errors: a storage
    /// failure of the database (full disk, read-only file) first, as the operator must read it; then
    /// the store's and the use cases' refusals; anything else is OperationFailed with its description.
    func interfaceError(_ error: any Error) -> VarlinkError {
        if let error = error as? VarlinkError { return error }
        if let text = StorageDiagnosis.explain(error, path: runtime.database.path) { return AdminError.operationFailed(text) }
        switch error {
        case let refusal as Refusal:
            return AdminError.invalidInput(refusal.problems)
        case let missing as NotFound:
            return AdminError.notFound(missing.what, missing.id)
        case let failure as ImportFailure:
            return AdminError.invalidInput(ControlEncoding.problemLines(failure))
        case let error as CycleStoreError:
            switch error {
            case .notFound(let what, let id): return AdminError.notFound(what, id)
            case .refused(let message): return AdminError.invalidInput([message])
            case .notClosable(let cycle, let n, let sample):
                let items = sample.compactMap { try? encoding.value($0) }
                return VarlinkError(name: "io.kinerjad.Admin.CycleNotClosable", parameters: [
                    "cycle": .string(cycle.period.code), "open_required": .int(Int64(n)), "assignments": .array(items),
                ])
            }
        case let error as FlagStoreError:
            switch error {
            case .notFound(let id): return AdminError.notFound("flag", String(id))
            case .invalidInput(let message): return AdminError.invalidInput([message])
            case .invalidTransition(let id, let refusal):
                return VarlinkError(name: "io.kinerjad.Admin.FlagTransitionRefused", parameters: [
                    "id": .int(id), "status": .string(refusal.status.rawValue), "action": .string(refusal.action.rawValue),
                    "message": .string("flag \(id): \(refusal)"),
                ])
            }
        case let error as StoreError:
            return AdminError.operationFailed(error.message)
        default:
            return AdminError.operationFailed(runtime.describe(error))
        }
    }
}
