import Logging
import NIOCore

/// Routes calls to services: decodes a message, finds the method, applies the access level,
/// validates parameters, runs the handler, and makes sure the call gets exactly one final reply.
///
/// It has no I/O of its own: replies go to the `send` closure given with each message, so it can be
/// driven from a test without sockets.
public struct VarlinkDispatcher: Sendable {
    struct Registered: Sendable {
        var interface: VarlinkInterface
        var description: String
        var validator: VarlinkValidator
        var service: (any VarlinkService)?
    }

    /// What became of one message.
    public enum Outcome: Sendable, Hashable {
        /// The call was answered (or was `oneway`).
        case handled
        /// The message broke the protocol; the connection should send
        /// `org.varlink.service.ProtocolViolation` and close.
        case protocolViolation(String)
    }

    public let info: VarlinkServiceInfo
    let interfaces: [String: Registered]
    /// Interface names in the order `GetInfo` lists them.
    public let interfaceNames: [String]
    let logger: Logger
    let maxDepth: Int

    /// Parses every service's interface definition.
    /// - Throws: ``VarlinkServerSetupError`` naming the interface whose text does not parse, or a
    ///   duplicate interface.
    public init(
        info: VarlinkServiceInfo, services: [any VarlinkService], logger: Logger,
        maxDepth: Int = JSONParser.defaultMaxDepth
    ) throws(VarlinkServerSetupError) {
        var interfaces: [String: Registered] = [:]
        var names = [VarlinkServiceInterface.name]
        interfaces[VarlinkServiceInterface.name] = Registered(
            interface: VarlinkServiceInterface.interface, description: VarlinkServiceInterface.description,
            validator: VarlinkValidator(interface: VarlinkServiceInterface.interface), service: nil)
        for (index, service) in services.enumerated() {
            let parsed: VarlinkInterface
            do {
                parsed = try VarlinkInterface(parsing: service.interfaceDescription)
            } catch {
                throw .invalidInterface(serviceIndex: index, error: error)
            }
            guard interfaces[parsed.name] == nil else { throw .duplicateInterface(parsed.name) }
            interfaces[parsed.name] = Registered(
                interface: parsed, description: service.interfaceDescription,
                validator: VarlinkValidator(interface: parsed), service: service)
            names.append(parsed.name)
        }
        self.info = info
        self.interfaces = interfaces
        self.interfaceNames = names
        self.logger = logger
        self.maxDepth = maxDepth
    }

    /// Handles one framed message (JSON text without its NUL).
    public func handle(
        message: ByteBuffer, peer: PeerCredentials?, accessLevel: VarlinkAccessLevel, connection: VarlinkConnectionID? = nil,
        send: @escaping @Sendable (VarlinkReplyMessage) async throws -> Void
    ) async -> Outcome {
        let json: JSONValue
        do {
            json = try message.withUnsafeReadableBytes { bytes in
                try JSONParser(maxDepth: maxDepth).parse(bytes)
            }
        } catch {
            return .protocolViolation("\(error)")
        }
        let call: VarlinkCallMessage
        do {
            call = try VarlinkCallMessage(json: json)
        } catch {
            return .protocolViolation(error.reason)
        }
        await handle(call: call, peer: peer, accessLevel: accessLevel, connection: connection, send: send)
        return .handled
    }

    /// Handles one decoded call.
    public func handle(
        call message: VarlinkCallMessage, peer: PeerCredentials?, accessLevel: VarlinkAccessLevel,
        connection: VarlinkConnectionID? = nil,
        send: @escaping @Sendable (VarlinkReplyMessage) async throws -> Void
    ) async {
        let sink = VarlinkReplySink(oneway: message.oneway, more: message.more, send: send)
        var call: VarlinkCall
        let registered: Registered
        switch resolve(message, peer: peer, accessLevel: accessLevel) {
        case .failure(let error):
            try? await sink.error(error)
            return
        case .success(let resolved):
            (call, registered) = resolved
        }
        call.connection = connection
        do {
            if let service = registered.service {
                try await service.handle(call, reply: sink)
            } else {
                try await handleServiceInterface(call, reply: sink)
            }
            if !sink.isFinished {
                try await sink.reply()
            }
        } catch let error as VarlinkError {
            if !sink.isFinished {
                try? await sink.error(error)
            }
        } catch {
            if !sink.isFinished {
                logger.error(
                    "varlink.handler.failed",
                    metadata: ["varlink.method": "\(call.qualifiedMethod)", "error": "\(error)"])
                try? await sink.error(.internalError)
            }
        }
    }

    /// Tells every service that `connection` closed.
    public func connectionClosed(_ connection: VarlinkConnectionID) async {
        for name in interfaceNames {
            await interfaces[name]?.service?.connectionClosed(connection)
        }
    }

    /// Finds and checks the method; the error is the reply to send.
    func resolve(
        _ message: VarlinkCallMessage, peer: PeerCredentials?, accessLevel: VarlinkAccessLevel
    ) -> Result<(VarlinkCall, Registered), VarlinkError> {
        let interfaceName = message.interfaceName
        guard let registered = interfaces[interfaceName] else {
            return .failure(.interfaceNotFound(interfaceName))
        }
        guard let method = registered.interface.method(named: message.memberName) else {
            return .failure(.methodNotFound(message.method))
        }
        guard accessLevel.allows(interface: interfaceName, method: method) else {
            logger.notice(
                "varlink.call.denied",
                metadata: ["varlink.method": "\(message.method)", "varlink.peer": "\(peer.map { "\($0)" } ?? "unknown")"])
            return .failure(.permissionDenied)
        }
        if message.upgrade {
            return .failure(.invalidParameter("upgrade"))
        }
        do {
            try registered.validator.validate(message.parameters, against: method.input)
        } catch {
            return .failure(error.varlinkError)
        }
        let call = VarlinkCall(
            interface: interfaceName, method: method.name, parameters: message.parameters,
            oneway: message.oneway, more: message.more, peer: peer, accessLevel: accessLevel, definition: method)
        return .success((call, registered))
    }

    private func handleServiceInterface(_ call: VarlinkCall, reply: VarlinkReplySink) async throws {
        switch call.method {
        case "GetInfo":
            try await reply.reply([
                "vendor": .string(info.vendor), "product": .string(info.product),
                "version": .string(info.version), "url": .string(info.url),
                "interfaces": .array(interfaceNames.map(JSONValue.string)),
            ])
        case "GetInterfaceDescription":
            let name = call.parameters["interface"]?.stringValue ?? ""
            guard let registered = interfaces[name] else { throw VarlinkError.interfaceNotFound(name) }
            try await reply.reply(["description": .string(registered.description)])
        default:
            throw VarlinkError.methodNotImplemented(call.qualifiedMethod)
        }
    }
}

/// Why a server could not be set up.
public enum VarlinkServerSetupError: Error, Sendable, CustomStringConvertible {
    /// The interface text of the service at this index (in the order given) does not parse.
    case invalidInterface(serviceIndex: Int, error: VarlinkIDLError)
    /// Two services declare the same interface.
    case duplicateInterface(String)

    public var description: String {
        switch self {
        case .invalidInterface(let index, let error): return "interface of service #\(index): \(error)"
        case .duplicateInterface(let name): return "interface \(name) is registered twice"
        }
    }
}
