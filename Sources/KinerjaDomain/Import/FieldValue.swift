import Foundation

/// Small parsers for field values shared by the importers (column rules: `aktif` spellings,
/// e-mail syntax, whole numbers, decimals with a comma as Indonesian spreadsheets write them).
public enum FieldValue {
    /// `true/false/1/0/ya/tidak/y/n` (and `yes/no`), case-insensitive, trimmed; `nil` otherwise.
    public static func bool(_ text: String) -> Bool? {
        switch text.trimmed.lowercased() {
        case "true", "1", "ya", "y", "yes": return true
        case "false", "0", "tidak", "n", "no": return false
        default: return nil
        }
    }

    /// The accepted spellings of `bool`, for messages.
    public static let boolSpellings = "true/false, 1/0, ya/tidak, y/n"

    /// A pragmatic address check: one `@`; a local part of 1–64 characters from the RFC 5322 atom set
    /// with single inner dots; a domain of at least two dot-separated labels of letters, digits and
    /// inner hyphens, ending in a label of at least two letters; at most 254 characters in all.
    public static func isValidEmail(_ text: String) -> Bool {
        let s = Array(text.utf8)
        guard s.count <= 254, let at = s.firstIndex(of: UInt8(ascii: "@")),
              s.lastIndex(of: UInt8(ascii: "@")) == at else { return false }
        let local = s[..<at], domain = s[(at + 1)...]
        guard (1...64).contains(local.count), local.first != UInt8(ascii: "."),
              local.last != UInt8(ascii: ".") else { return false }
        var previous: UInt8 = 0
        for c in local {
            guard isAlnum(c) || localExtra.contains(c) else { return false }
            if c == UInt8(ascii: "."), previous == UInt8(ascii: ".") { return false }
            previous = c
        }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard (1...63).contains(label.count), label.first != UInt8(ascii: "-"),
                  label.last != UInt8(ascii: "-"),
                  label.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") }) else { return false }
        }
        let tld = labels[labels.count - 1]
        return tld.count >= 2 && tld.allSatisfy { isAlpha($0) }
    }

    /// An integer written with digits only (optional surrounding whitespace).
    public static func integer(_ text: String) -> Int? {
        let t = text.trimmed
        guard !t.isEmpty, t.count <= 18, t.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(t)
    }

    /// A non-negative decimal with `.` or `,` as the decimal mark (Indonesian spreadsheets write
    /// `2,5`); no thousands separators.
    public static func decimal(_ text: String) -> Double? {
        let t = text.trimmed.replacingOccurrences(of: ",", with: ".")
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard !t.isEmpty, parts.count <= 2, !parts[0].isEmpty,
              parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
              parts.count == 1 || !parts[1].isEmpty else { return nil }
        return Double(t)
    }

    /// The non-alphanumeric characters allowed in the local part (RFC 5322 atext, plus the dot).
    private static let localExtra = Set("!#$%&'*+/=?^_`{|}~-.".utf8)

    private static func isAlpha(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        isAlpha(c) || (c >= 48 && c <= 57)
    }
}

extension String {
    /// Without leading and trailing whitespace and newlines; returns `self` untouched in the common
    /// case where there is none, decided from the first and last byte (no Foundation call, no
    /// grapheme breaking: a review file has a dozen fields a row).
    var trimmed: String { trimming { $0.properties.isWhitespace } }

    /// Like ``trimmed`` but a TAB at either end stays.
    var trimmedKeepingTabs: String { trimming { $0 != "\t" && $0.properties.isWhitespace } }

    private func trimming(_ trimmable: (Unicode.Scalar) -> Bool) -> String {
        guard let first = utf8.first, let last = utf8.last else { return self }
        // An ASCII byte that is not a space, tab or line break at both ends: nothing to trim (every
        // other whitespace is outside ASCII, so its bytes are >= 0x80).
        func plain(_ b: UInt8) -> Bool { b < 0x80 && b != 0x20 && !(0x09...0x0D).contains(b) }
        if plain(first) && plain(last) { return self }
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !trimmable($0) }),
              let end = scalars.lastIndex(where: { !trimmable($0) }) else { return "" }
        return String(scalars[start...end])
    }
}
