import Foundation
import Varlink

/// kinerja-web's one way to the daemon: io.kinerjad.Review calls over the Review socket, on a small
/// pool of connections. The daemon answers the calls of one connection one at a time, in order, so
/// a single connection made every page wait for the pages before it while the second CPU idled; with
/// `size` connections, that many calls run at once. Each call goes to the connection with the fewest
/// calls waiting on it. A connection is opened on first use and again after it fails (the daemon
/// restarted, or closed it when idle).
public actor ReviewClient {
    /// Connections by default: enough to keep two CPUs and the database's readers busy, few enough
    /// that a burst of requests queues here rather than in the daemon.
    public static let defaultSize = 4

    let path: String
    public nonisolated let size: Int
    /// Per slot: the connection, or its connect under way (one connect per slot, however many calls
    /// wait for it).
    private var slots: [Task<VarlinkClient, any Error>?]
    /// Per slot: calls sent and not yet answered.
    private var waiting: [Int]

    public init(path: String, size: Int = ReviewClient.defaultSize) {
        precondition(size > 0, "a ReviewClient needs at least one connection")
        self.path = path
        self.size = size
        slots = Array(repeating: nil, count: size)
        waiting = Array(repeating: 0, count: size)
    }

    /// Calls `io.kinerjad.Review.<method>`. Throws `VarlinkError` for the interface's errors and
    /// `VarlinkConnectionError` when the daemon cannot be reached (after one reconnect).
    public func call(_ method: String, _ parameters: [String: JSONValue]) async throws -> [String: JSONValue] {
        for attempt in 0..<2 {
            let slot = waiting.indices.min { waiting[$0] < waiting[$1] }!
            waiting[slot] += 1
            defer { waiting[slot] -= 1 }
            let opening = connection(slot)
            do {
                let connection = try await opening.value
                return try await connection.call("io.kinerjad.Review.\(method)", parameters: parameters)
            } catch let error as VarlinkConnectionError {
                // Drop the slot's connection (unless another call already replaced it); the next call
                // there opens a new one.
                if slots[slot] == opening {
                    slots[slot] = nil
                    if let broken = try? await opening.value { await broken.close() }
                }
                if attempt == 1 { throw error }
            }
        }
        throw VarlinkConnectionError(code: .connectFailed, path: path, detail: "unreachable")
    }

    /// Open connections (for the tests: a pool grows to at most `size`).
    public var openConnections: Int { slots.compactMap { $0 }.count }

    private func connection(_ slot: Int) -> Task<VarlinkClient, any Error> {
        if let existing = slots[slot] { return existing }
        let path = self.path
        let opening = Task { try await VarlinkClient.connect(unixPath: path) }
        slots[slot] = opening
        return opening
    }
}
