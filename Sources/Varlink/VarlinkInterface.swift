/// A parsed Varlink interface definition (`.varlink` file).
///
/// Comments are kept: the lines of `#` comments before a declaration are its ``doc`` (the text after
/// `#`, verbatim), so printing reproduces them.
public struct VarlinkInterface: Sendable, Hashable {
    /// Reverse-domain name, e.g. `org.varlink.service`.
    public var name: String
    /// Comment lines before the `interface` keyword.
    public var doc: [String]
    /// Types, methods and errors in declaration order.
    public var members: [VarlinkMember]
    /// Comment lines after the last member.
    public var trailingComments: [String]

    public init(name: String, doc: [String] = [], members: [VarlinkMember], trailingComments: [String] = []) {
        self.name = name
        self.doc = doc
        self.members = members
        self.trailingComments = trailingComments
    }

    /// The method named `name` (member name, without the interface).
    public func method(named name: String) -> VarlinkMethod? {
        for case .method(let method) in members where method.name == name { return method }
        return nil
    }

    /// The type named `name`.
    public func type(named name: String) -> VarlinkTypeDefinition? {
        for case .type(let type) in members where type.name == name { return type }
        return nil
    }

    /// The error named `name` (member name, without the interface).
    public func error(named name: String) -> VarlinkErrorDefinition? {
        for case .error(let error) in members where error.name == name { return error }
        return nil
    }

    /// All methods in declaration order.
    public var methods: [VarlinkMethod] {
        members.compactMap { if case .method(let method) = $0 { return method } else { return nil } }
    }
}

/// One declaration of an interface.
public enum VarlinkMember: Sendable, Hashable {
    case type(VarlinkTypeDefinition)
    case method(VarlinkMethod)
    case error(VarlinkErrorDefinition)

    /// The declared name.
    public var name: String {
        switch self {
        case .type(let type): return type.name
        case .method(let method): return method.name
        case .error(let error): return error.name
        }
    }

    /// The declaration's comment lines.
    public var doc: [String] {
        switch self {
        case .type(let type): return type.doc
        case .method(let method): return method.doc
        case .error(let error): return error.doc
        }
    }
}

/// `type Name (…)`: a named struct or enum.
public struct VarlinkTypeDefinition: Sendable, Hashable {
    public var name: String
    /// Always `.structure` or `.enumeration`.
    public var type: VarlinkType
    public var doc: [String]

    public init(name: String, type: VarlinkType, doc: [String] = []) {
        self.name = name
        self.type = type
        self.doc = doc
    }
}

/// `method Name(input) -> (output)`.
public struct VarlinkMethod: Sendable, Hashable {
    public var name: String
    public var input: [VarlinkField]
    public var output: [VarlinkField]
    public var doc: [String]

    public init(name: String, input: [VarlinkField], output: [VarlinkField], doc: [String] = []) {
        self.name = name
        self.input = input
        self.output = output
        self.doc = doc
    }

    /// The access class named by an `[access: CLASS]` tag in the doc comment; a method without a
    /// tag (or with an unknown class) is ``VarlinkAccessClass/admin``, so forgetting the tag never
    /// opens a method to everyone. This is the one place that reads the convention.
    public var accessClass: VarlinkAccessClass {
        accessTag ?? .admin
    }

    /// The class of the `[access: CLASS]` tag, or `nil` when the doc comment has none.
    public var accessTag: VarlinkAccessClass? {
        for line in doc {
            guard let open = line.range(of: VarlinkAccessClass.tagPrefix),
                  let close = line[open.upperBound...].firstIndex(of: "]") else { continue }
            let name = line[open.upperBound..<close].filter { $0 != " " }
            return VarlinkAccessClass(rawValue: String(name)) ?? .admin
        }
        return nil
    }
}

/// Who may call a method, declared in the IDL by the method's doc comment (`# [access: read]`).
/// The classes are about the data a reply carries, not about whether the method changes state.
public enum VarlinkAccessClass: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Liveness and counts: anyone who can reach the socket.
    case `public`
    /// Aggregates without personal data: anyone who can reach the socket.
    case read
    /// Everything else: privileged callers only.
    case admin

    /// How a doc comment names the class: `[access: public]`, `[access: read]`, `[access: admin]`.
    public static let tagPrefix = "[access:"

    private var rank: Int {
        switch self {
        case .public: return 0
        case .read: return 1
        case .admin: return 2
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// `error Name (fields)`.
public struct VarlinkErrorDefinition: Sendable, Hashable {
    public var name: String
    public var parameters: [VarlinkField]
    public var doc: [String]

    public init(name: String, parameters: [VarlinkField], doc: [String] = []) {
        self.name = name
        self.parameters = parameters
        self.doc = doc
    }
}

/// A named, typed field of a struct (also method input/output and error parameters).
public struct VarlinkField: Sendable, Hashable {
    public var name: String
    public var type: VarlinkType
    public var doc: [String]

    public init(name: String, type: VarlinkType, doc: [String] = []) {
        self.name = name
        self.type = type
        self.doc = doc
    }
}

/// A value of an enum.
public struct VarlinkEnumValue: Sendable, Hashable {
    public var name: String
    public var doc: [String]

    public init(name: String, doc: [String] = []) {
        self.name = name
        self.doc = doc
    }
}

/// A Varlink type expression.
public indirect enum VarlinkType: Sendable, Hashable {
    case bool
    case int
    case float
    case string
    /// Any JSON object (`object`).
    case object
    /// A type declared with `type` in the same interface.
    case named(String)
    /// `(name: type, …)`; `()` is the empty struct.
    case structure([VarlinkField])
    /// `(one, two, …)`.
    case enumeration([VarlinkEnumValue])
    /// `[]T`.
    case array(VarlinkType)
    /// `[string]T`; `[string]()` is a set of strings.
    case dictionary(VarlinkType)
    /// `?T`: may be absent or `null`.
    case optional(VarlinkType)
}
