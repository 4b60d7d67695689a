/// RFC 2045 §6.7 quoted-printable for a UTF-8 text body.
///
/// Why quoted-printable and not 8bit: the result is 7-bit ASCII with lines of at most 76 characters,
/// so it passes any relay on the way (an 8bit body needs 8BITMIME on every hop, and a hop without
/// it must convert or bounce), whatever the template holds (a long paragraph, a stray control
/// character). Indonesian text is mostly ASCII, so the body stays readable in the raw message:
/// only the few non-ASCII characters (—, é, names) become `=XX`.
///
/// Line breaks of the text (LF, CRLF or CR) are hard line breaks, written as LF (the local
/// convention sendmail expects on stdin). Additionally a line starting with `.` or `From ` has that
/// character encoded, so neither SMTP dot handling nor an mbox "From " line can alter it.
enum QuotedPrintable {
    static let lineLimit = 76

    static func encode(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        return normalized.split(separator: "\n", omittingEmptySubsequences: false)
            .map { encodeLine(Array($0.utf8)) }
            .joined(separator: "\n")
    }

    /// One hard line: literal printable ASCII (except `=`), spaces and tabs literal unless last,
    /// everything else `=XX`; soft line breaks (`=` at the end) keep lines within 76 characters and
    /// never split an `=XX`.
    static func encodeLine(_ bytes: [UInt8]) -> String {
        var lines: [String] = []
        var current = ""
        let startsWithFrom = bytes.starts(with: Array("From ".utf8))
        for (i, byte) in bytes.enumerated() {
            let isLast = i == bytes.count - 1
            let piece: String
            if i == 0 && (byte == UInt8(ascii: ".") || startsWithFrom) {
                piece = "=" + HeaderEncoding.hex(byte)
            } else if (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) && !isLast {
                piece = String(Unicode.Scalar(byte))
            } else if byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=") {
                piece = String(Unicode.Scalar(byte))
            } else {
                piece = "=" + HeaderEncoding.hex(byte)
            }
            // Room for the piece and, unless this is the line's end, a soft break "=" after it.
            let room = isLast ? lineLimit : lineLimit - 1
            if current.count + piece.count > room {
                lines.append(current + "=")
                current = ""
            }
            current += piece
        }
        lines.append(current)
        return lines.joined(separator: "\n")
    }
}
