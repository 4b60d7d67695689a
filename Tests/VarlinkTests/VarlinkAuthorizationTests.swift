import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// Access control with a real peer that is not root: the reference Python client run as `nobody`.
@Suite(.serialized) struct VarlinkAuthorizationTests {
    /// Plain sockets and json only: the unprivileged user cannot reach root's Python packages.
    static let script = """
        import json, socket, sys
        s = socket.socket(socket.AF_UNIX)
        s.connect(sys.argv[1])
        buffer = b''
        def call(method, parameters):
            global buffer
            s.sendall(json.dumps({'method': method, 'parameters': parameters}).encode() + b'\\0')
            while b'\\0' not in buffer:
                chunk = s.recv(4096)
                if not chunk:
                    raise SystemExit('connection closed')
                buffer += chunk
            message, _, buffer = buffer.partition(b'\\0')
            return json.loads(message)
        print('echo', call('org.example.echo.Echo', {'text': 'hi'})['parameters']['text'])
        reply = call('org.example.echo.Reset', {})
        print('reset', reply.get('error', 'allowed'))
        """

    func runAsNobody(path: String, groups: [String] = ["--clear-groups"]) async throws -> (status: Int32, output: String) {
        try await runVarlinkTestProcess(
            "/usr/bin/setpriv",
            ["--reuid=65534", "--regid=65534"] + groups + ["--", "/usr/bin/env", "python3", "-c", Self.script, path])
    }

    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root and setpriv: it runs a client as another user"))
    func nonAdminPeerMayOnlyCallReadOnlyMethods() async throws {
        try await withTestServer(policy: AdminGroupPolicy(groupName: "no-such-admin-group"), mode: 0o666) { _, path in
            chmod((path as NSString).deletingLastPathComponent, 0o755)
            let result = try await runAsNobody(path: path)
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("echo hi"), "\(result.output)")
            #expect(result.output.contains("reset org.varlink.service.PermissionDenied"), "\(result.output)")
            // Root (this process) may call everything.
            let client = try await VarlinkClient.connect(unixPath: path)
            #expect(try await client.call("org.example.echo.Reset") == [:])
            await client.close()
        }
    }

    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root and setpriv: it runs a client as another user"))
    func adminGroupMemberMayCallEverything() async throws {
        try await withTestServer(policy: AdminGroupPolicy(groupName: "nogroup"), mode: 0o666) { _, path in
            chmod((path as NSString).deletingLastPathComponent, 0o755)
            let result = try await runAsNobody(path: path)
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("reset allowed"), "\(result.output)")
        }
    }

    /// The group database does not list nobody in "adm"; the process holds it as a supplementary
    /// group, which the kernel reports with SO_PEERGROUPS.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
                   && UnixUserDatabase.groupID(named: "adm") != nil))
    func supplementaryGroupOfThePeerProcessCounts() async throws {
        try await withTestServer(policy: AdminGroupPolicy(groupName: "adm"), mode: 0o666) { _, path in
            chmod((path as NSString).deletingLastPathComponent, 0o755)
            let plain = try await runAsNobody(path: path)
            #expect(plain.output.contains("reset org.varlink.service.PermissionDenied"), "\(plain.output)")
            let withGroup = try await runAsNobody(path: path, groups: ["--groups=adm"])
            #expect(withGroup.status == 0, "\(withGroup.output)")
            #expect(withGroup.output.contains("reset allowed"), "\(withGroup.output)")
        }
    }
}
