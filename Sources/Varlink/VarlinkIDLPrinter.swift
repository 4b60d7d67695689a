/// Prints a ``VarlinkInterface`` as interface definition text.
///
/// A declaration stays on one line when it fits in ``width`` columns; otherwise its structs are
/// broken into one field per line, two spaces deeper, recursively. Comment lines are printed before
/// what they document, so a struct with documented fields is always broken. Members keep their
/// declaration order, separated by one blank line.
public struct VarlinkIDLPrinter: Sendable {
    /// Preferred maximum line length.
    public var width: Int

    public init(width: Int = 80) {
        self.width = width
    }

    public func print(_ interface: VarlinkInterface) -> String {
        var out = ""
        appendComments(interface.doc, indent: 0, to: &out)
        out += "interface \(interface.name)\n"
        for member in interface.members {
            out += "\n"
            appendComments(member.doc, indent: 0, to: &out)
            switch member {
            case .type(let definition):
                out += declaration("type \(definition.name) ", definition.type)
            case .error(let definition):
                out += declaration("error \(definition.name) ", .structure(definition.parameters))
            case .method(let method):
                out += methodDeclaration(method)
            }
            out += "\n"
        }
        if !interface.trailingComments.isEmpty {
            out += "\n"
            appendComments(interface.trailingComments, indent: 0, to: &out)
        }
        return out
    }

    /// The type on one line, or `nil` when it holds comments and cannot be.
    public func oneLine(_ type: VarlinkType) -> String? {
        switch type {
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "string"
        case .object: return "object"
        case .named(let name): return name
        case .array(let element): return oneLine(element).map { "[]" + $0 }
        case .dictionary(let element): return oneLine(element).map { "[string]" + $0 }
        case .optional(let wrapped): return oneLine(wrapped).map { "?" + $0 }
        case .enumeration(let values):
            if values.contains(where: { !$0.doc.isEmpty }) { return nil }
            return "(" + values.map(\.name).joined(separator: ", ") + ")"
        case .structure(let fields):
            var parts: [String] = []
            for field in fields {
                guard field.doc.isEmpty, let type = oneLine(field.type) else { return nil }
                parts.append("\(field.name): \(type)")
            }
            return "(" + parts.joined(separator: ", ") + ")"
        }
    }

    /// The type with its structs and enums broken over lines; `indent` is the column of the line
    /// where the type starts (its closing parenthesis aligns there).
    func multiLine(_ type: VarlinkType, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent + 2)
        switch type {
        case .array(let element): return "[]" + multiLine(element, indent: indent)
        case .dictionary(let element): return "[string]" + multiLine(element, indent: indent)
        case .optional(let wrapped): return "?" + multiLine(wrapped, indent: indent)
        case .enumeration(let values) where !values.isEmpty:
            var out = "(\n"
            for (index, value) in values.enumerated() {
                appendComments(value.doc, indent: indent + 2, to: &out)
                out += pad + value.name + (index < values.count - 1 ? ",\n" : "\n")
            }
            return out + String(repeating: " ", count: indent) + ")"
        case .structure(let fields) where !fields.isEmpty:
            var out = "(\n"
            for (index, field) in fields.enumerated() {
                appendComments(field.doc, indent: indent + 2, to: &out)
                let head = pad + field.name + ": "
                if let line = oneLine(field.type), head.count + line.count <= width {
                    out += head + line
                } else {
                    out += head + multiLine(field.type, indent: indent + 2)
                }
                out += index < fields.count - 1 ? ",\n" : "\n"
            }
            return out + String(repeating: " ", count: indent) + ")"
        default:
            return oneLine(type) ?? "()"
        }
    }

    private func declaration(_ head: String, _ type: VarlinkType) -> String {
        if let line = oneLine(type), head.count + line.count <= width {
            return head + line
        }
        return head + multiLine(type, indent: 0)
    }

    private func methodDeclaration(_ method: VarlinkMethod) -> String {
        let head = "method \(method.name)"
        let input = VarlinkType.structure(method.input)
        let output = VarlinkType.structure(method.output)
        let inputLine = oneLine(input)
        let outputLine = oneLine(output)
        if let inputLine, let outputLine, head.count + inputLine.count + 4 + outputLine.count <= width {
            return "\(head)\(inputLine) -> \(outputLine)"
        }
        if let inputLine, head.count + inputLine.count + 5 <= width {
            return "\(head)\(inputLine) -> \(multiLine(output, indent: 0))"
        }
        let brokenInput = multiLine(input, indent: 0)
        if let outputLine, 5 + outputLine.count <= width {
            return "\(head)\(brokenInput) -> \(outputLine)"
        }
        return "\(head)\(brokenInput) -> \(multiLine(output, indent: 0))"
    }

    private func appendComments(_ lines: [String], indent: Int, to out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for line in lines {
            out += pad + "#" + line + "\n"
        }
    }
}

extension VarlinkInterface {
    /// The interface as definition text, formatted by ``VarlinkIDLPrinter``.
    public var formatted: String { VarlinkIDLPrinter().print(self) }
}
