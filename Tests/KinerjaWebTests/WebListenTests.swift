import Foundation
import KinerjaDaemon
import KinerjaSystemd
import Testing
@testable import KinerjaWeb

/// Where kinerja-web listens: every socket systemd passed (each must be a listening stream socket),
/// or web.listen when none was passed.
@Suite("WebListen")
struct WebListenTests {
    /// A TCP socket on 127.0.0.1, listening or only created.
    static func tcpSocket(listening: Bool) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        if listening {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, listen(fd, 4) == 0 else { throw POSIXError(.EADDRINUSE) }
        }
        return fd
    }

    @Test("passed listening sockets are served, all of them; web.listen is then not used")
    func passedSockets() throws {
        let first = try Self.tcpSocket(listening: true), second = try Self.tcpSocket(listening: true)
        defer { close(first); close(second) }
        let activation = SocketActivation(descriptors: [.init(fd: first, name: "http"), .init(fd: second, name: "http")])
        #expect(WebMain.listenSource(activation: activation, listen: "127.0.0.1:8480") == .success(.passed([first, second])))
    }

    @Test("a passed fd that is not a listening stream socket stops the start (exit 78) and names the fd")
    func passedNonListening() throws {
        let fd = try Self.tcpSocket(listening: false)
        defer { close(fd) }
        let result = WebMain.listenSource(activation: SocketActivation(descriptors: [.init(fd: fd, name: "http")]), listen: "127.0.0.1:8480")
        guard case .failure(let problem) = result else {
            Issue.record("accepted \(result)")
            return
        }
        #expect(problem.status == ExitStatus.config)
        #expect(problem.message.contains("fd \(fd) (http)") && problem.message.contains("ListenStream="))
    }

    @Test("without socket activation web.listen is bound; a bad one is refused naming the key")
    func withoutActivation() {
        #expect(WebMain.listenSource(activation: .none, listen: "127.0.0.1:8480") == .success(.address(host: "127.0.0.1", port: 8480)))
        #expect(WebMain.listenSource(activation: .none, listen: "[::1]:9000") == .success(.address(host: "::1", port: 9000)))
        guard case .failure(let problem) = WebMain.listenSource(activation: .none, listen: "localhost") else {
            Issue.record("accepted a listen address without a port")
            return
        }
        #expect(problem.message.contains("web.listen") && problem.status == ExitStatus.config)
    }
}
