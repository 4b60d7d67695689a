/// A JSON value as it travels in Varlink messages.
///
/// Integers that fit in 64 bits keep their exact value (`.int`); every other number is a `.double`.
/// Objects are unordered; the serializer can sort keys for stable output.
///
/// ```swift
/// let value: JSONValue = ["name": "Budi", "grade": 3, "tags": ["a", "b"], "manager": nil]
/// value["name"]?.stringValue      // "Budi"
/// value["grade"]?.intValue        // 3
/// try JSONValue(parsing: #"{"a":[1,2.5]}"#)
/// value.serialized(.init(sortedKeys: true))
/// ```
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

// MARK: - Accessors

extension JSONValue {
    /// The member named `key` when this is an object; `nil` otherwise or when absent.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The element at `index` when this is an array and the index is in range; `nil` otherwise.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// `true` for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The boolean, when this is `.bool`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The integer, when this is `.int`, or a `.double` with an integral value that fits in `Int64`.
    public var intValue: Int64? {
        switch self {
        case .int(let value):
            return value
        case .double(let value):
            guard value.rounded(.towardZero) == value, let exact = Int64(exactly: value) else { return nil }
            return exact
        default:
            return nil
        }
    }

    /// The number as a `Double`, when this is `.double` or `.int`.
    public var doubleValue: Double? {
        switch self {
        case .double(let value): return value
        case .int(let value): return Double(value)
        default: return nil
        }
    }

    /// The string, when this is `.string`.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The elements, when this is `.array`.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members, when this is `.object`.
    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// A short name of the JSON kind, for error messages: "null", "bool", "integer", "number", "string",
    /// "array" or "object".
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .int(value) }
}

extension JSONValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// Later duplicates of a key replace earlier ones.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

// MARK: - Conversions

extension JSONValue {
    /// Wraps an optional: `nil` becomes `.null`.
    public init(_ value: JSONValue?) { self = value ?? .null }

    /// `.string(value)`.
    public init(_ value: String) { self = .string(value) }

    /// `.int(Int64(value))`.
    public init<T: BinaryInteger>(_ value: T) { self = .int(Int64(value)) }

    /// `.double(value)`.
    public init(_ value: Double) { self = .double(value) }

    /// `.bool(value)`.
    public init(_ value: Bool) { self = .bool(value) }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text with sorted keys.
    public var description: String {
        serializedString(.init(sortedKeys: true))
    }
}
