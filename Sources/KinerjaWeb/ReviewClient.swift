import Foundation
import Varlink

/// kinerja-web's one way to the daemon: io.kinerjad.Review calls over the Review socket. One
/// connection, opened on first use and again after it fails; calls on it are pipelined.
public actor ReviewClient {
    let path: String
    private var client: VarlinkClient?

    public init(path: String) {
        self.path = path
    }

    /// Calls `io.kinerjad.Review.<method>`. Throws `VarlinkError` for the interface's errors and
    /// `VarlinkConnectionError` when the daemon cannot be reached (after one reconnect).
    public func call(_ method: String, _ parameters: [String: JSONValue]) async throws -> [String: JSONValue] {
        for attempt in 0..<2 {
            let connection: VarlinkClient
            if let client {
                connection = client
            } else {
                connection = try await VarlinkClient.connect(unixPath: path)
                client = connection
            }
            do {
                return try await connection.call("io.kinerjad.Review.\(method)", parameters: parameters)
            } catch let error as VarlinkConnectionError {
                if client === connection { client = nil }
                await connection.close()
                if attempt == 1 { throw error }
            }
        }
        throw VarlinkConnectionError(code: .connectFailed, path: path, detail: "unreachable")
    }
}
