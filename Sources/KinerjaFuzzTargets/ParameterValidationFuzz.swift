import KinerjaDaemon
import Varlink

/// Properties of parameter validation against the daemon's own interface, `io.kinerjad.Admin`
/// (and `org.varlink.service`), as the dispatcher applies it to every call.
///
/// The input is a JSON call `{"method": …, "parameters": {…}}`. A method that is not declared is
/// replaced by one chosen from the method name's bytes, so arbitrary parameters meet every method.
/// - validation is deterministic;
/// - accepted parameters written to JSON and read back are accepted again (what a client sends is
///   what the handler gets);
/// - a rejection names a path that starts at a given parameter or a declared field, with a reason.
enum ParameterValidationFuzz {
    static let interfaces: [VarlinkInterface] = {
        [try! VarlinkInterface(parsing: AdminService.idl), VarlinkServiceInterface.interface]
    }()
    static let methods: [(VarlinkInterface, VarlinkMethod)] = interfaces.flatMap { i in i.methods.map { (i, $0) } }

    static func check(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) {
        guard let json = try? JSONParser().parse(bytes), let call = try? VarlinkCallMessage(json: json) else { return }
        let (interface, method) = resolve(call)
        let validator = VarlinkValidator(interface: interface)
        let first = outcome(validator, call.parameters, method)
        guard first == outcome(validator, call.parameters, method) else {
            throw FuzzFailure(.varlinkParameters, "validation of \(method.name) is not deterministic")
        }
        switch first {
        case nil:
            let written = JSONValue.object(call.parameters).serialized()
            guard let reread = try? JSONParser().parse(bytes: written).objectValue else {
                throw FuzzFailure(.varlinkParameters, "accepted parameters of \(method.name) do not read back")
            }
            if let again = outcome(validator, reread, method) {
                throw FuzzFailure(.varlinkParameters,
                    "parameters of \(method.name) accepted, rejected after a JSON round trip: \(again)")
            }
        case let failure?:
            let roots = Set(call.parameters.keys).union(method.input.map(\.name))
            guard !failure.reason.isEmpty,
                  roots.contains(where: { failure.path == $0 || failure.path.hasPrefix($0 + ".") || failure.path.hasPrefix($0 + "[") })
            else {
                throw FuzzFailure(.varlinkParameters,
                    "rejection of \(method.name) names '\(failure.path)', which is no parameter or field: \(failure)")
            }
            guard failure.varlinkError == .invalidParameter(failure.path) else {
                throw FuzzFailure(.varlinkParameters, "rejection maps to \(failure.varlinkError)")
            }
        }
    }

    static func resolve(_ call: VarlinkCallMessage) -> (VarlinkInterface, VarlinkMethod) {
        for interface in interfaces where interface.name == call.interfaceName {
            if let method = interface.method(named: call.memberName) { return (interface, method) }
        }
        let index = call.method.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF }
        return methods[index % methods.count]
    }

    static func outcome(
        _ validator: VarlinkValidator, _ parameters: [String: JSONValue], _ method: VarlinkMethod
    ) -> VarlinkValidator.Failure? {
        do {
            try validator.validate(parameters, against: method.input)
            return nil
        } catch {
            return error
        }
    }
}
