/// A Varlink error reply: a fully-qualified error name and its parameters.
///
/// Throw one from a service handler to answer the call with that error:
/// ```swift
/// throw VarlinkError(name: "io.example.NotFound", parameters: ["id": .string(id)])
/// ```
/// The client throws one when the service answers with an error.
public struct VarlinkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Fully-qualified error name, e.g. `org.varlink.service.InvalidParameter`.
    public var name: String
    /// The error's parameters (may be empty).
    public var parameters: [String: JSONValue]

    public init(name: String, parameters: [String: JSONValue] = [:]) {
        self.name = name
        self.parameters = parameters
    }

    public var description: String {
        parameters.isEmpty ? name : "\(name) \(JSONValue.object(parameters))"
    }
}

// MARK: - Standard errors of org.varlink.service

extension VarlinkError {
    /// Names of the errors this module sends itself.
    public enum Name {
        public static let interfaceNotFound = "org.varlink.service.InterfaceNotFound"
        public static let methodNotFound = "org.varlink.service.MethodNotFound"
        public static let methodNotImplemented = "org.varlink.service.MethodNotImplemented"
        public static let invalidParameter = "org.varlink.service.InvalidParameter"
        public static let permissionDenied = "org.varlink.service.PermissionDenied"
        public static let expectedMore = "org.varlink.service.ExpectedMore"
        /// Not declared by `org.varlink.service`: sent before the server closes a connection whose input
        /// broke the protocol (not JSON, not a call object, larger than the message limit).
        public static let protocolViolation = "org.varlink.service.ProtocolViolation"
        /// Not declared by `org.varlink.service`: a handler failed with an error that is not a
        /// ``VarlinkError`` (details go to the server's log, not to the client).
        public static let internalError = "org.varlink.service.InternalError"
    }

    /// `InterfaceNotFound(interface)`.
    public static func interfaceNotFound(_ interface: String) -> VarlinkError {
        VarlinkError(name: Name.interfaceNotFound, parameters: ["interface": .string(interface)])
    }

    /// `MethodNotFound(method)`; `method` is the fully-qualified method name.
    public static func methodNotFound(_ method: String) -> VarlinkError {
        VarlinkError(name: Name.methodNotFound, parameters: ["method": .string(method)])
    }

    /// `MethodNotImplemented(method)`; `method` is the fully-qualified method name.
    public static func methodNotImplemented(_ method: String) -> VarlinkError {
        VarlinkError(name: Name.methodNotImplemented, parameters: ["method": .string(method)])
    }

    /// `InvalidParameter(parameter)`; `parameter` names the offending field (dotted path when nested).
    public static func invalidParameter(_ parameter: String) -> VarlinkError {
        VarlinkError(name: Name.invalidParameter, parameters: ["parameter": .string(parameter)])
    }

    /// `PermissionDenied()`.
    public static var permissionDenied: VarlinkError { VarlinkError(name: Name.permissionDenied) }

    /// `ExpectedMore()`: the method must be called with `more`.
    public static var expectedMore: VarlinkError { VarlinkError(name: Name.expectedMore) }

    /// `ProtocolViolation(reason)`, see ``Name/protocolViolation``.
    public static func protocolViolation(_ reason: String) -> VarlinkError {
        VarlinkError(name: Name.protocolViolation, parameters: ["reason": .string(reason)])
    }

    /// `InternalError()`, see ``Name/internalError``.
    public static var internalError: VarlinkError { VarlinkError(name: Name.internalError) }
}
