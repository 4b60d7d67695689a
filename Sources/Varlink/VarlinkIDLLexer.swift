/// A token of the interface definition language, with its position and the comment lines before it.
struct VarlinkIDLToken: Sendable {
    enum Kind: Sendable, Equatable {
        case word(String)
        case punctuation(String)
        case end
    }

    var kind: Kind
    var line: Int
    var column: Int
    /// Comment lines (text after `#`) between the previous token and this one.
    var comments: [String]

    var text: String {
        switch kind {
        case .word(let word): return word
        case .punctuation(let mark): return mark
        case .end: return "end of input"
        }
    }

    /// How the token reads in an error message.
    var quoted: String {
        if case .end = kind { return "end of input" }
        return "'\(text)'"
    }
}

/// Splits interface definition text into tokens.
struct VarlinkIDLLexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var column = 1

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    static func tokenize(_ text: String) throws(VarlinkIDLError) -> [VarlinkIDLToken] {
        var lexer = VarlinkIDLLexer(text)
        var tokens: [VarlinkIDLToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if case .end = token.kind { return tokens }
        }
    }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private func peek(_ offset: Int) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func advance() {
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", ".": return true
        default: return false
        }
    }

    mutating func next() throws(VarlinkIDLError) -> VarlinkIDLToken {
        var comments: [String] = []
        while let scalar = current {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                advance()
            } else if scalar == "#" {
                advance()
                var text = String.UnicodeScalarView()
                while let inner = current, inner != "\n" {
                    text.append(inner)
                    advance()
                }
                var comment = String(text)
                // A CRLF line end leaves a CR; a run of CRs is dropped whole, so printing the comment and
                // reading it again gives the same text (found by the idl fuzz target).
                while comment.hasSuffix("\r") { comment.removeLast() }
                comments.append(comment)
            } else {
                break
            }
        }
        let startLine = line
        let startColumn = column
        guard let scalar = current else {
            return VarlinkIDLToken(kind: .end, line: startLine, column: startColumn, comments: comments)
        }
        switch scalar {
        case "(", ")", ",", ":", "?", "[", "]":
            advance()
            return VarlinkIDLToken(
                kind: .punctuation(String(scalar)), line: startLine, column: startColumn, comments: comments)
        case "-" where peek(1) == ">":
            advance()
            advance()
            return VarlinkIDLToken(kind: .punctuation("->"), line: startLine, column: startColumn, comments: comments)
        default:
            guard Self.isWordScalar(scalar) else {
                throw VarlinkIDLError(
                    line: startLine, column: startColumn, message: "unexpected character '\(scalar)'")
            }
            var word = String.UnicodeScalarView()
            while let inner = current {
                if Self.isWordScalar(inner) || (inner == "-" && peek(1) != ">") {
                    word.append(inner)
                    advance()
                } else {
                    break
                }
            }
            return VarlinkIDLToken(
                kind: .word(String(word)), line: startLine, column: startColumn, comments: comments)
        }
    }
}
