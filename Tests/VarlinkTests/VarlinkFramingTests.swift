import NIOCore
import NIOEmbedded
import Testing
@testable import Varlink

@Suite struct VarlinkFramingTests {
    func channel(max: Int) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(VarlinkFrameDecoder(maxMessageSize: max)))
        return channel
    }

    func read(_ channel: EmbeddedChannel) throws -> [String] {
        var out: [String] = []
        while let frame = try channel.readInbound(as: ByteBuffer.self) {
            out.append(String(buffer: frame))
        }
        return out
    }

    @Test func splitsAtNULAcrossChunks() throws {
        let channel = try channel(max: 100)
        try channel.writeInbound(ByteBuffer(string: "{\"a\":1}\u{0}{\"b\""))
        #expect(try read(channel) == ["{\"a\":1}"])
        try channel.writeInbound(ByteBuffer(string: ":2}\u{0}\u{0}x"))
        #expect(try read(channel) == ["{\"b\":2}", ""])
        try channel.writeInbound(ByteBuffer(string: "y\u{0}"))
        #expect(try read(channel) == ["xy"])
        #expect(try channel.finish().isClean)
    }

    @Test func rejectsOversizeMessages() throws {
        let channel = try channel(max: 8)
        try channel.writeInbound(ByteBuffer(string: "12345678\u{0}"))
        #expect(try read(channel) == ["12345678"])
        #expect(throws: VarlinkFramingError.messageTooLarge(limit: 8)) {
            try channel.writeInbound(ByteBuffer(string: "123456789\u{0}"))
        }
        let partial = try self.channel(max: 8)
        try partial.writeInbound(ByteBuffer(string: "1234"))
        #expect(throws: VarlinkFramingError.messageTooLarge(limit: 8)) {
            try partial.writeInbound(ByteBuffer(string: "56789"))
        }
    }

    @Test func reportsATruncatedStream() throws {
        let channel = try channel(max: 100)
        try channel.writeInbound(ByteBuffer(string: "{\"a\":1}\u{0}{\"b\""))
        #expect(try read(channel) == ["{\"a\":1}"])
        #expect(throws: VarlinkFramingError.truncatedMessage(bytes: 4)) { try channel.finish() }
    }

    @Test func decoderAloneFindsFrames() throws {
        var decoder = VarlinkFrameDecoder(maxMessageSize: 16)
        var buffer = ByteBuffer(string: "abc")
        #expect(try decoder.nextFrame(from: &buffer) == nil)
        buffer.writeString("d\u{0}e")
        #expect(try decoder.nextFrame(from: &buffer).map { String(buffer: $0) } == "abcd")
        #expect(try decoder.nextFrame(from: &buffer) == nil)
        #expect(buffer.readableBytes == 1)
    }

    @Test func messagesEncodeAndDecode() throws {
        let call = VarlinkCallMessage(method: "org.example.M", parameters: ["a": 1], oneway: false, more: true)
        #expect(call.json == ["method": "org.example.M", "parameters": ["a": 1], "more": true])
        #expect(try VarlinkCallMessage(json: call.json) == call)
        #expect(VarlinkCallMessage(method: "org.example.M").json == ["method": "org.example.M"])
        for parameters: JSONValue? in [nil, .null, [:]] {
            var json: [String: JSONValue] = ["method": "a.b.C"]
            json["parameters"] = parameters
            #expect(try VarlinkCallMessage(json: .object(json)).parameters == [:])
        }
        #expect(throws: VarlinkMessageError("\"more\" must be a boolean, not string")) {
            try VarlinkCallMessage(json: ["method": "a.b.C", "more": "yes"])
        }
        #expect(throws: VarlinkMessageError("the call has no \"method\"")) { try VarlinkCallMessage(json: [:]) }
        #expect(throws: VarlinkMessageError("a call must be a JSON object, not array")) {
            try VarlinkCallMessage(json: [1])
        }
        let reply = VarlinkReplyMessage(error: .invalidParameter("x"))
        #expect(reply.json == ["parameters": ["parameter": "x"], "error": "org.varlink.service.InvalidParameter"])
        #expect(try VarlinkReplyMessage(json: reply.json).varlinkError == .invalidParameter("x"))
        #expect(try VarlinkReplyMessage(json: ["continues": true]) == VarlinkReplyMessage(continues: true))
    }
}

@Suite struct VarlinkConnectionStateMachineTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test func answersInOrderOneAtATime() {
        var machine = VarlinkConnectionStateMachine(maxInFlight: 2, now: start)
        machine.messageReceived(ByteBuffer(string: "1"), now: start)
        machine.messageReceived(ByteBuffer(string: "2"), now: start)
        #expect(machine.nextStep() == .dispatch(ByteBuffer(string: "1")))
        #expect(machine.nextStep() == .wait)
        #expect(machine.readRequested() == false)  // 2 in flight
        machine.callFinished(now: start)
        #expect(machine.resumeReadIfHeld() == true)
        #expect(machine.resumeReadIfHeld() == false)
        #expect(machine.nextStep() == .dispatch(ByteBuffer(string: "2")))
        machine.callFinished(now: start)
        #expect(machine.nextStep() == .wait)
        machine.inputClosed()
        #expect(machine.nextStep() == .close)
    }

    @Test func holdsReadsAndDispatchWhileOutputIsBlocked() {
        var machine = VarlinkConnectionStateMachine(maxInFlight: 8, now: start)
        machine.writabilityChanged(false, now: start)
        #expect(machine.readRequested() == false)
        machine.messageReceived(ByteBuffer(string: "1"), now: start)
        #expect(machine.nextStep() == .wait)
        machine.writabilityChanged(true, now: start)
        #expect(machine.resumeReadIfHeld() == true)
        #expect(machine.nextStep() == .dispatch(ByteBuffer(string: "1")))
    }

    @Test func violationComesAfterEarlierCalls() {
        var machine = VarlinkConnectionStateMachine(maxInFlight: 8, now: start)
        machine.messageReceived(ByteBuffer(string: "1"), now: start)
        machine.violationReceived("too large")
        #expect(machine.readRequested() == false)
        #expect(machine.nextStep() == .dispatch(ByteBuffer(string: "1")))
        #expect(machine.nextStep() == .wait)
        machine.callFinished(now: start)
        #expect(machine.nextStep() == .sendViolationAndClose("too large"))
        #expect(machine.nextStep() == .wait)
    }

    @Test func idleOnlyWhenNotBusy() {
        let timeout = TimeAmount.seconds(5)
        var machine = VarlinkConnectionStateMachine(maxInFlight: 8, now: start)
        #expect(machine.idleCheck(now: start + .seconds(1), timeout: timeout) == .checkAgain(at: start + timeout))
        #expect(machine.idleCheck(now: start + timeout, timeout: timeout) == .close)
        machine.messageReceived(ByteBuffer(string: "1"), now: start + .seconds(3))
        #expect(machine.idleCheck(now: start + timeout, timeout: timeout)
            == .checkAgain(at: start + .seconds(8)))
        _ = machine.nextStep()
        // A running call is busy...
        #expect(machine.idleCheck(now: start + .seconds(60), timeout: timeout)
            == .checkAgain(at: start + .seconds(65)))
        // ...unless its replies are stuck behind a client that does not read.
        machine.writabilityChanged(false, now: start + .seconds(60))
        #expect(machine.idleCheck(now: start + .seconds(60), timeout: timeout) == .close)
    }

    @Test func shutdownDrainsThenCloses() {
        var machine = VarlinkConnectionStateMachine(maxInFlight: 8, now: start)
        machine.messageReceived(ByteBuffer(string: "1"), now: start)
        machine.beginShutdown()
        #expect(machine.readRequested() == false)
        #expect(machine.nextStep() == .dispatch(ByteBuffer(string: "1")))
        machine.callFinished(now: start)
        #expect(machine.nextStep() == .close)
    }
}
