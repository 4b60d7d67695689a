import KinerjaDomain

/// Header fields as RFC 5322 and RFC 2047 want them: ASCII only, non-ASCII text as encoded-words,
/// lines folded at whitespace to at most 78 characters.
///
/// Encoded-words use UTF-8 and the Q encoding restricted to the characters RFC 2047 §5(3) allows in
/// a phrase (letters, digits, `! * + - /`), so the same words serve Subject and display names. Only
/// the words that need it are encoded (`Pengingat: penilaian rekan =?UTF-8?Q?=E2=80=94?= Dinas…`):
/// the header stays readable in a raw message. Each encoded-word holds whole characters and is at
/// most `encodedWordLimit` characters long, so every word fits on a folded line.
enum HeaderEncoding {
    /// The most characters of one line (RFC 5322 §2.1.1 "SHOULD").
    static let lineLimit = 78
    /// The longest encoded-word written (RFC 2047 allows 75).
    static let encodedWordLimit = 60
    /// A plain word longer than this cannot fit on a folded line, so it is encoded (and split).
    static let plainWordLimit = lineLimit - 2

    /// An unstructured field (Subject). Line breaks and tabs in `value` become spaces and runs of
    /// whitespace collapse to one space (what a reader sees after unfolding anyway).
    static func unstructured(_ name: String, _ value: String) -> String {
        fold(name, tokens: unstructuredTokens(value))
    }

    /// An address list field (From, To, Cc): `Name <local@domain>`, comma-separated.
    static func addressList(_ name: String, _ addresses: [MailAddress]) -> String {
        var tokens: [String] = []
        for (i, address) in addresses.enumerated() {
            var mailbox = mailboxTokens(address)
            if i < addresses.count - 1 { mailbox[mailbox.count - 1] += "," }
            tokens += mailbox
        }
        return fold(name, tokens: tokens)
    }

    /// The tokens of one mailbox: the display name and the angle address; only the address when
    /// there is no name. A printable ASCII name is written as atoms, or as one quoted-string when it
    /// has specials (`Drs. Asep, M.Si.`). Otherwise atoms stay atoms and each run of other words is
    /// one encoded-word (split only when longer than RFC 2047's 75 characters): decoders differ on
    /// the whitespace between adjacent encoded-words in a phrase (Python's address parser keeps it,
    /// RFC 2047 §6.2 drops it), so the fewer boundaries, the fewer surprises.
    static func mailboxTokens(_ address: MailAddress) -> [String] {
        let name = words(of: address.name)
        guard !name.isEmpty else { return [address.email] }
        let joined = name.joined(separator: " ")
        var nameTokens: [String] = []
        if !joined.contains("=?"), joined.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }) {
            if joined.utf8.allSatisfy({ MailAddressSyntax.isAtext($0) || $0 == UInt8(ascii: " ") }) {
                nameTokens = name
            } else {
                // A quoted-string; folding whitespace inside it is allowed (RFC 5322 §3.2.4).
                let escaped = joined.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                nameTokens = ("\"" + escaped + "\"").split(separator: " ").map(String.init)
            }
        } else {
            var run: [String] = []
            func flush() {
                if !run.isEmpty { nameTokens += encodedWords(run.joined(separator: " "), limit: 75) }
                run = []
            }
            for word in name {
                if word.utf8.count <= plainWordLimit, !word.contains("=?"), word.utf8.allSatisfy(MailAddressSyntax.isAtext) {
                    flush()
                    nameTokens.append(word)
                } else {
                    run.append(word)
                }
            }
            flush()
        }
        return nameTokens + ["<\(address.email)>"]
    }

    /// Plain words as they are; each run of words that needs encoding (non-ASCII or control
    /// characters, something that looks like an encoded-word, a word too long to fold) becomes
    /// encoded-words, the spaces inside the run encoded with it.
    static func unstructuredTokens(_ value: String) -> [String] {
        var tokens: [String] = []
        var run: [String] = []
        func flush() {
            if !run.isEmpty { tokens += encodedWords(run.joined(separator: " ")) }
            run = []
        }
        for word in words(of: value) {
            if needsEncoding(word) {
                run.append(word)
            } else {
                flush()
                tokens.append(word)
            }
        }
        flush()
        return tokens
    }

    static func words(of text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).map(String.init)
    }

    static func needsEncoding(_ word: String) -> Bool {
        word.utf8.count > plainWordLimit || word.contains("=?")
            || word.unicodeScalars.contains { !$0.isASCII || $0.value < 0x20 || $0.value == 0x7F }
    }

    /// `text` as Q-encoded UTF-8 encoded-words, each at most `encodedWordLimit` characters and
    /// holding whole characters (a character too long for one word is split between its scalars).
    /// Unstructured text uses shorter words (`encodedWordLimit`): there every decoder joins them
    /// exactly, and short words fill folded lines better.
    static func encodedWords(_ text: String, limit: Int = encodedWordLimit) -> [String] {
        let prefix = "=?UTF-8?Q?", suffix = "?="
        let capacity = limit - prefix.count - suffix.count
        var words: [String] = []
        var current = ""
        func append(_ piece: String) {
            if current.count + piece.count > capacity, !current.isEmpty {
                words.append(prefix + current + suffix)
                current = ""
            }
            current += piece
        }
        for character in text {
            let encoded = qEncode(String(character))
            if encoded.count <= capacity {
                append(encoded)
            } else {
                for scalar in character.unicodeScalars { append(qEncode(String(scalar))) }
            }
        }
        if !current.isEmpty { words.append(prefix + current + suffix) }
        return words
    }

    /// RFC 2047 Q encoding with the phrase-safe set: letters, digits and `! * + - /` literal, space as
    /// `_`, every other byte as `=XX`.
    static func qEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if MailAddressSyntax.isLetterOrDigit(byte) || Array("!*+-/".utf8).contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else if byte == UInt8(ascii: " ") {
                out += "_"
            } else {
                out += "=" + hex(byte)
            }
        }
        return out
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    /// `Name: token token…`, folded before a token that would pass the line limit. A single token
    /// longer than a line (only a very long address) is left whole: RFC 5322's hard limit is 998.
    static func fold(_ name: String, tokens: [String]) -> String {
        var lines: [String] = []
        var current = name + ":"
        var lineHasToken = false
        for token in tokens {
            let fits = current.count + 1 + token.count <= lineLimit
            let fitsOnNewLine = 1 + token.count <= lineLimit
            if !fits && (lineHasToken || fitsOnNewLine) {
                lines.append(current)
                current = ""
            }
            current += " " + token
            lineHasToken = true
        }
        lines.append(current)
        return lines.joined(separator: "\n")
    }
}
