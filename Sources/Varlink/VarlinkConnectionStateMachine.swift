import NIOCore

/// The per-connection rules of the server, with no I/O: which message to dispatch next, when to read,
/// when to close, and when the connection counts as idle.
///
/// Calls are answered strictly in order, one at a time. At most `maxInFlight` calls are held
/// (queued plus running); beyond that, and while the output buffer is full, reads are held back, so
/// the server never buffers more than that for one client.
struct VarlinkConnectionStateMachine {
    enum Item {
        case message(ByteBuffer)
        case violation(String)
    }

    /// What the connection should do next.
    enum Step: Equatable {
        /// Run this message (parse, validate, call the handler).
        case dispatch(ByteBuffer)
        /// Send `org.varlink.service.ProtocolViolation(reason)`, then close.
        case sendViolationAndClose(String)
        /// Close now (input ended, or shutting down, and everything was answered).
        case close
        /// Nothing to do until the next event.
        case wait
    }

    /// The verdict of an idle check.
    enum IdleDecision: Equatable {
        case close
        case checkAgain(at: NIODeadline)
    }

    let maxInFlight: Int
    private(set) var queue = CircularBuffer<Item>()
    private(set) var callRunning = false
    private(set) var writable = true
    private(set) var readHeld = false
    private(set) var inputEnded = false
    private(set) var shuttingDown = false
    private(set) var finished = false
    private(set) var lastActivity: NIODeadline

    init(maxInFlight: Int, now: NIODeadline) {
        precondition(maxInFlight >= 1, "maxInFlight must be at least 1")
        self.maxInFlight = maxInFlight
        self.lastActivity = now
    }

    /// Calls received and not yet answered.
    var inFlight: Int { queue.count + (callRunning ? 1 : 0) }

    /// Whether reading more input is allowed now.
    var canRead: Bool {
        !finished && !inputEnded && !shuttingDown && writable && inFlight < maxInFlight
            && !queue.contains(where: { if case .violation = $0 { return true } else { return false } })
    }

    mutating func messageReceived(_ message: ByteBuffer, now: NIODeadline) {
        guard !finished else { return }
        queue.append(.message(message))
        lastActivity = now
    }

    /// The input broke the framing (e.g. a message over the size limit): answer what came before,
    /// then report the violation and close.
    mutating func violationReceived(_ reason: String) {
        guard !finished else { return }
        queue.append(.violation(reason))
    }

    mutating func inputClosed() {
        inputEnded = true
    }

    mutating func beginShutdown() {
        shuttingDown = true
    }

    mutating func writabilityChanged(_ isWritable: Bool, now: NIODeadline) {
        writable = isWritable
        if isWritable { lastActivity = now }
    }

    mutating func callFinished(now: NIODeadline) {
        callRunning = false
        lastActivity = now
    }

    mutating func connectionClosed() {
        finished = true
        queue.removeAll()
    }

    /// A `read` reached the connection: returns `true` to pass it on now; otherwise it is held until
    /// ``resumeReadIfHeld()`` says so.
    mutating func readRequested() -> Bool {
        if canRead { return true }
        readHeld = true
        return false
    }

    /// Returns `true` (once) when a held read may now go on.
    mutating func resumeReadIfHeld() -> Bool {
        guard readHeld, canRead else { return false }
        readHeld = false
        return true
    }

    mutating func nextStep() -> Step {
        guard !finished, !callRunning else { return .wait }
        if let first = queue.first {
            if case .violation(let reason) = first {
                finished = true
                queue.removeAll()
                return .sendViolationAndClose(reason)
            }
            guard writable else { return .wait }
            guard case .message(let message) = queue.removeFirst() else { return .wait }
            callRunning = true
            return .dispatch(message)
        }
        if inputEnded || shuttingDown {
            finished = true
            return .close
        }
        return .wait
    }

    /// The connection is idle when no complete message arrived for `timeout` and it is not busy
    /// answering (a running call whose replies are not blocked by a full output buffer is busy).
    func idleCheck(now: NIODeadline, timeout: TimeAmount) -> IdleDecision {
        if callRunning && writable {
            return .checkAgain(at: now + timeout)
        }
        let deadline = lastActivity + timeout
        return now >= deadline ? .close : .checkAgain(at: deadline)
    }
}
