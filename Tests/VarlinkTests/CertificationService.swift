import Foundation
import Synchronization
import Varlink

/// The `org.varlink.certification` service (test only): checks that a client calls Start, Test01 …
/// Test11, End in order with exactly the expected parameters, as the reference implementation does.
final class CertificationService: VarlinkService {
    let interfaceDescription: String
    private let nextMethod = Mutex<[String: String]>([:])

    init(interfaceDescription: String) {
        self.interfaceDescription = interfaceDescription
    }

    static let structValue: JSONValue = ["bool": false, "int": 2, "float": .double(.pi), "string": "a lot of string"]
    static let map: JSONValue = ["foo": "Foo", "bar": "Bar"]
    static let set: JSONValue = ["one": [:], "two": [:], "three": [:]]
    static let myType: JSONValue = [
        "object": ["method": "org.varlink.certification.Test09", "parameters": ["map": map]],
        "enum": "two",
        "struct": ["first": 1, "second": "2"],
        "array": ["one", "two", "three"],
        "dictionary": map,
        "stringset": set,
        "interface": [
            "foo": [nil, ["foo": "foo", "bar": "bar"], nil, ["one": "foo", "two": "bar"]],
            "anon": ["foo": true, "bar": false],
        ],
    ]
    static let moreReplies = (1...10).map { JSONValue.string("Reply number \($0)") }

    /// For each method: the parameters it must get (besides client_id), the method that must come
    /// next, and its reply.
    static func script(_ method: String) -> (wants: [String: JSONValue], next: String, reply: [String: JSONValue])? {
        switch method {
        case "Test01": return ([:], "Test02", ["bool": true])
        case "Test02": return (["bool": true], "Test03", ["int": 1])
        case "Test03": return (["int": 1], "Test04", ["float": 1.0])
        case "Test04": return (["float": 1.0], "Test05", ["string": "ping"])
        case "Test05":
            return (["string": "ping"], "Test06", ["bool": false, "int": 2, "float": .double(.pi), "string": "a lot of string"])
        case "Test06": return (structValue.objectValue!, "Test07", ["struct": structValue])
        case "Test07": return (["struct": structValue], "Test08", ["map": map])
        case "Test08": return (["map": map], "Test09", ["set": set])
        case "Test09":
            var reply = myType.objectValue!
            reply["nullable"] = nil
            var withNulls = reply
            withNulls["nullable"] = .null
            withNulls["nullable_array_struct"] = .null
            return (["set": set], "Test10", ["mytype": .object(withNulls)])
        case "Test10": return (["mytype": myType], "Test11", [:])
        case "Test11": return (["last_more_replies": .array(moreReplies)], "End", [:])
        case "End": return ([:], "Start", ["all_ok": true])
        default: return nil
        }
    }

    func handle(_ call: VarlinkCall, reply: VarlinkReplySink) async throws {
        if call.method == "Start" {
            guard call.parameters.isEmpty else { throw failure(wants: ["parameters": [:]], got: .object(call.parameters)) }
            let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            nextMethod.withLock { $0[id] = "Test01" }
            try await reply.reply(["client_id": .string(id)])
            return
        }
        let id = call.parameters["client_id"]?.stringValue ?? ""
        let expected = nextMethod.withLock { $0[id] }
        guard let expected, expected == call.method else {
            throw failure(
                wants: .string("Call to method org.varlink.certification.\(expected ?? "Start")"),
                got: .string("Call to method \(call.qualifiedMethod)"))
        }
        guard let step = Self.script(call.method) else { throw VarlinkError.methodNotImplemented(call.qualifiedMethod) }
        var got = call.parameters
        got["client_id"] = nil
        if call.method == "Test10", case .object(var mytype)? = got["mytype"] {
            for key in ["nullable", "nullable_array_struct"] where mytype[key] == .null { mytype[key] = nil }
            got["mytype"] = .object(mytype)
        }
        var wants = step.wants
        if call.method == "Test10" && !call.more { wants["more"] = true }
        if call.method == "Test11" && !call.oneway { wants["oneway"] = true }
        guard got == wants else {
            nextMethod.withLock { $0[id] = nil }
            throw failure(wants: .object(wants), got: .object(got))
        }
        nextMethod.withLock { $0[id] = step.next == "Start" ? nil : step.next }
        if call.method == "Test10" {
            for (index, text) in Self.moreReplies.enumerated() {
                try await reply.reply(["string": text], continues: index < Self.moreReplies.count - 1)
            }
        } else {
            try await reply.reply(step.reply)
        }
    }

    private func failure(wants: JSONValue, got: JSONValue) -> VarlinkError {
        VarlinkError(name: "org.varlink.certification.CertificationError", parameters: ["wants": wants, "got": got])
    }
}
