/// The addresses kinerjad writes into headers: an RFC 5322 `addr-spec` in its common dot-atom form
/// (`local@domain`), ASCII only. Quoted local parts, address literals and internationalised
/// addresses (SMTPUTF8) are refused: they need an MTA path that not every city relay offers.
public enum MailAddressSyntax {
    /// Whether `address` is `dot-atom@domain` with a domain of letter-digit-hyphen labels.
    public static func isValid(_ address: String) -> Bool {
        problem(address) == nil
    }

    /// Why `address` is refused, or `nil` when it is valid.
    public static func problem(_ address: String) -> String? {
        let bytes = Array(address.utf8)
        guard !bytes.isEmpty else { return "the address is empty" }
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return "only printable ASCII without spaces is accepted"
        }
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")), bytes.firstIndex(of: UInt8(ascii: "@")) == at else {
            return "expected exactly one '@'"
        }
        let local = bytes[..<at], domain = bytes[(at + 1)...]
        guard (1...64).contains(local.count) else { return "the part before '@' must have 1 to 64 characters" }
        guard isDotAtom(local) else { return "the part before '@' has a character that needs quoting, or a misplaced '.'" }
        guard (1...253).contains(domain.count) else { return "the domain must have 1 to 253 characters" }
        for label in domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard (1...63).contains(label.count) else { return "the domain has an empty or too long label" }
            guard label.allSatisfy({ isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }),
                  label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else {
                return "the domain may contain only letters, digits, '-' and '.'"
            }
        }
        return nil
    }

    static func isDotAtom(_ text: ArraySlice<UInt8>) -> Bool {
        let atoms = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return atoms.allSatisfy { atom in !atom.isEmpty && atom.allSatisfy(isAtext) }
    }

    /// RFC 5322 `atext`: letters, digits and ! # $ % & ' * + - / = ? ^ _ ` { | } ~
    static func isAtext(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(byte)
    }

    static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
