/// A validated method call, as a service handler receives it.
public struct VarlinkCall: Sendable {
    /// Interface name, e.g. `io.example.Admin`.
    public var interface: String
    /// Method name within the interface, e.g. `ListUsers`.
    public var method: String
    /// Input parameters, already checked against the method's declared input.
    public var parameters: [String: JSONValue]
    /// The client wants no reply (replies sent through the sink are dropped).
    public var oneway: Bool
    /// The client accepts several replies (`reply(…, continues: true)`).
    public var more: Bool
    /// Who called, from `SO_PEERCRED`; `nil` when unknown.
    public var peer: PeerCredentials?
    /// What the caller may do (already enforced for this method).
    public var accessLevel: VarlinkAccessLevel
    /// The method's declaration.
    public var definition: VarlinkMethod
    /// The connection the call came on (`nil` when not from a server connection); a service learns
    /// of its end through ``VarlinkService/connectionClosed(_:)``.
    public var connection: VarlinkConnectionID?

    public init(
        interface: String, method: String, parameters: [String: JSONValue] = [:],
        oneway: Bool = false, more: Bool = false, peer: PeerCredentials? = nil,
        accessLevel: VarlinkAccessLevel = .full, definition: VarlinkMethod, connection: VarlinkConnectionID? = nil
    ) {
        self.connection = connection
        self.interface = interface
        self.method = method
        self.parameters = parameters
        self.oneway = oneway
        self.more = more
        self.peer = peer
        self.accessLevel = accessLevel
        self.definition = definition
    }

    /// `interface.method`.
    public var qualifiedMethod: String { "\(interface).\(method)" }
}

/// A service: one interface, described by its IDL text, and a handler for its methods.
///
/// The server parses ``interfaceDescription`` when it is created, validates every call's parameters
/// against the method's input, applies the access policy, and then calls ``handle(_:reply:)``.
/// A handler answers through the sink; a ``VarlinkError`` it throws becomes the error reply; if it
/// returns without a final reply, the call is answered with empty parameters.
public protocol VarlinkService: Sendable {
    /// The interface definition text; `org.varlink.service.GetInterfaceDescription` returns it verbatim.
    var interfaceDescription: String { get }

    /// Handles one call of a method of this interface.
    func handle(_ call: VarlinkCall, reply: VarlinkReplySink) async throws

    /// A connection closed: state a service keeps for it (e.g. work begun on it) can go. Called
    /// once per connection, for every service, after the connection's last call ended.
    func connectionClosed(_ connection: VarlinkConnectionID) async
}

extension VarlinkService {
    public func connectionClosed(_ connection: VarlinkConnectionID) async {}
}

/// Names one server connection for as long as the server runs (ids are not reused).
public struct VarlinkConnectionID: Sendable, Hashable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    public var description: String { "connection \(value)" }
}

/// Vendor information returned by `org.varlink.service.GetInfo`.
public struct VarlinkServiceInfo: Sendable, Hashable {
    public var vendor: String
    public var product: String
    public var version: String
    public var url: String

    public init(vendor: String, product: String, version: String, url: String) {
        self.vendor = vendor
        self.product = product
        self.version = version
        self.url = url
    }
}
