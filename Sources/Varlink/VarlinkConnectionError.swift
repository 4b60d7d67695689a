/// A failure of the connection itself, as opposed to a ``VarlinkError`` reply from the service.
///
/// A command-line client maps this to "service unavailable" (exit 69) and a ``VarlinkError`` to a
/// failed call (exit 1).
public struct VarlinkConnectionError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// Could not connect (no such socket, permission denied, nobody listening).
        case connectFailed
        /// The connection closed before the reply was complete.
        case closed
        /// The service sent something that is not a valid reply.
        case protocolViolation
        /// A reply exceeded the client's message size limit.
        case messageTooLarge
    }

    public var code: Code
    /// The socket path, when known.
    public var path: String?
    /// Details (the system error, the malformed input).
    public var detail: String

    public init(code: Code, path: String? = nil, detail: String) {
        self.code = code
        self.path = path
        self.detail = detail
    }

    public var description: String {
        let place = path.map { " (\($0))" } ?? ""
        switch code {
        case .connectFailed: return "cannot connect to Varlink service\(place): \(detail)"
        case .closed: return "Varlink connection closed\(place): \(detail)"
        case .protocolViolation: return "Varlink protocol violation\(place): \(detail)"
        case .messageTooLarge: return "Varlink reply too large\(place): \(detail)"
        }
    }
}
