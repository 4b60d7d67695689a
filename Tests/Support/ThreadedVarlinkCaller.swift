import Foundation
import Synchronization
import Varlink

/// A well-behaved client that calls one method in a loop on a thread of its own, on one connection,
/// until stopped. It lives outside Swift's cooperative pool on purpose: on a 2-core machine the pool
/// has two threads, which the rest of a parallel test run can keep busy for seconds, and a client
/// starved that long would be (rightly) closed by the server's idle timeout. The tests that use it
/// check that bad clients never disturb a good one, so the good one must really be calling.
public final class ThreadedVarlinkCaller: Sendable {
    private struct State {
        var successes = 0
        var failures: [String] = []
        var stopping = false
        var finished = false
    }

    private final class Shared: Sendable {
        let state = Mutex(State())
        let done = DispatchSemaphore(value: 0)
    }

    private let shared = Shared()

    /// Starts calling `method` with `parameters`; `check` says whether a reply is right.
    public init(path: String, method: String, parameters: String = "{}",
                check: @escaping @Sendable (JSONValue) -> Bool = { $0["parameters"] != nil }) {
        let shared = self.shared
        let thread = Thread {
            defer { shared.done.signal() }
            let socket: VarlinkRawSocket
            do {
                socket = try VarlinkRawSocket(path: path)
            } catch {
                shared.state.withLock { $0.failures.append("connect: \(error)") }
                return
            }
            let call = #"{"method":"\#(method)","parameters":\#(parameters)}"#
            while !shared.state.withLock({ $0.stopping }) {
                guard socket.sendMessage(call) else {
                    shared.state.withLock { $0.failures.append("send failed: the connection is closed") }
                    return
                }
                guard let reply = socket.receiveJSON(timeout: 10) else {
                    shared.state.withLock { $0.failures.append("no reply within 10 s (connection closed or stuck)") }
                    return
                }
                if check(reply) {
                    shared.state.withLock { $0.successes += 1 }
                } else {
                    shared.state.withLock { $0.failures.append("wrong reply: \(reply)") }
                }
                usleep(10_000)
            }
        }
        thread.start()
    }

    /// Stops calling (after the call in progress) and returns the count of good replies and the failures.
    public func stop() async -> (successes: Int, failures: [String]) {
        shared.state.withLock { $0.stopping = true }
        let done = shared.done
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                done.wait()
                continuation.resume()
            }
        }
        return shared.state.withLock { ($0.successes, $0.failures) }
    }
}
