import ArgumentParser
import Foundation
import Varlink

/// `kinerjactl call METHOD [JSON]`: a raw Varlink call for scripts.
struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Call any method with JSON parameters and print the reply as JSON.",
        discussion: """
            METHOD is fully qualified (io.kinerjad.Admin.GetStatus, org.varlink.service.GetInfo).
            With --more, every reply of a streaming method is printed, one JSON document per line.
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions

    @Argument(help: ArgumentHelp("Fully qualified method name.", valueName: "method"))
    var method: String

    @Argument(help: ArgumentHelp("Parameters as a JSON object (default {}).", valueName: "json"))
    var parameters: String = "{}"

    @Flag(name: .long, help: "Ask for multiple replies (Varlink 'more').")
    var more = false

    func validate() throws {
        guard method.split(separator: ".").count >= 2, let last = method.split(separator: ".").last,
              last.first?.isUppercase == true else {
            throw ValidationError("'\(method)' is not a qualified method name such as io.kinerjad.Admin.Ping")
        }
        _ = try parsedParameters()
    }

    func parsedParameters() throws -> [String: JSONValue] {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: parameters)
        } catch {
            throw ValidationError("the parameters are not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw ValidationError("the parameters must be a JSON object, like {\"level\": \"debug\"}")
        }
        return object
    }

    func run() async throws {
        try await runCommand {
            let connection = ControlConnection(options: global)
            let params = try parsedParameters()
            if more {
                let last = try await connection.callMore(method, params) { reply in
                    print(JSONValue.object(reply).serializedString(.init(sortedKeys: true)))
                }
                print(JSONValue.object(last).serializedString(.init(sortedKeys: true)))
            } else {
                let reply = try await connection.call(method, params)
                if !global.quiet {
                    print(JSONValue.object(reply).serializedString(.init(sortedKeys: true, prettyPrinted: true)))
                }
            }
        }
    }
}
