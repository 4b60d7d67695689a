/// Parses the Varlink interface definition language (varlink.org, "Interface Definition").
///
/// ```swift
/// let interface = try VarlinkInterface(parsing: text)
/// ```
/// Besides the grammar it checks that member names are unique, that struct fields and enum values
/// are unique, and that every named type is declared. Errors carry line and column.
struct VarlinkIDLParser {
    private var tokens: [VarlinkIDLToken]
    private var position = 0
    private var references: [(name: String, line: Int, column: Int)] = []

    init(tokens: [VarlinkIDLToken]) {
        self.tokens = tokens
    }

    private var current: VarlinkIDLToken { tokens[position] }

    private mutating func take() -> VarlinkIDLToken {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private func error(_ message: String, at token: VarlinkIDLToken? = nil) -> VarlinkIDLError {
        let token = token ?? current
        return VarlinkIDLError(line: token.line, column: token.column, message: message)
    }

    private func isPunctuation(_ mark: String) -> Bool {
        current.kind == .punctuation(mark)
    }

    private func isWord(_ word: String) -> Bool {
        current.kind == .word(word)
    }

    private mutating func expectPunctuation(_ mark: String, _ context: String) throws(VarlinkIDLError) {
        guard isPunctuation(mark) else {
            throw error("expected '\(mark)' \(context), found \(current.quoted)")
        }
        _ = take()
    }

    private mutating func expectWord(_ what: String) throws(VarlinkIDLError) -> VarlinkIDLToken {
        guard case .word = current.kind else {
            throw error("expected \(what), found \(current.quoted)")
        }
        return take()
    }

    mutating func parseInterface() throws(VarlinkIDLError) -> VarlinkInterface {
        guard isWord("interface") else {
            throw error("expected 'interface' as the first keyword, found \(current.quoted)")
        }
        let keyword = take()
        let nameToken = try expectWord("an interface name")
        guard VarlinkNames.isInterfaceName(nameToken.text) else {
            throw error("'\(nameToken.text)' is not a valid interface name (reverse-domain, e.g. org.example.ftl)",
                at: nameToken)
        }
        var members: [VarlinkMember] = []
        var seen: [String: VarlinkIDLToken] = [:]
        while true {
            if case .end = current.kind { break }
            let start = current
            let member = try parseMember()
            if let earlier = seen[member.name] {
                throw error("'\(member.name)' is already declared at line \(earlier.line)", at: start)
            }
            seen[member.name] = start
            members.append(member)
        }
        let interface = VarlinkInterface(
            name: nameToken.text, doc: keyword.comments, members: members, trailingComments: current.comments)
        for reference in references where interface.type(named: reference.name) == nil {
            throw VarlinkIDLError(
                line: reference.line, column: reference.column, message: "unknown type '\(reference.name)'")
        }
        return interface
    }

    private mutating func parseMember() throws(VarlinkIDLError) -> VarlinkMember {
        let keyword = current
        switch keyword.kind {
        case .word("type"):
            _ = take()
            let name = try parseMemberName("type")
            guard isPunctuation("(") else {
                throw error("expected '(' to begin the definition of type '\(name)', found \(current.quoted)")
            }
            let type = try parseStructOrEnum()
            return .type(VarlinkTypeDefinition(name: name, type: type, doc: keyword.comments))
        case .word("method"):
            _ = take()
            let name = try parseMemberName("method")
            let input = try parseStruct("as the input of method '\(name)'")
            try expectPunctuation("->", "after the input of method '\(name)'")
            let output = try parseStruct("as the output of method '\(name)'")
            return .method(VarlinkMethod(name: name, input: input, output: output, doc: keyword.comments))
        case .word("error"):
            _ = take()
            let name = try parseMemberName("error")
            let parameters = try parseStruct("as the parameters of error '\(name)'")
            return .error(VarlinkErrorDefinition(name: name, parameters: parameters, doc: keyword.comments))
        default:
            throw error("expected 'type', 'method' or 'error', found \(keyword.quoted)")
        }
    }

    private mutating func parseMemberName(_ kind: String) throws(VarlinkIDLError) -> String {
        let token = try expectWord("a \(kind) name")
        guard VarlinkNames.isMemberName(token.text) else {
            throw error("'\(token.text)' is not a valid \(kind) name (an uppercase letter, then letters and digits)",
                at: token)
        }
        return token.text
    }

    /// A struct where the grammar allows only a struct (method input/output, error parameters).
    private mutating func parseStruct(_ context: String) throws(VarlinkIDLError) -> [VarlinkField] {
        let open = current
        guard isPunctuation("(") else {
            throw error("expected '(' \(context), found \(current.quoted)")
        }
        switch try parseStructOrEnum() {
        case .structure(let fields): return fields
        default: throw error("expected a struct \(context), found an enum", at: open)
        }
    }

    /// `( … )` at the current token: a struct, an enum, or `()` (the empty struct).
    private mutating func parseStructOrEnum() throws(VarlinkIDLError) -> VarlinkType {
        _ = take()  // (
        if isPunctuation(")") {
            _ = take()
            return .structure([])
        }
        var fields: [VarlinkField] = []
        var values: [VarlinkEnumValue] = []
        var isEnum: Bool?
        var names: Set<String> = []
        while true {
            let nameToken = try expectWord("a field name")
            guard VarlinkNames.isFieldName(nameToken.text) else {
                throw error(
                    "'\(nameToken.text)' is not a valid field name (letters and digits, single '_' inside)",
                    at: nameToken)
            }
            guard names.insert(nameToken.text).inserted else {
                throw error("duplicate name '\(nameToken.text)'", at: nameToken)
            }
            let hasType = isPunctuation(":")
            if let isEnum, isEnum == hasType {
                throw error(isEnum
                    ? "enum value '\(nameToken.text)' cannot have a type"
                    : "expected ':' and a type after field '\(nameToken.text)'", at: hasType ? current : nameToken)
            }
            isEnum = !hasType
            if hasType {
                _ = take()
                let type = try parseType()
                fields.append(VarlinkField(name: nameToken.text, type: type, doc: nameToken.comments))
            } else {
                values.append(VarlinkEnumValue(name: nameToken.text, doc: nameToken.comments))
            }
            if isPunctuation(",") {
                _ = take()
                continue
            }
            guard isPunctuation(")") else {
                throw error("expected ',' or ')' after '\(nameToken.text)', found \(current.quoted)")
            }
            _ = take()
            return isEnum == true ? .enumeration(values) : .structure(fields)
        }
    }

    private mutating func parseType() throws(VarlinkIDLError) -> VarlinkType {
        if isPunctuation("?") {
            _ = take()
            if isPunctuation("?") {
                throw error("'?' cannot follow '?'")
            }
            return .optional(try parseNonOptionalType())
        }
        return try parseNonOptionalType()
    }

    private mutating func parseNonOptionalType() throws(VarlinkIDLError) -> VarlinkType {
        let token = current
        switch token.kind {
        case .punctuation("["):
            _ = take()
            if isPunctuation("]") {
                _ = take()
                return .array(try parseType())
            }
            guard isWord("string") else {
                throw error("expected ']' or 'string' after '[', found \(current.quoted)")
            }
            _ = take()
            try expectPunctuation("]", "after '[string'")
            return .dictionary(try parseType())
        case .punctuation("("):
            return try parseStructOrEnum()
        case .word("bool"): _ = take(); return .bool
        case .word("int"): _ = take(); return .int
        case .word("float"): _ = take(); return .float
        case .word("string"): _ = take(); return .string
        case .word("object"): _ = take(); return .object
        case .word(let name) where VarlinkNames.isMemberName(name):
            _ = take()
            references.append((name, token.line, token.column))
            return .named(name)
        default:
            throw error("expected a type, found \(token.quoted)")
        }
    }
}

extension VarlinkInterface {
    /// Parses interface definition text; the error names line and column.
    public init(parsing text: String) throws(VarlinkIDLError) {
        var parser = VarlinkIDLParser(tokens: try VarlinkIDLLexer.tokenize(text))
        self = try parser.parseInterface()
    }
}

/// The lexical rules for names.
enum VarlinkNames {
    /// `[A-Za-z]([-]*[A-Za-z0-9])*(\.[A-Za-z0-9]([-]*[A-Za-z0-9])*)+`
    static func isInterfaceName(_ name: String) -> Bool {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for (index, label) in labels.enumerated() {
            guard let first = label.unicodeScalars.first, let last = label.unicodeScalars.last else { return false }
            if index == 0 ? !isLetter(first) : !isAlphanumeric(first) { return false }
            if !isAlphanumeric(last) { return false }
            for scalar in label.unicodeScalars where !(isAlphanumeric(scalar) || scalar == "-") { return false }
        }
        return true
    }

    /// `[A-Z][A-Za-z0-9]*`
    static func isMemberName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("A"..."Z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy(isAlphanumeric)
    }

    /// `[A-Za-z](_?[A-Za-z0-9])*`
    static func isFieldName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isLetter(first) else { return false }
        var previousUnderscore = false
        for scalar in name.unicodeScalars {
            if scalar == "_" {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if isAlphanumeric(scalar) {
                previousUnderscore = false
            } else {
                return false
            }
        }
        return !previousUnderscore
    }

    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        isLetter(scalar) || ("0"..."9").contains(scalar)
    }
}
