import Foundation
import Varlink

extension ControlConnection {
    /// Like `call`, but a Varlink error reply is thrown as it is (for commands that format a
    /// particular error themselves); connection failures are mapped as usual.
    func callUnmapped(_ method: String, _ parameters: [String: JSONValue] = [:]) async throws -> [String: JSONValue] {
        let client = try await connect()
        do {
            let reply = try await client.call(method, parameters: parameters)
            await client.close()
            return reply
        } catch let error as VarlinkError {
            await client.close()
            throw error
        } catch {
            await client.close()
            throw mapped(error)
        }
    }
}
