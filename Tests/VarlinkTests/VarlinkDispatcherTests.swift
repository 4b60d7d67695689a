import Logging
import NIOCore
import Synchronization
import Testing
import Varlink

/// A small service used by the dispatcher and server tests.
final class EchoService: VarlinkService, Sendable {
    /// How many Sleep calls have begun; a test that needs a call surely running waits on it.
    let sleepsStarted = Atomic<Int>(0)

    let interfaceDescription = """
        # Test service.
        interface org.example.echo

        # Echoes its input. [access: read]
        method Echo(text: string, count: ?int) -> (text: string)

        # Streams count replies. [access: read]
        method Count(count: int) -> (index: int)

        # Changes state (not read-only).
        method Reset() -> ()

        # Fails.
        method Fail(kind: (varlink, other)) -> ()

        # Sleeps for the given milliseconds. [access: read]
        method Sleep(ms: int) -> ()

        # Returns a large reply of the given size. [access: read]
        method Blob(size: int) -> (blob: string)

        # Declared but not implemented here.
        method Unimplemented() -> ()

        error Failed (why: string)
        """

    func handle(_ call: VarlinkCall, reply: VarlinkReplySink) async throws {
        switch call.method {
        case "Echo":
            try await reply.reply(["text": call.parameters["text"]!])
        case "Count":
            let count = call.parameters["count"]!.intValue!
            for index in 0..<count {
                try await reply.reply(["index": .int(index)], continues: index < count - 1)
            }
        case "Reset":
            return
        case "Fail":
            if call.parameters["kind"] == "varlink" {
                throw VarlinkError(name: "org.example.echo.Failed", parameters: ["why": "asked to"])
            }
            struct Other: Error {}
            throw Other()
        case "Sleep":
            sleepsStarted.add(1, ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(call.parameters["ms"]!.intValue!))
        case "Blob":
            try await reply.reply(["blob": .string(String(repeating: "x", count: Int(call.parameters["size"]!.intValue!)))])
        default:
            throw VarlinkError.methodNotImplemented(call.qualifiedMethod)
        }
    }
}

let testInfo = VarlinkServiceInfo(vendor: "Test", product: "Varlink tests", version: "1", url: "https://example.org")

