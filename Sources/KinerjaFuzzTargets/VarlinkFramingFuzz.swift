import NIOCore
import Varlink

/// Properties of Varlink framing and message decoding.
///
/// The input is a byte stream as a client sends it. Its first byte chooses the message size limit
/// (16...271 bytes) and the second the size of the chunks the stream arrives in (1...64 bytes), so
/// the fuzzer explores limits and split points:
/// - chunked arrival gives the same frames and the same error as the whole stream at once;
/// - frames hold no NUL, are at most the limit, and frames + NULs are exactly the consumed prefix;
/// - the stream is rejected as too large exactly when a message (or the unterminated rest) exceeds
///   the limit;
/// - each frame that is JSON decodes as a call and as a reply or not, and a decoded call or reply
///   written back and decoded again is the same message.
enum VarlinkFramingFuzz {
    struct Outcome: Equatable {
        var frames: [[UInt8]]
        var error: VarlinkFramingError?
    }

    static func check(_ input: UnsafeRawBufferPointer) throws(FuzzFailure) {
        guard input.count >= 2 else { return }
        let limit = 16 + Int(input[0])
        let chunk = 1 + Int(input[1]) % 64
        let stream = Array(input[2...])

        let whole = decode(stream, limit: limit, chunk: stream.count + 1)
        let chunked = decode(stream, limit: limit, chunk: chunk)
        guard whole == chunked else {
            throw FuzzFailure(.varlinkFraming, "chunks of \(chunk) bytes give \(chunked), the whole stream \(whole)")
        }
        // The expected split, computed independently.
        var expected: [[UInt8]] = []
        var expectedError: VarlinkFramingError?
        var start = 0
        while start <= stream.count {
            guard let nul = stream[start...].firstIndex(of: 0) else {
                if stream.count - start > limit { expectedError = .messageTooLarge(limit: limit) }
                break
            }
            if nul - start > limit {
                expectedError = .messageTooLarge(limit: limit)
                break
            }
            expected.append(Array(stream[start..<nul]))
            start = nul + 1
        }
        guard whole == Outcome(frames: expected, error: expectedError) else {
            throw FuzzFailure(.varlinkFraming,
                "decoder gives \(whole), expected \(expected.count) frames and error \(String(describing: expectedError))")
        }
        for frame in whole.frames {
            try checkMessage(frame)
        }
    }

    /// Feeds `stream` in chunks of `chunk` bytes through one decoder until it fails or runs dry.
    static func decode(_ stream: [UInt8], limit: Int, chunk: Int) -> Outcome {
        var decoder = VarlinkFrameDecoder(maxMessageSize: limit)
        var buffer = ByteBuffer()
        var outcome = Outcome(frames: [], error: nil)
        var offset = 0
        repeat {
            let end = min(stream.count, offset + chunk)
            buffer.writeBytes(stream[offset..<end])
            offset = end
            do {
                while let frame = try decoder.nextFrame(from: &buffer) {
                    outcome.frames.append(Array(frame.readableBytesView))
                }
            } catch {
                outcome.error = error
                return outcome
            }
        } while offset < stream.count
        return outcome
    }

    static func checkMessage(_ frame: [UInt8]) throws(FuzzFailure) {
        guard let json = try? JSONParser().parse(bytes: frame) else { return }
        if let call = try? VarlinkCallMessage(json: json) {
            let written = call.json.serialized()
            guard let reread = try? VarlinkCallMessage(json: JSONParser().parse(bytes: written)), reread == call else {
                throw FuzzFailure(.varlinkFraming, "call \(json) does not survive being written back")
            }
            if call.memberName.contains(".") || (call.method.contains(".") && call.interfaceName + "." + call.memberName != call.method) {
                throw FuzzFailure(.varlinkFraming, "method \"\(call.method)\" splits into \"\(call.interfaceName)\" and \"\(call.memberName)\"")
            }
        }
        if let reply = try? VarlinkReplyMessage(json: json) {
            let written = reply.json.serialized()
            guard let reread = try? VarlinkReplyMessage(json: JSONParser().parse(bytes: written)), reread == reply else {
                throw FuzzFailure(.varlinkFraming, "reply \(json) does not survive being written back")
            }
        }
    }
}
