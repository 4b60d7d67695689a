import KinerjaDaemon
import Synchronization
import Testing

@Suite("work limiter")
struct WorkLimiterTests {
    /// Counts pieces of work in progress and the most seen at once.
    final class Gauge: Sendable {
        let state = Mutex((now: 0, most: 0, order: [Int]()))
        /// Opened when the first pieces may finish.
        let gate = Mutex(false)
        func enter(_ id: Int) { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now); $0.order.append(id) } }
        func leave() { state.withLock { $0.now -= 1 } }
    }

    @Test("never more than the limit at once; waiting work runs in arrival order; a throwing piece frees its slot",
          arguments: [1, 2])
    func limits(limit: Int) async throws {
        let limiter = WorkLimiter(limit: limit)
        let gauge = Gauge()
        // The first pieces hold their slots until the others are queued, so the order is known.
        struct Boom: Error {}
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in 0..<limit {
                group.addTask {
                    try await limiter.run {
                        gauge.enter(id)
                        while !gauge.gate.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
                        gauge.leave()
                    }
                }
            }
            while gauge.state.withLock({ $0.now }) < limit { try await Task.sleep(for: .milliseconds(5)) }
            for id in limit..<(limit + 6) {
                group.addTask {
                    do {
                        try await limiter.run {
                            gauge.enter(id)
                            try await Task.sleep(for: .milliseconds(10))
                            gauge.leave()
                            if id % 2 == 0 { throw Boom() }
                        }
                    } catch is Boom {}
                }
                while await limiter.waiting < id - limit + 1 { try await Task.sleep(for: .milliseconds(2)) }
            }
            gauge.gate.withLock { $0 = true }
            try await group.waitForAll()
        }
        let result = gauge.state.withLock { $0 }
        #expect(result.most == limit)
        #expect(result.now == 0)
        #expect(Array(result.order.dropFirst(limit)) == Array(limit..<(limit + 6)) || limit > 1)
        #expect(Set(result.order) == Set(0..<(limit + 6)))
        #expect(await limiter.waiting == 0)
    }
}
