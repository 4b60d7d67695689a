import Foundation
import KinerjaSchedule

extension DaemonConfig {
    /// `web:` — the reviewers' and the public's web front (`kinerja-web`) and the daemon's side of it,
    /// the `io.kinerjad.Review` socket. Both programs read this section of the same file.
    public struct Web: Sendable, Equatable {
        /// The Review socket the daemon binds when systemd did not pass one (`FileDescriptorName=review`);
        /// when not set, `review.varlink` in the control socket's directory.
        public var socket = "/run/kinerjad/review.varlink"
        /// The one user (besides root) whose processes may connect to the Review socket.
        public var user = "kinerja-web"
        /// Where kinerja-web listens when it is not socket-activated (`make run`), host:port.
        public var listen = "127.0.0.1:8480"
        /// The address reviewers and the public open; links are this plus `/r/TOKEN` or `/s/TOKEN`.
        /// nil (not set): no link can be made; `reviews link` and `survey link` refuse, and `{tautan}`
        /// in a reminder reads `ReviewLinks.unavailableText` (whom to contact) instead of a URL.
        public var publicBaseURL: String?
        /// Who to ask when a link does not work, shown on the error page.
        public var contact = "Bagian Kepegawaian, BKPSDM Kota Bandung"
        /// How long a review link works after it is made; nil: until its cycle closes.
        public var linkLifetime: Duration?
        /// Peers whose `X-Forwarded-For` names the client (the reverse proxy), as IP addresses.
        public var trustedProxies: [String] = []
        /// Requests per client IP per minute before 429.
        public var rateLimitPerMinute = 60
        /// Largest request body accepted, in bytes.
        public var maxBodySize = 16 * 1024
    }

    mutating func readWeb(from root: ConfigReader) {
        let w = root.section("web")
        web.socket = w.path("socket", default: web.socket)
        web.user = w.value("user", default: web.user, expected: "a user name (letters, digits, '-', '_')") { text in
            text.range(of: #"^[a-z_][a-z0-9_-]{0,31}$"#, options: .regularExpression) != nil ? text : nil
        }
        web.listen = w.value("listen", default: web.listen, expected: "host:port, e.g. 127.0.0.1:8480") { text in
            Self.hostPort(text) != nil ? text : nil
        }
        web.publicBaseURL = w.value("public_base_url", default: web.publicBaseURL,
                                    expected: "an http or https URL without a trailing slash, e.g. https://kinerja.bandung.go.id") { text in
            guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
                  !text.hasSuffix("/"), url.query == nil, url.fragment == nil else { return nil }
            return Optional(text)
        }
        web.contact = w.string("contact", default: web.contact, nonEmpty: true)
        if w.has("link_lifetime") {
            web.linkLifetime = w.value("link_lifetime", default: web.linkLifetime,
                                       expected: "a time span such as 30d, or off (until the cycle closes)") { text in
                if text.lowercased() == "off" { return Optional<Duration>.none }
                guard let span = try? TimeSpan.parse(text), !span.isInfinite, span.microseconds > 0 else { return nil }
                return .microseconds(span.microseconds)
            }
        }
        web.trustedProxies = w.list("trusted_proxies", default: web.trustedProxies, expected: "an IPv4 or IPv6 address") { text in
            Self.isIPAddress(text) ? text : nil
        }
        web.rateLimitPerMinute = w.int("rate_limit_per_minute", default: web.rateLimitPerMinute, range: 1...100_000)
        web.maxBodySize = w.byteSize("max_body_size", default: web.maxBodySize, range: 1024...(1 << 20))
    }

    /// `host:port` → its parts (IPv6 in brackets); nil when it is not one.
    public static func hostPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        return (host, port)
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