@Suite struct VarlinkDispatcherTests {
    let dispatcher = try! VarlinkDispatcher(
        info: testInfo, services: [EchoService()], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))

    func run(_ text: String, access: VarlinkAccessLevel = .full) async -> (VarlinkDispatcher.Outcome, [VarlinkReplyMessage]) {
        let replies = Mutex<[VarlinkReplyMessage]>([])
        let outcome = await dispatcher.handle(
            message: ByteBuffer(string: text), peer: nil, accessLevel: access,
            send: { reply in replies.withLock { $0.append(reply) } })
        return (outcome, replies.withLock { $0 })
    }

    func errorName(_ text: String, access: VarlinkAccessLevel = .full) async -> String? {
        await run(text, access: access).1.first?.error
    }

    @Test func serviceInterface() async throws {
        let (_, info) = await run(#"{"method":"org.varlink.service.GetInfo"}"#)
        #expect(info == [VarlinkReplyMessage(parameters: [
            "vendor": "Test", "product": "Varlink tests", "version": "1", "url": "https://example.org",
            "interfaces": ["org.varlink.service", "org.example.echo"],
        ])])
        let (_, description) = await run(
            #"{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"org.example.echo"}}"#)
        #expect(description.first?.parameters["description"]?.stringValue == EchoService().interfaceDescription)
        let (_, missing) = await run(
            #"{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"org.nope"}}"#)
        #expect(missing.first?.varlinkError == .interfaceNotFound("org.nope"))
    }

    @Test func standardErrors() async {
        #expect(await run(#"{"method":"org.nope.X"}"#).1.first?.varlinkError == .interfaceNotFound("org.nope"))
        #expect(await run(#"{"method":"org.example.echo.Nope"}"#).1.first?.varlinkError
            == .methodNotFound("org.example.echo.Nope"))
        #expect(await run(#"{"method":"org.example.echo.Unimplemented"}"#).1.first?.varlinkError
            == .methodNotImplemented("org.example.echo.Unimplemented"))
        #expect(await run(#"{"method":"org.example.echo.Echo","parameters":{"text":1}}"#).1.first?.varlinkError
            == .invalidParameter("text"))
        #expect(await run(#"{"method":"org.example.echo.Echo","parameters":{"text":"a","x":1}}"#).1.first?.varlinkError
            == .invalidParameter("x"))
        #expect(await run(#"{"method":"org.example.echo.Echo","parameters":{"text":"a"},"upgrade":true}"#).1.first?.varlinkError
            == .invalidParameter("upgrade"))
        #expect(await run(#"{"method":"org.example.echo.Count","parameters":{"count":3}}"#).1
            == [VarlinkReplyMessage(error: .expectedMore)])
        #expect(await errorName(#"{"method":"org.example.echo.Fail","parameters":{"kind":"varlink"}}"#)
            == "org.example.echo.Failed")
        #expect(await errorName(#"{"method":"org.example.echo.Fail","parameters":{"kind":"other"}}"#)
            == VarlinkError.Name.internalError)
    }

    @Test func emptyParametersAreEquivalent() async {
        for text in [#"{"method":"org.example.echo.Reset"}"#, #"{"method":"org.example.echo.Reset","parameters":null}"#,
                     #"{"method":"org.example.echo.Reset","parameters":{}}"#] {
            #expect(await run(text).1 == [VarlinkReplyMessage()])
        }
    }

    @Test func moreAndOneway() async {
        let (_, replies) = await run(#"{"method":"org.example.echo.Count","parameters":{"count":3},"more":true}"#)
        #expect(replies == [
            VarlinkReplyMessage(parameters: ["index": 0], continues: true),
            VarlinkReplyMessage(parameters: ["index": 1], continues: true),
            VarlinkReplyMessage(parameters: ["index": 2]),
        ])
        #expect(await run(#"{"method":"org.example.echo.Echo","parameters":{"text":"a"},"oneway":true}"#).1.isEmpty)
        #expect(await run(#"{"method":"org.nope.X","oneway":true}"#).1.isEmpty)
    }

    @Test func readOnlyAccess() async {
        #expect(await errorName(#"{"method":"org.example.echo.Reset"}"#, access: .restricted)
            == VarlinkError.Name.permissionDenied)
        #expect(await errorName(#"{"method":"org.example.echo.Echo","parameters":{"text":"a"}}"#, access: .restricted) == nil)
        #expect(await errorName(#"{"method":"org.varlink.service.GetInfo"}"#, access: .restricted) == nil)
    }

    @Test func protocolViolations() async {
        #expect(await run("{").0 == .protocolViolation("invalid JSON at byte 1: unexpected end of input"))
        #expect(await run("[1]").0 == .protocolViolation("a call must be a JSON object, not array"))
        #expect(await run(#"{"method":5}"#).0 == .protocolViolation("\"method\" must be a string"))
    }

    @Test func sinkRules() async throws {
        let sent = Mutex<[VarlinkReplyMessage]>([])
        let sink = VarlinkReplySink(oneway: false, more: false) { reply in sent.withLock { $0.append(reply) } }
        try await sink.reply(["a": 1])
        await #expect(throws: VarlinkReplySink.Misuse.alreadyFinished) { try await sink.reply() }
        #expect(sent.withLock { $0 } == [VarlinkReplyMessage(parameters: ["a": 1])])
    }
}

@Suite struct VarlinkAccessPolicyTests {
    let method = VarlinkMethod(name: "Reset", input: [], output: [], doc: [" Resets."])
    let readOnly = VarlinkMethod(name: "List", input: [], output: [], doc: [" Lists. [access: read]"])

