import Foundation

/// A mail message as Python's `email` package (policy `default`, RFC 5322 and RFC 2047 aware)
/// reads it: an independent check of what kinerjad renders.
public struct ParsedMail: Sendable, Decodable {
    /// Every header in order: name and decoded value (encoded-words decoded, folding removed).
    public let headers: [[String]]
    /// Display name and address of each mailbox in From, To and Cc.
    public let addresses: [String: [[String]]]
    /// The body decoded (transfer encoding and charset), line breaks as LF (a message received over
    /// SMTP has CRLF).
    public let body: String
    public let contentType: String
    public let charset: String?
    /// Defects Python found in the message or in any header.
    public let defects: [String]
    /// Each header's raw value unfolded and decoded by the legacy `email.header.decode_header`,
    /// which follows RFC 2047 §6.2 where the modern parser does not: it drops the whitespace between
    /// adjacent encoded-words in a display name too (Python 3.11's address parser keeps it).
    public let decoded: [String: String]

    enum CodingKeys: String, CodingKey {
        case headers, addresses, body, defects, decoded
        case contentType = "content_type", charset
    }

    /// The decoded value of the first header called `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0[0].lowercased() == name.lowercased() }?[1]
    }

    static let script = #"""
        import json, re, sys
        from email import message_from_bytes, policy
        from email.header import decode_header, make_header
        msg = message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
        defects = [repr(d) for d in msg.defects]
        headers = []
        for name, value in msg.items():
            headers.append([name, str(value)])
            defects += ["%s: %r" % (name, d) for d in getattr(value, "defects", [])]
        addresses = {}
        for name in ("From", "To", "Cc"):
            if msg[name] is not None:
                addresses[name] = [[a.display_name, a.addr_spec] for a in msg[name].addresses]
        decoded = {}
        for name, raw in msg.raw_items():
            decoded.setdefault(name, str(make_header(decode_header(re.sub(r"\r?\n(?=[ \t])", "", raw)))))
        print(json.dumps({"headers": headers, "addresses": addresses, "body": msg.get_content().replace("\r\n", "\n"), "decoded": decoded,
                          "content_type": msg.get_content_type(), "charset": msg.get_content_charset(),
                          "defects": defects}))
        """#

    /// Parses `data` with python3.
    public static func parse(_ data: [UInt8]) async throws -> ParsedMail {
        let result = try await Subprocess.run("python3", arguments: ["-c", script], environment: Subprocess.environment(),
                                              input: data, timeout: .seconds(30))
        guard result.status == .exited(0) else {
            throw TestSupportError("python3 could not parse the message: \(result.standardErrorText)")
        }
        return try JSONDecoder().decode(ParsedMail.self, from: Data(result.standardOutput))
    }
}
