import NIOCore

/// One call on its way out: the framed message and, unless `oneway`, where its replies go.
struct VarlinkClientRequest {
    var frame: ByteBuffer
    var replies: AsyncThrowingStream<VarlinkReplyMessage, any Error>.Continuation?
}

/// The client side of a connection: writes calls, and hands each reply to the oldest call still
/// waiting (replies come strictly in call order), keeping a call while its replies `continue`.
final class VarlinkClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = VarlinkClientRequest
    typealias OutboundOut = ByteBuffer

    private var pending = CircularBuffer<AsyncThrowingStream<VarlinkReplyMessage, any Error>.Continuation>()
    private let path: String?
    private var failure: VarlinkConnectionError?

    init(path: String?) {
        self.path = path
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.replies?.finish(throwing: failure)
            promise?.fail(failure)
            return
        }
        if let replies = request.replies {
            pending.append(replies)
        }
        context.write(wrapOutboundOut(request.frame), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let reply: VarlinkReplyMessage
        do {
            let json = try frame.withUnsafeReadableBytes { try JSONParser().parse($0) }
            reply = try VarlinkReplyMessage(json: json)
        } catch {
            fail(.init(code: .protocolViolation, path: path, detail: "\(error)"), context: context)
            return
        }
        guard let first = pending.first else {
            fail(.init(code: .protocolViolation, path: path, detail: "reply without a call"), context: context)
            return
        }
        first.yield(reply)
        if !reply.continues || reply.error != nil {
            first.finish()
            pending.removeFirst()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case VarlinkFramingError.messageTooLarge:
            fail(.init(code: .messageTooLarge, path: path, detail: "\(error)"), context: context)
        default:
            fail(.init(code: .closed, path: path, detail: "\(error)"), context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(failure ?? .init(code: .closed, path: path, detail: "the service closed the connection"))
        context.fireChannelInactive()
    }

    private func fail(_ error: VarlinkConnectionError, context: ChannelHandlerContext) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: VarlinkConnectionError) {
        if failure == nil { failure = error }
        while let continuation = pending.popFirst() {
            continuation.finish(throwing: error)
        }
    }
}
