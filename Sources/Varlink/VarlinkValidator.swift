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
        try validateStruct(parameters, fields: fields)
    }

    /// Validates one value against a type; `path` names the value in failures.
    public func validate(_ value: JSONValue, against type: VarlinkType, path: String) throws(Failure) {
        do {
            try validate(value, against: type)
        } catch {
            throw Self.under(path, error)
        }
    }

    // A failure's path is spelled relative to the value checked and prefixed on the way out, so
    // nothing is spelled for values that pass: a batch of 2,000 records has some 30,000 values, whose
    // paths (`records[1234].fields[5]`) would otherwise be built and dropped.
    private static func under(_ head: String, _ failure: Failure) -> Failure {
        let rest = failure.path
        let path = rest.isEmpty ? head : rest.hasPrefix("[") || head.isEmpty ? head + rest : head + "." + rest
        return Failure(path: path, reason: failure.reason)
    }

    private func validate(_ value: JSONValue, against type: VarlinkType) throws(Failure) {
        switch type {
        case .optional(let wrapped):
            if value.isNull { return }
            try validate(value, against: wrapped)
        case .bool:
            guard case .bool = value else { throw mismatch("bool", value) }
        case .int:
            guard value.intValue != nil else { throw mismatch("int", value) }
        case .float:
            guard value.doubleValue != nil else { throw mismatch("float", value) }
        case .string:
            guard case .string = value else { throw mismatch("string", value) }
        case .object:
            guard case .object = value else { throw mismatch("object", value) }
        case .named(let name):
            guard let definition = interface.type(named: name) else {
                throw Failure(path: "", reason: "type '\(name)' is not declared")
            }
            try validate(value, against: definition.type)
        case .enumeration(let values):
            guard case .string(let text) = value else { throw mismatch("enum string", value) }
            guard values.contains(where: { $0.name == text }) else {
                throw Failure(path: "", reason: "'\(text)' is not one of \(values.map(\.name).joined(separator: ", "))")
            }
        case .structure(let fields):
            guard case .object(let members) = value else { throw mismatch("object", value) }
            try validateStruct(members, fields: fields)
        case .array(let element):
            guard case .array(let elements) = value else { throw mismatch("array", value) }
            for (index, item) in elements.enumerated() {
                do { try validate(item, against: element) } catch { throw Self.under("[\(index)]", error) }
            }
        case .dictionary(let element):
            guard case .object(let members) = value else { throw mismatch("object (map)", value) }
            for key in members.keys.sorted() {
                do { try validate(members[key]!, against: element) } catch { throw Self.under("[\(key)]", error) }
            }
        }
    }

    private func validateStruct(_ members: [String: JSONValue], fields: [VarlinkField]) throws(Failure) {
        // Unknown fields are looked for (in key order, the first reported) only when some member is
        // not a declared field: counting the declared ones present decides it without a set or a sort.
        var present = 0
        for field in fields where members.index(forKey: field.name) != nil { present += 1 }
        if present < members.count {
            let declared = Set(fields.map(\.name))
            for key in members.keys.sorted() where !declared.contains(key) {
                throw Failure(path: key, reason: "unknown field")
            }
        }
        for field in fields {
            guard let value = members[field.name] else {
                if case .optional = field.type { continue }
                throw Failure(path: field.name, reason: "missing required field")
            }
            do { try validate(value, against: field.type) } catch { throw Self.under(field.name, error) }
        }
    }

    private func mismatch(_ expected: String, _ value: JSONValue) -> Failure {
        Failure(path: "", reason: "expected \(expected), got \(value.kindName)")
    }
}
