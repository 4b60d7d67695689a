/// At most `limit` pieces of work at once; the others wait their turn, first come first served.
///
/// Used for the control calls that read a whole cycle (`GetCycle`, `CycleReport`): each holds the
/// rows of up to 150,000 assignments while it runs. Without a limit, clients asking for them back
/// to back start one database thread each, every one holding its rows, and they share the CPUs with
/// each other and with every light call (`make load`: 226 MiB peak RSS, p99 of all calls 20 s).
/// One at a time keeps the memory of one report and leaves the other CPU to everything else.
public actor WorkLimiter {
    public nonisolated let limit: Int
    private var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(limit: Int) {
        precondition(limit > 0, "a WorkLimiter needs a limit of at least 1")
        self.limit = limit
    }

    /// Runs `work` once a slot is free.
    public nonisolated func run<T: Sendable>(_ work: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        do {
            let value = try await work()
            await release()
            return value
        } catch {
            await release()
            throw error
        }
    }

    /// Pieces of work waiting for a slot.
    public var waiting: Int { waiters.count }

    private func acquire() async {
        if running < limit {
            running += 1
            return
        }
        // The slot is handed over by `release` (running stays the same).
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            running -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
