import NIOCore

/// Splits a byte stream into Varlink messages: each message is the bytes before a NUL (0x00).
///
/// Emits each message (without its NUL) as a `ByteBuffer`. A message longer than `maxMessageSize`
/// bytes, or more than `maxMessageSize` bytes without a NUL, fails with
/// ``VarlinkFramingError/messageTooLarge(limit:)``; a stream that ends inside a message fails with
/// ``VarlinkFramingError/truncatedMessage(bytes:)``.
public struct VarlinkFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    /// The largest message accepted, in bytes, NUL not counted.
    public let maxMessageSize: Int
    /// How many bytes of the current (incomplete) message were already searched for a NUL.
    private var scanned = 0

    public init(maxMessageSize: Int) {
        precondition(maxMessageSize > 0, "maxMessageSize must be positive")
        self.maxMessageSize = maxMessageSize
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try nextFrame(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        if let frame = try nextFrame(from: &buffer) {
            context.fireChannelRead(Self.wrapInboundOut(frame))
            return .continue
        }
        if buffer.readableBytes > 0 {
            let count = buffer.readableBytes
            buffer.moveReaderIndex(forwardBy: count)
            throw VarlinkFramingError.truncatedMessage(bytes: count)
        }
        return .needMoreData
    }

    /// Takes the next complete message out of `buffer`, or returns `nil` when none is complete yet.
    /// This is the whole framing logic; `decode` only forwards its result.
    public mutating func nextFrame(from buffer: inout ByteBuffer) throws(VarlinkFramingError) -> ByteBuffer? {
        let view = buffer.readableBytesView
        let searchStart = view.index(view.startIndex, offsetBy: min(scanned, view.count))
        guard let nul = view[searchStart...].firstIndex(of: 0) else {
            scanned = view.count
            if view.count > maxMessageSize {
                throw .messageTooLarge(limit: maxMessageSize)
            }
            return nil
        }
        let length = nul - view.startIndex
        scanned = 0
        if length > maxMessageSize {
            throw .messageTooLarge(limit: maxMessageSize)
        }
        let frame = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        return frame
    }
}

/// Why the byte stream could not be split into messages.
public enum VarlinkFramingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A message exceeded the limit (in bytes).
    case messageTooLarge(limit: Int)
    /// The stream ended inside a message; `bytes` were left without a terminating NUL.
    case truncatedMessage(bytes: Int)

    public var description: String {
        switch self {
        case .messageTooLarge(let limit): return "message larger than \(limit) bytes"
        case .truncatedMessage(let bytes): return "connection ended inside a message (\(bytes) bytes without NUL)"
        }
    }
}

extension ByteBuffer {
    /// Appends the JSON text of `value` followed by the NUL terminator.
    mutating func writeVarlinkFrame(_ value: JSONValue) {
        writeBytes(value.serialized())
        writeInteger(UInt8(0))
    }
}
