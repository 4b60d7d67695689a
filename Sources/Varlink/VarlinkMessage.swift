/// A method call as sent by a client.
public struct VarlinkCallMessage: Sendable, Hashable {
    /// Fully-qualified method name, `interface.Method`.
    public var method: String
    /// Input parameters. An absent, `null` or empty `parameters` member all decode to `[:]`.
    public var parameters: [String: JSONValue]
    /// The client wants no reply.
    public var oneway: Bool
    /// The client accepts several replies (`continues`).
    public var more: Bool
    /// The client asks to take the connection over with another protocol (refused by this server).
    public var upgrade: Bool

    public init(
        method: String, parameters: [String: JSONValue] = [:],
        oneway: Bool = false, more: Bool = false, upgrade: Bool = false
    ) {
        self.method = method
        self.parameters = parameters
        self.oneway = oneway
        self.more = more
        self.upgrade = upgrade
    }

    /// The interface part of ``method`` (before the last dot), or `""` when there is no dot.
    public var interfaceName: String {
        guard let dot = method.lastIndex(of: ".") else { return "" }
        return String(method[..<dot])
    }

    /// The member part of ``method`` (after the last dot).
    public var memberName: String {
        guard let dot = method.lastIndex(of: ".") else { return method }
        return String(method[method.index(after: dot)...])
    }

    /// Decodes a call from its JSON object. Unknown members are ignored (vendor extensions).
    public init(json: JSONValue) throws(VarlinkMessageError) {
        guard case .object(let members) = json else {
            throw VarlinkMessageError("a call must be a JSON object, not \(json.kindName)")
        }
        guard case .string(let method)? = members["method"] else {
            throw VarlinkMessageError(members["method"] == nil
                ? "the call has no \"method\"" : "\"method\" must be a string")
        }
        self.method = method
        self.parameters = try Self.parameters(members["parameters"])
        self.oneway = try Self.flag(members, "oneway")
        self.more = try Self.flag(members, "more")
        self.upgrade = try Self.flag(members, "upgrade")
    }

    /// The JSON object: `parameters` only when not empty, flags only when set.
    public var json: JSONValue {
        var members: [String: JSONValue] = ["method": .string(method)]
        if !parameters.isEmpty { members["parameters"] = .object(parameters) }
        if oneway { members["oneway"] = true }
        if more { members["more"] = true }
        if upgrade { members["upgrade"] = true }
        return .object(members)
    }

    static func parameters(_ value: JSONValue?) throws(VarlinkMessageError) -> [String: JSONValue] {
        switch value {
        case nil, .null?: return [:]
        case .object(let parameters)?: return parameters
        case let other?: throw VarlinkMessageError("\"parameters\" must be an object, not \(other.kindName)")
        }
    }

    static func flag(_ members: [String: JSONValue], _ key: String) throws(VarlinkMessageError) -> Bool {
        switch members[key] {
        case nil, .null?: return false
        case .bool(let flag)?: return flag
        case let other?: throw VarlinkMessageError("\"\(key)\" must be a boolean, not \(other.kindName)")
        }
    }
}

/// A reply as sent by a service: parameters, or an error with parameters.
public struct VarlinkReplyMessage: Sendable, Hashable {
    /// Output parameters, or the error's parameters.
    public var parameters: [String: JSONValue]
    /// More replies to the same call follow.
    public var continues: Bool
    /// Fully-qualified error name when the call failed.
    public var error: String?

    public init(parameters: [String: JSONValue] = [:], continues: Bool = false, error: String? = nil) {
        self.parameters = parameters
        self.continues = continues
        self.error = error
    }

    /// An error reply.
    public init(error: VarlinkError) {
        self.init(parameters: error.parameters, continues: false, error: error.name)
    }

    /// The error as a ``VarlinkError`` when this is an error reply.
    public var varlinkError: VarlinkError? {
        error.map { VarlinkError(name: $0, parameters: parameters) }
    }

    /// Decodes a reply from its JSON object. Unknown members are ignored.
    public init(json: JSONValue) throws(VarlinkMessageError) {
        guard case .object(let members) = json else {
            throw VarlinkMessageError("a reply must be a JSON object, not \(json.kindName)")
        }
        self.parameters = try VarlinkCallMessage.parameters(members["parameters"])
        self.continues = try VarlinkCallMessage.flag(members, "continues")
        switch members["error"] {
        case nil, .null?: self.error = nil
        case .string(let name)?: self.error = name
        case let other?: throw VarlinkMessageError("\"error\" must be a string, not \(other.kindName)")
        }
    }

    /// The JSON object: `parameters` always, `continues` only when set, `error` only for errors.
    public var json: JSONValue {
        var members: [String: JSONValue] = ["parameters": .object(parameters)]
        if continues { members["continues"] = true }
        if let error { members["error"] = .string(error) }
        return .object(members)
    }
}

/// A JSON value that is not a well-formed Varlink call or reply.
public struct VarlinkMessageError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "malformed Varlink message: \(reason)" }
}