    @Test func adminGroupPolicy() {
        let policy = AdminGroupPolicy(groupName: "nogroup")
        #expect(policy.accessLevel(for: PeerCredentials(pid: 1, uid: 0, gid: 0)) == .full)
        // Primary gid is the admin group.
        #expect(policy.accessLevel(for: PeerCredentials(pid: 1, uid: 4242, gid: 65534)) == .full)
        // The user "nobody" (65534) has nogroup (65534) as its group; peer gid says otherwise.
        #expect(policy.accessLevel(for: PeerCredentials(pid: 1, uid: 65534, gid: 100)) == .full)
        // An unknown user in another group.
        #expect(policy.accessLevel(for: PeerCredentials(pid: 1, uid: 4242, gid: 100)) == .restricted)
        #expect(policy.accessLevel(for: nil) == .restricted)
        let missing = AdminGroupPolicy(groupName: "no-such-group-xyz")
        #expect(missing.accessLevel(for: PeerCredentials(pid: 1, uid: 65534, gid: 65534)) == .restricted)
        #expect(missing.accessLevel(for: PeerCredentials(pid: 1, uid: 0, gid: 0)) == .full)
    }

    @Test func restrictedLevelAllowsOnlyPublicAndReadMethods() {
        let publicMethod = VarlinkMethod(name: "Ping", input: [], output: [], doc: [" [access: public]"])
        let tagged = VarlinkMethod(name: "Show", input: [], output: [], doc: [" Shows.", " [access: admin]"])
        #expect(VarlinkAccessLevel.restricted.allows(interface: "org.example", method: method) == false)
        #expect(VarlinkAccessLevel.restricted.allows(interface: "org.example", method: tagged) == false)
        #expect(VarlinkAccessLevel.restricted.allows(interface: "org.example", method: readOnly) == true)
        #expect(VarlinkAccessLevel.restricted.allows(interface: "org.example", method: publicMethod) == true)
        #expect(VarlinkAccessLevel.restricted.allows(interface: "org.varlink.service", method: method) == true)
        #expect(VarlinkAccessLevel.full.allows(interface: "org.example", method: method) == true)
        #expect(readOnly.accessClass == .read && publicMethod.accessClass == .public)
        // No tag, or a class that does not exist, is admin: a typo never opens a method.
        #expect(method.accessClass == .admin && method.accessTag == nil)
        let typo = VarlinkMethod(name: "Oops", input: [], output: [], doc: [" [access: raed]"])
        #expect(typo.accessClass == .admin)
        // The old verb-based tag means nothing any more.
        let old = VarlinkMethod(name: "Old", input: [], output: [], doc: [" [read-only]"])
        #expect(old.accessClass == .admin)
    }

    @Test func supplementaryGroupsFromThePeerCount() {
        // "adm" lists no user with primary group 65534; the peer holds it as a supplementary group
        // (SO_PEERGROUPS), as after `sg adm` or with a unit's SupplementaryGroups=.
        guard let adm = UnixUserDatabase.groupID(named: "adm") else { return }
        let policy = AdminGroupPolicy(groupName: "adm")
        #expect(policy.accessLevel(for: PeerCredentials(pid: 1, uid: 65534, gid: 65534)) == .restricted)
        #expect(policy.accessLevel(for: PeerCredentials(pid: 1, uid: 65534, gid: 65534, supplementaryGroups: [adm])) == .full)
    }

    @Test func userDatabase() {
        #expect(UnixUserDatabase.groupID(named: "root") == 0)
        #expect(UnixUserDatabase.user(withID: 0)?.name == "root")
        #expect(UnixUserDatabase.groupIDs(ofUserID: 0).contains(0))
        #expect(UnixUserDatabase.groupIDs(ofUserID: 987_654).isEmpty)
    }
}
