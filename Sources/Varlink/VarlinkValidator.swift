/// Checks JSON parameters against the fields a method declares.
///
/// A field of type `?T` may be absent or `null`; every other field must be present with a value of
/// its type. Fields that are not declared are rejected. `int` accepts integral numbers, `float` any
/// number, `object` any JSON object, an enum one of its value names.
public struct VarlinkValidator: Sendable {
    /// The interface whose named types are resolved.
    public let interface: VarlinkInterface

    public init(interface: VarlinkInterface) {
        self.interface = interface
    }

    /// A parameter that does not match; `path` names it (`filter.unit`, `ids[2]`, `labels[key]`).
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var path: String
        public var reason: String

        public var description: String { "parameter '\(path)': \(reason)" }

        /// `org.varlink.service.InvalidParameter` naming ``path``.
        public var varlinkError: VarlinkError { .invalidParameter(path) }
    }

    /// Validates `parameters` against `fields` (a method's input).
    public func validate(_ parameters: [String: JSONValue], against fields: [VarlinkField]) throws(Failure) {
        try validateStruct(parameters, fields: fields, path: { "" })
    }

    /// Validates one value against a type; `path` names the value in failures.
    public func validate(_ value: JSONValue, against type: VarlinkType, path: String) throws(Failure) {
        try validate(value, against: type, path: { path })
    }

    // The path is spelled out only for a failure: a batch of 2,000 records has some 30,000 values,
    // whose paths (`records[1234].fields[5]`) would otherwise be built and dropped.
    private func validate(_ value: JSONValue, against type: VarlinkType, path: () -> String) throws(Failure) {
        switch type {
        case .optional(let wrapped):
            if value.isNull { return }
            try validate(value, against: wrapped, path: path)
        case .bool:
            guard case .bool = value else { throw mismatch(path(), "bool", value) }
        case .int:
            guard value.intValue != nil else { throw mismatch(path(), "int", value) }
        case .float:
            guard value.doubleValue != nil else { throw mismatch(path(), "float", value) }
        case .string:
            guard case .string = value else { throw mismatch(path(), "string", value) }
        case .object:
            guard case .object = value else { throw mismatch(path(), "object", value) }
        case .named(let name):
            guard let definition = interface.type(named: name) else {
                throw Failure(path: path(), reason: "type '\(name)' is not declared")
            }
            try validate(value, against: definition.type, path: path)
        case .enumeration(let values):
            guard case .string(let text) = value else { throw mismatch(path(), "enum string", value) }
            guard values.contains(where: { $0.name == text }) else {
                throw Failure(
                    path: path(),
                    reason: "'\(text)' is not one of \(values.map(\.name).joined(separator: ", "))")
            }
        case .structure(let fields):
            guard case .object(let members) = value else { throw mismatch(path(), "object", value) }
            try validateStruct(members, fields: fields, path: path)
        case .array(let element):
            guard case .array(let elements) = value else { throw mismatch(path(), "array", value) }
            for (index, item) in elements.enumerated() {
                try validate(item, against: element, path: { "\(path())[\(index)]" })
            }
        case .dictionary(let element):
            guard case .object(let members) = value else { throw mismatch(path(), "object (map)", value) }
            for key in members.keys.sorted() {
                try validate(members[key]!, against: element, path: { "\(path())[\(key)]" })
            }
        }
    }

    private func validateStruct(
        _ members: [String: JSONValue], fields: [VarlinkField], path: () -> String
    ) throws(Failure) {
        // Unknown fields are looked for (in key order, the first reported) only when some member is
        // not a declared field: counting the declared ones present decides it without a set or a sort.
        let present = fields.reduce(0) { $0 + (members[$1.name] == nil ? 0 : 1) }
        if present < members.count {
            let declared = Set(fields.map(\.name))
            for key in members.keys.sorted() where !declared.contains(key) {
                throw Failure(path: join(path(), key), reason: "unknown field")
            }
        }
        for field in fields {
            guard let value = members[field.name] else {
                if case .optional = field.type { continue }
                throw Failure(path: join(path(), field.name), reason: "missing required field")
            }
            try validate(value, against: field.type, path: { join(path(), field.name) })
        }
    }

    private func join(_ path: String, _ name: String) -> String {
        path.isEmpty ? name : "\(path).\(name)"
    }

    private func mismatch(_ path: String, _ expected: String, _ value: JSONValue) -> Failure {
        Failure(path: path, reason: "expected \(expected), got \(value.kindName)")
    }
}
