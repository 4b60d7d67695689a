import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// The connection limits per uid and the connections kept for admins: the counting rule alone,
/// then a real unprivileged peer (`setpriv` to uid 65534) holding connections with partial frames.
@Suite struct VarlinkAdmissionTests {
    static var limits: VarlinkServer.Configuration {
        var limits = VarlinkServer.Configuration()
        limits.maxConnections = 6
        limits.maxConnectionsPerUID = 3
        limits.reservedPrivilegedConnections = 2
        return limits
    }

    @Test func oneUIDGetsItsShareAndAdminsKeepTheirRoom() {
        var admission = VarlinkAdmission()
        for _ in 0..<3 { #expect(admission.admit(uid: 1000, privileged: false, limits: Self.limits) == nil) }
        #expect(admission.admit(uid: 1000, privileged: false, limits: Self.limits) == .uidLimit(uid: 1000, limit: 3))
        #expect(admission.admit(uid: 1001, privileged: false, limits: Self.limits) == nil)
        // Four unprivileged connections: the last two are kept for privileged peers.
        #expect(admission.admit(uid: 1002, privileged: false, limits: Self.limits) == .reservedForPrivileged(reserved: 2))
        #expect(admission.admit(uid: 0, privileged: true, limits: Self.limits) == nil)
        #expect(admission.admit(uid: 0, privileged: true, limits: Self.limits) == nil)
        #expect(admission.admit(uid: 0, privileged: true, limits: Self.limits) == .serverFull(limit: 6))
        // A closed connection gives its uid's slot back.
        admission.release(uid: 1000, privileged: false)
        #expect(admission.perUID[1000] == 2)
        #expect(admission.admit(uid: 1000, privileged: false, limits: Self.limits) == nil)
        #expect(admission.admit(uid: 1001, privileged: false, limits: Self.limits) == .serverFull(limit: 6))
        admission.release(uid: 0, privileged: true)
        #expect(admission.admit(uid: 1000, privileged: false, limits: Self.limits) == .uidLimit(uid: 1000, limit: 3))
        #expect(admission.admit(uid: 1001, privileged: false, limits: Self.limits) == .reservedForPrivileged(reserved: 2))
        #expect(admission.total == 5 && admission.unprivileged == 4)
    }

    @Test func impossibleLimitsAreRefused() {
        var limits = Self.limits
        limits.reservedPrivilegedConnections = 6
        #expect(throws: VarlinkServerConfigurationError.self) { try limits.validate() }
        limits.reservedPrivilegedConnections = 0
        limits.maxConnectionsPerUID = 0
        #expect(throws: VarlinkServerConfigurationError.self) { try limits.validate() }
    }
}

@Suite(.serialized) struct VarlinkConnectionFairnessTests {
    /// Opens `argv[2]` connections, each sending the start of a call and never its end (a partial
    /// frame), then reports how many the server kept open, and holds them until killed. It counts
    /// once `argv[3]` of them are closed by the server, or after 20 seconds, so a slow server is not
    /// mistaken for one that keeps too many.
    static let holder = """
        import socket, sys, time
        held = []
        for _ in range(int(sys.argv[2])):
            s = socket.socket(socket.AF_UNIX)
            s.connect(sys.argv[1])
            s.sendall(b'{"method":"org.example.echo.Ech')
            s.setblocking(False)
            held.append(s)
        def alive():
            count = 0
            for s in held:
                try:
                    count += 0 if s.recv(1, socket.MSG_PEEK) == b'' else 1
                except BlockingIOError:
                    count += 1
                except OSError:
                    pass
            return count
        deadline = time.monotonic() + 20
        while len(held) - alive() < int(sys.argv[3]) and time.monotonic() < deadline:
            time.sleep(0.05)
        print('alive', alive(), flush=True)
        time.sleep(120)
        """

    /// One Echo call on a fresh connection; prints the reply's text or the error.
    static let caller = """
        import json, socket, sys
        s = socket.socket(socket.AF_UNIX)
        s.connect(sys.argv[1])
        s.sendall(json.dumps({'method': 'org.example.echo.Echo', 'parameters': {'text': 'served'}}).encode() + b'\\0')
        data = b''
        while not data.endswith(b'\\0'):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        print(json.loads(data[:-1])['parameters']['text'] if data else 'closed')
        """

    static func asUser(_ uid: Int, _ script: String, _ arguments: [String]) -> [String] {
        ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--", "/usr/bin/env", "python3", "-c", script] + arguments
    }

    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func oneUIDHoldingItsCapLeavesRoomForAdminsAndOthers() async throws {
        var configuration = VarlinkServer.Configuration()
        configuration.maxConnections = 8
        configuration.maxConnectionsPerUID = 4
        configuration.reservedPrivilegedConnections = 2
        configuration.idleTimeout = .seconds(60)
        try await withTestServer(policy: AdminGroupPolicy(groupName: "no-such-admin-group"),
                                 configuration: configuration, mode: 0o666) { server, path in
            chmod((path as NSString).deletingLastPathComponent, 0o755)
            // More connections than the whole server takes, from one unprivileged uid.
            let holder = try Subprocess.launch("/usr/bin/setpriv", arguments: Self.asUser(65534, Self.holder, [path, "10", "6"]))
            try await holder.waitForOutput(containing: "alive", in: .standardOutput, timeout: .seconds(30))
            #expect(holder.text(.standardOutput).contains("alive 4"), "\(holder.outputSummary())")
            #expect(server.connectionCount == 4)
            // An admin (root, this process) is served while the cap is held.
            let client = try await VarlinkClient.connect(unixPath: path)
            #expect(try await client.call("org.example.echo.Echo", parameters: ["text": "admin"])["text"] == "admin")
            await client.close()
            // So is another unprivileged user.
            let other = try await runVarlinkTestProcess("/usr/bin/setpriv", Self.asUser(4242, Self.caller, [path]))
            #expect(other.output.contains("served"), "\(other.output)")
            try holder.signal(SIGKILL)
            _ = try await holder.wait(timeout: .seconds(10))
        }
    }
}
