import Foundation

/// A real `kinerja-web` beside a harness daemon, on a free loopback port, and a small HTTP/1.1 client
/// on a raw socket (no redirects followed, every header visible).
public final class WebFrontHarness: Sendable {
    public let process: Subprocess
    public let port: Int

    /// Starts kinerja-web with the daemon's config file and waits until it answers. With
    /// `socketActivated`, `systemd-socket-activate` listens on `port` and passes the socket
    /// (`FileDescriptorName=http`, as kinerja-web.socket does); kinerja-web starts at the first request.
    public static func start(configPath: String, port: Int, socketActivated: Bool = false) async throws -> WebFrontHarness {
        let web = try BuiltProducts.executable(named: "kinerja-web")
        let process = socketActivated
            ? try Subprocess.launch("systemd-socket-activate", arguments: ["-l", "127.0.0.1:\(port)", "--fdname=http", web, "--config", configPath],
                                    environment: Subprocess.environment(), newProcessGroup: true)
            : try Subprocess.launch(web, arguments: ["--config", configPath], environment: Subprocess.environment(), newProcessGroup: true)
        let harness = WebFrontHarness(process: process, port: port)
        try await waitUntil("kinerja-web answers on port \(port)", timeout: .seconds(30), interval: .milliseconds(100)) {
            guard process.isRunning else { throw TestSupportError("kinerja-web exited before answering: \(process.outputSummary())") }
            return (try? HTTPExchange.send(port: port, method: "GET", path: "/static/style.css"))?.status == 200
        }
        return harness
    }

    init(process: Subprocess, port: Int) {
        self.process = process
        self.port = port
    }

    public func request(_ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]) throws -> HTTPExchange.Reply {
        try HTTPExchange.send(port: port, method: method, path: path, body: body, headers: headers)
    }

    @discardableResult
    public func stop() async throws -> ExitStatus {
        if process.isRunning { try process.signal(SIGTERM) }
        return try await process.wait(timeout: .seconds(30))
    }

    /// A free TCP port on 127.0.0.1, for a server the test starts later. It is taken below the
    /// kernel's ephemeral range (`ip_local_port_range`), so that no outgoing connection and no
    /// listener bound to port 0 (an SMTP sink, say) of a test running alongside can take it meanwhile.
    public static func freePort() throws -> Int {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))?
            .split(whereSeparator: \.isWhitespace).compactMap { Int($0) } ?? []
        let ephemeralLow = range.first ?? 32_768
        let low = 10_000, high = max(low + 1_000, ephemeralLow)
        for _ in 0..<200 {
            let port = Int.random(in: low..<high)
            if canBind(port) { return port }
        }
        throw TestSupportError("no free port between \(low) and \(high) on 127.0.0.1")
    }

    static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// One HTTP/1.1 request with `Connection: close`, the reply read to EOF.
public enum HTTPExchange {
    public struct Reply: Sendable {
        public var status: Int
        /// Header names lower-cased; repeated headers joined with ", ".
        public var headers: [String: String]
        public var body: String
    }

    public static func send(port: Int, method: String, path: String, body: String? = nil,
                            headers: [String: String] = [:]) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestSupportError("connect to 127.0.0.1:\(port): errno \(errno)") }
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body {
            text += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n"
        }
        text += "\r\n" + (body ?? "")
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw TestSupportError("write: errno \(errno)") }
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 { throw TestSupportError("read: errno \(errno)") }
            if n == 0 { break }
            received += buffer[0..<n]
        }
        let reply = String(decoding: received, as: UTF8.self)
        guard let split = reply.range(of: "\r\n\r\n") else { throw TestSupportError("no HTTP header in: \(reply.prefix(200))") }
        let head = reply[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusLine = head.first?.split(separator: " ") ?? []
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw TestSupportError("bad status line \(head.first ?? "")") }
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased(), value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            fields[name] = fields[name].map { "\($0), \(value)" } ?? value
        }
        return Reply(status: status, headers: fields, body: String(reply[split.upperBound...]))
    }
}
