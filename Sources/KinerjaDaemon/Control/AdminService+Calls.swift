import Foundation
import KinerjaDomain
import KinerjaStore
import Varlink

/// What every handler shares: the reply encoding and the decoding of the parameters several methods
/// take (cycle references, NIPs, reviewer roles).
extension AdminService {
    var encoding: ControlEncoding { ControlEncoding(timeZone: runtime.config.cycles.zone) }

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
}
