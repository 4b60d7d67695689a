import Synchronization

/// Where a handler sends the replies to one call.
///
/// - `reply(parameters)` sends the final reply; `reply(parameters, continues: true)` sends one of
///   several (only when the client asked for `more`; otherwise the client gets
///   `org.varlink.service.ExpectedMore` and the method throws it).
/// - `error(_:)` sends an error reply, which is final.
/// - For a `oneway` call nothing reaches the client.
/// - Sending suspends while the connection's output buffer is full, so a slow client slows its
///   handler instead of growing the server's memory. It throws when the connection is gone.
public final class VarlinkReplySink: Sendable {
    /// Misuse of a sink by a handler.
    public enum Misuse: Error, Sendable, Hashable {
        /// A reply after the final one.
        case alreadyFinished
    }

    /// Whether the call was `oneway`.
    public let oneway: Bool
    /// Whether the client accepts `continues` replies.
    public let more: Bool
    private let send: @Sendable (VarlinkReplyMessage) async throws -> Void
    private let finished = Mutex(false)

    /// A sink that hands each reply to `send` (the server passes the connection; tests may collect
    /// replies in memory).
    public init(oneway: Bool, more: Bool, send: @escaping @Sendable (VarlinkReplyMessage) async throws -> Void) {
        self.oneway = oneway
        self.more = more
        self.send = send
    }

    /// Whether the final reply was sent.
    public var isFinished: Bool { finished.withLock { $0 } }

    /// Sends a reply; `continues: true` announces more replies to come.
    public func reply(_ parameters: [String: JSONValue] = [:], continues: Bool = false) async throws {
        if continues && !more {
            try markFinished()
            try await deliver(VarlinkReplyMessage(error: .expectedMore))
            throw VarlinkError.expectedMore
        }
        if !continues { try markFinished() } else { try checkOpen() }
        try await deliver(VarlinkReplyMessage(parameters: parameters, continues: continues))
    }

    /// Sends an error reply (final).
    public func error(_ error: VarlinkError) async throws {
        try markFinished()
        try await deliver(VarlinkReplyMessage(error: error))
    }

    private func deliver(_ message: VarlinkReplyMessage) async throws {
        if oneway { return }
        try await send(message)
    }

    private func checkOpen() throws {
        if isFinished { throw Misuse.alreadyFinished }
    }

    private func markFinished() throws {
        let wasFinished = finished.withLock { state in
            defer { state = true }
            return state
        }
        if wasFinished { throw Misuse.alreadyFinished }
    }
}
