import Logging
import NIOCore
import Synchronization

/// Ids of server connections, counted from 1 for the life of the process.
private let nextConnectionID = Atomic<UInt64>(1)

/// Sent through a connection's pipeline to begin a graceful shutdown: no more reads, answer what was
/// received, then close.
struct VarlinkShutdownEvent: Sendable {}

/// The write side of a connection is gone.
public struct VarlinkConnectionClosedError: Error, Sendable, Hashable, CustomStringConvertible {
    public init() {}
    public var description: String { "the Varlink connection is closed" }
}

/// The server side of one connection: takes framed messages from ``VarlinkFrameDecoder``, runs them
/// through the ``VarlinkDispatcher`` one at a time, writes the replies, and enforces the limits
/// decided by ``VarlinkConnectionStateMachine``.
final class VarlinkServerConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let dispatcher: VarlinkDispatcher
    private let peer: PeerCredentials?
    private let accessLevel: VarlinkAccessLevel
    private let idleTimeout: TimeAmount
    private var logger: Logger
    private var state: VarlinkConnectionStateMachine
    private var context: ChannelHandlerContext?
    private var task: Task<Void, Never>?
    private var writabilityWaiters: [EventLoopPromise<Void>] = []
    private var idleTimer: Scheduled<Void>?
    private var loggedInFlightLimit = false
    private var loggedOutputBlocked = false
    /// This connection, as calls and ``VarlinkService/connectionClosed(_:)`` name it.
    let connection = VarlinkConnectionID(nextConnectionID.add(1, ordering: .relaxed).oldValue)
    private var announcedClose = false

    init(
        dispatcher: VarlinkDispatcher, peer: PeerCredentials?, accessLevel: VarlinkAccessLevel,
        maxInFlight: Int, idleTimeout: TimeAmount, logger: Logger
    ) {
        self.dispatcher = dispatcher
        self.peer = peer
        self.accessLevel = accessLevel
        self.idleTimeout = idleTimeout
        self.logger = logger
        self.state = VarlinkConnectionStateMachine(maxInFlight: maxInFlight, now: .now())
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { scheduleIdleCheck(at: .now() + idleTimeout) }
    }

    func channelActive(context: ChannelHandlerContext) {
        scheduleIdleCheck(at: .now() + idleTimeout)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        teardown()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        teardown()
        context.fireChannelInactive()
    }

    private func teardown() {
        state.connectionClosed()
        task?.cancel()
        // The services hear of the close once the running call (if any) has ended.
        if !announcedClose {
            announcedClose = true
            let running = task, dispatcher = self.dispatcher, connection = self.connection
            Task {
                await running?.value
                await dispatcher.connectionClosed(connection)
            }
        }
        task = nil
        idleTimer?.cancel()
        idleTimer = nil
        let waiters = writabilityWaiters
        writabilityWaiters = []
        for waiter in waiters { waiter.fail(VarlinkConnectionClosedError()) }
    }

    // MARK: Input

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        state.messageReceived(unwrapInboundIn(data), now: .now())
        advance()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case VarlinkFramingError.messageTooLarge(let limit):
            logger.warning("varlink.connection.messageTooLarge", metadata: ["varlink.limit": "\(limit)"])
            state.violationReceived("message larger than \(limit) bytes")
            advance()
        case VarlinkFramingError.truncatedMessage:
            logger.debug("varlink.connection.truncatedMessage")
            state.inputClosed()
            advance()
        default:
            logger.debug("varlink.connection.error", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let channelEvent = event as? ChannelEvent, channelEvent == .inputClosed {
            state.inputClosed()
            advance()
        } else if event is VarlinkShutdownEvent {
            state.beginShutdown()
            advance()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func read(context: ChannelHandlerContext) {
        if state.readRequested() {
            context.read()
        } else if state.inFlight >= state.maxInFlight && !loggedInFlightLimit {
            loggedInFlightLimit = true
            logger.notice(
                "varlink.connection.inFlightLimit", metadata: ["varlink.maxInFlight": "\(state.maxInFlight)"])
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        state.writabilityChanged(writable, now: .now())
        if writable {
            let waiters = writabilityWaiters
            writabilityWaiters = []
            for waiter in waiters { waiter.succeed() }
            advance()
        } else if !loggedOutputBlocked {
            loggedOutputBlocked = true
            logger.notice("varlink.connection.outputBlocked")
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Dispatch

    private func advance() {
        guard let context else { return }
        loop: while true {
            switch state.nextStep() {
            case .dispatch(let message):
                dispatch(message, context: context)
            case .sendViolationAndClose(let reason):
                logger.notice("varlink.connection.protocolViolation", metadata: ["varlink.reason": "\(reason)"])
                var buffer = context.channel.allocator.buffer(capacity: 128)
                buffer.writeVarlinkFrame(VarlinkReplyMessage(error: .protocolViolation(reason)).json)
                context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
                    context.close(promise: nil)
                }
                break loop
            case .close:
                context.close(promise: nil)
                break loop
            case .wait:
                break loop
            }
        }
        if state.resumeReadIfHeld() {
            context.read()
        }
    }

    private func dispatch(_ message: ByteBuffer, context: ChannelHandlerContext) {
        let eventLoop = context.eventLoop
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let dispatcher = self.dispatcher
        let peer = self.peer
        let accessLevel = self.accessLevel
        let connection = self.connection
        let send: @Sendable (VarlinkReplyMessage) async throws -> Void = { reply in
            var buffer = ByteBuffer()
            buffer.writeVarlinkFrame(reply.json)
            let frame = buffer
            try await eventLoop.flatSubmit { bound.value.write(frame, on: eventLoop) }.get()
        }
        task = Task {
            let outcome = await dispatcher.handle(message: message, peer: peer, accessLevel: accessLevel,
                                                  connection: connection, send: send)
            eventLoop.execute { bound.value.callFinished(outcome) }
        }
    }

    private func callFinished(_ outcome: VarlinkDispatcher.Outcome) {
        task = nil
        state.callFinished(now: .now())
        if case .protocolViolation(let reason) = outcome {
            state.violationReceived(reason)
        }
        advance()
    }

    /// Writes one reply frame; the future completes once the output buffer has room again.
    private func write(_ frame: ByteBuffer, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        guard let context, !state.finished || state.callRunning, context.channel.isActive else {
            return eventLoop.makeFailedFuture(VarlinkConnectionClosedError())
        }
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        if context.channel.isWritable {
            return context.eventLoop.makeSucceededVoidFuture()
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        writabilityWaiters.append(promise)
        return promise.futureResult
    }

    // MARK: Idle timeout

    private func scheduleIdleCheck(at deadline: NIODeadline) {
        guard let context else { return }
        idleTimer?.cancel()
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            self.idleCheck()
        }
    }

    private func idleCheck() {
        idleTimer = nil
        guard let context, !state.finished else { return }
        switch state.idleCheck(now: .now(), timeout: idleTimeout) {
        case .close:
            logger.notice(
                "varlink.connection.idleTimeout", metadata: ["varlink.idleTimeout": "\(idleTimeout)"])
            context.close(promise: nil)
        case .checkAgain(let deadline):
            scheduleIdleCheck(at: deadline)
        }
    }
}
