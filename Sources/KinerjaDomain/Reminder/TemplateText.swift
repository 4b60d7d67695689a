/// One problem in a message template: where (template, line, column) and why.
///
/// Rule implemented: a template that uses an unknown placeholder is a configuration error (found
/// when the file is loaded, not when a message is written); the
/// config loader prefixes `template` with the key path (`reminders.templates.`).
public struct TemplateProblem: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Which template and part, e.g. `reminder.body` (empty when checking a bare text).
    public var template: String
    /// 1-based line and column of the offending `{` or `}`.
    public var line: Int
    public var column: Int
    /// The placeholder name, when the problem is an unknown placeholder.
    public var placeholder: String?
    public var reason: String

    public var description: String {
        (template.isEmpty ? "" : template + ", ") + "line \(line), column \(column): " + reason
    }
}

/// All problems found in one or more templates.
public struct TemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [TemplateProblem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// A text with `{placeholder}` fields, e.g. `Yth. {nama},`.
///
/// Syntax: `{name}` where the name is ASCII letters, digits and `_`, not starting with a digit; `{{`
/// and `}}` write a literal brace. Anything else with a brace is a syntax problem (an unclosed `{`,
/// a lone `}`, a name with spaces). Rendering substitutes values; the values never go through the
/// template syntax again, so a `{` in a person's name is printed as is.
public struct TemplateText: Sendable, Hashable {
    /// A placeholder use with its position in the source.
    public struct Placeholder: Sendable, Hashable {
        public var name: String
        public var line: Int
        public var column: Int
    }

    enum Segment: Sendable, Hashable {
        case literal(String)
        case placeholder(String)
    }

    /// The text as written.
    public let source: String
    let segments: [Segment]
    /// Every placeholder use, in order of appearance.
    public let placeholders: [Placeholder]

    /// Parses `source`; throws every syntax problem and every placeholder not in `allowed` (when
    /// `allowed` is given), each with its line and column; `name` labels the problems.
    public init(parsing source: String, allowed: Set<String>? = nil, name: String = "") throws(TemplateError) {
        let (segments, placeholders, problems) = Self.scan(source, allowed: allowed, name: name)
        guard problems.isEmpty else { throw TemplateError(problems: problems) }
        self.source = source
        self.segments = segments
        self.placeholders = placeholders
    }

    /// The problems of `text` as a template whose placeholders must come from `allowed`: syntax
    /// problems and unknown placeholders (each named, with line and column); empty when valid.
    public static func validate(_ text: String, allowed: Set<String>, name: String = "") -> [TemplateProblem] {
        scan(text, allowed: allowed, name: name).problems
    }

    /// The text with each placeholder replaced by its value. A placeholder without a value is left as
    /// written (`{name}`), visible rather than silently empty; validated templates never have one.
    public func render(_ values: [String: String]) -> String {
        var out = ""
        for segment in segments {
            switch segment {
            case .literal(let text): out += text
            case .placeholder(let name): out += values[name] ?? "{\(name)}"
            }
        }
        return out
    }

    static func scan(_ source: String, allowed: Set<String>?, name: String)
        -> (segments: [Segment], placeholders: [Placeholder], problems: [TemplateProblem]) {
        var segments: [Segment] = []
        var placeholders: [Placeholder] = []
        var problems: [TemplateProblem] = []
        var literal = ""
        let chars = Array(source)
        var i = 0
        var line = 1
        var column = 1
        func problem(_ l: Int, _ c: Int, _ reason: String, placeholder: String? = nil) {
            problems.append(TemplateProblem(template: name, line: l, column: c, placeholder: placeholder, reason: reason))
        }
        func advance(_ n: Int) {
            for k in 0..<n where i + k < chars.count {
                if chars[i + k].isNewline { line += 1; column = 1 } else { column += 1 }
            }
            i += n
        }
        while i < chars.count {
            let c = chars[i]
            if c == "{", i + 1 < chars.count, chars[i + 1] == "{" {
                literal.append("{")
                advance(2)
            } else if c == "}", i + 1 < chars.count, chars[i + 1] == "}" {
                literal.append("}")
                advance(2)
            } else if c == "}" {
                problem(line, column, "a lone '}'; write '}}' for a literal brace")
                advance(1)
            } else if c == "{" {
                let (startLine, startColumn) = (line, column)
                var j = i + 1
                while j < chars.count, chars[j] != "}", chars[j] != "{", !chars[j].isNewline { j += 1 }
                guard j < chars.count, chars[j] == "}" else {
                    problem(startLine, startColumn, "'{' is not closed by '}' on the same line; write '{{' for a literal brace")
                    advance(1)
                    continue
                }
                let placeholder = String(chars[(i + 1)..<j])
                if !Self.isName(placeholder) {
                    problem(startLine, startColumn,
                            "'{\(placeholder)}' is not a placeholder; names are letters, digits and '_' (e.g. {nama})")
                } else if let allowed, !allowed.contains(placeholder) {
                    problem(startLine, startColumn,
                            "unknown placeholder {\(placeholder)}; allowed: " + allowed.sorted().map { "{\($0)}" }.joined(separator: ", "),
                            placeholder: placeholder)
                } else {
                    if !literal.isEmpty { segments.append(.literal(literal)); literal = "" }
                    segments.append(.placeholder(placeholder))
                    placeholders.append(Placeholder(name: placeholder, line: startLine, column: startColumn))
                }
                advance(j - i + 1)
            } else {
                literal.append(c)
                advance(1)
            }
        }
        if !literal.isEmpty { segments.append(.literal(literal)) }
        return (segments, placeholders, problems)
    }

    static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !(48...57).contains(first.value) else { return false }
        return text.unicodeScalars.allSatisfy { s in
            (65...90).contains(s.value) || (97...122).contains(s.value) || (48...57).contains(s.value) || s == "_"
        }
    }
}
