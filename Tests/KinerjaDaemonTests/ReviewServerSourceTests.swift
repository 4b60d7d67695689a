import KinerjaSystemd
import Testing
@testable import KinerjaDaemon

/// Where the daemon's Review socket comes from: systemd's `review` fd, its own bind only when it was
/// not socket-activated at all, and nothing when systemd passed other sockets but not this one (under
/// systemd the socket unit owns the path, its directory and its group).
@Suite("ReviewServerSource")
struct ReviewServerSourceTests {
    @Test("the fd named review is adopted")
    func passed() {
        let activation = SocketActivation(descriptors: [.init(fd: 3, name: "varlink"), .init(fd: 4, name: "review")])
        #expect(ReviewServer.source(activation: activation, path: "/run/kinerjad/review.varlink") == .passed(fd: 4))
    }

    @Test("not socket-activated (make run, tests): the daemon binds web.socket itself")
    func bindsWithoutActivation() {
        #expect(ReviewServer.source(activation: .none, path: "/tmp/x/review.varlink") == .bind(path: "/tmp/x/review.varlink"))
    }

    @Test("the admin socket passed without the Review socket: no bind")
    func notPassed() {
        let activation = SocketActivation(descriptors: [.init(fd: 3, name: "varlink")])
        #expect(ReviewServer.source(activation: activation, path: "/run/kinerjad/review.varlink") == .notPassed)
    }
}
