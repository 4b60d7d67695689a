import Foundation
import KinerjaDomain
import Synchronization
import Varlink

/// N Varlink clients, each on its own connection, calling a weighted mix of reads and admin writes
/// in a loop until stopped, plus optional `kinerjactl` processes on threads of their own. Every call
/// is timed per method; every error reply or connection failure is kept (the load and soak
/// benchmarks accept none). Clients can be paused so the daemon can be measured while quiet.
final class LoadClients: Sendable {
    /// One operation of the mix: the method, its parameters (nil when it cannot run yet, e.g.
    /// SubmitReview before a cycle has assignments), and its weight.
    struct Operation: Sendable {
        let label: String
        let weight: Int
        let isWrite: Bool
        let make: @Sendable (LoadContext) -> (method: String, parameters: [String: JSONValue])?
    }

    private struct State {
        var samples: [String: [Double]] = [:]
        var writes: Set<String> = []
        var errors: [String] = []
        var errorCount = 0
        var stopping = false
        var paused = false
        var inFlight = 0
    }

    let socketPath: String
    let context: LoadContext
    let operations: [Operation]
    let pause: Duration
    private let state = Mutex(State())
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let threadsDone = Mutex(0)
    private let threadCount: Int

    /// Starts `clients` connections and `ctlClients` kinerjactl loops (`status` and `cycles list`).
    init(socketPath: String, binDirectory: String, context: LoadContext, operations: [Operation], clients: Int,
         ctlClients: Int, pause: Duration) async throws {
        self.socketPath = socketPath
        self.context = context
        self.operations = operations
        self.pause = pause
        self.threadCount = ctlClients
        var connections: [VarlinkClient] = []
        for _ in 0..<clients { connections.append(try await VarlinkClient.connect(unixPath: socketPath)) }
        var started: [Task<Void, Never>] = []
        for (index, client) in connections.enumerated() {
            started.append(Task { await self.loop(client: client, seed: UInt64(index + 1)) })
        }
        tasks.withLock { $0 = started }
        for index in 0..<ctlClients {
            let thread = Thread { self.ctlLoop(binDirectory: binDirectory, index: index) }
            thread.start()
        }
    }

    private func loop(client: VarlinkClient, seed: UInt64) async {
        var random = SeededRandom(seed: seed)
        let total = operations.reduce(0) { $0 + $1.weight }
        let clock = ContinuousClock()
        while true {
            let (stop, paused) = state.withLock { ($0.stopping, $0.paused) }
            if stop { break }
            if paused {
                try? await Task.sleep(for: .milliseconds(5))
                continue
            }
            var pick = Int(random.next() % UInt64(total))
            let operation = operations.first { pick -= $0.weight; return pick < 0 }!
            guard let (method, parameters) = operation.make(context) else { continue }
            state.withLock { $0.inFlight += 1 }
            let start = clock.now
            do {
                _ = try await client.call("io.kinerjad.Admin." + method, parameters: parameters)
                record(operation.label, isWrite: operation.isWrite, (clock.now - start).inSeconds)
            } catch {
                fail("\(operation.label): \(error)")
            }
            state.withLock { $0.inFlight -= 1 }
            if pause > .zero { try? await Task.sleep(for: pause) }
        }
        await client.close()
    }

    private func ctlLoop(binDirectory: String, index: Int) {
        defer { threadsDone.withLock { $0 += 1 } }
        let commands = [["status"], ["cycles", "list"], ["reminders", "list", "--status", "pending"]]
        var n = index
        while true {
            let (stop, paused) = state.withLock { ($0.stopping, $0.paused) }
            if stop { return }
            if paused {
                usleep(5_000)
                continue
            }
            let arguments = commands[n % commands.count]
            n += 1
            state.withLock { $0.inFlight += 1 }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binDirectory + "/kinerjactl")
            process.arguments = ["--socket", socketPath, "--quiet"] + arguments
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            let start = ContinuousClock.now
            do {
                try process.run()
                let text = errors.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                if process.terminationStatus == 0 {
                    record("kinerjactl " + arguments.joined(separator: " "), isWrite: false, (ContinuousClock.now - start).inSeconds)
                } else {
                    fail("kinerjactl \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: text, as: UTF8.self))")
                }
            } catch {
                fail("kinerjactl: \(error)")
            }
            state.withLock { $0.inFlight -= 1 }
            usleep(UInt32(max(pause, .milliseconds(20)).inSeconds * 1e6))
        }
    }

    private func record(_ label: String, isWrite: Bool, _ seconds: Double) {
        state.withLock {
            $0.samples[label, default: []].append(seconds * 1000)
            if isWrite { $0.writes.insert(label) }
        }
    }

    /// Counts an error the benchmark did not expect (the first 20 are kept with their text).
    func fail(_ text: String) {
        state.withLock {
            $0.errorCount += 1
            if $0.errors.count < 20 { $0.errors.append(text) }
        }
    }

    /// Stops new calls and waits until the calls in flight have returned.
    func pauseAndDrain() async {
        state.withLock { $0.paused = true }
        while state.withLock({ $0.inFlight }) > 0 { try? await Task.sleep(for: .milliseconds(5)) }
    }

    func resume() { state.withLock { $0.paused = false } }

    /// Calls made so far.
    var callCount: Int { state.withLock { $0.samples.values.reduce(0) { $0 + $1.count } } }

    /// Stops every client and returns the latency samples (ms) per label, the write labels, and the errors.
    func stop() async -> (samples: [String: [Double]], writes: Set<String>, errorCount: Int, errors: [String]) {
        state.withLock { $0.stopping = true; $0.paused = false }
        for task in tasks.withLock({ $0 }) { await task.value }
        while threadsDone.withLock({ $0 }) < threadCount { try? await Task.sleep(for: .milliseconds(10)) }
        return state.withLock { ($0.samples, $0.writes, $0.errorCount, $0.errors) }
    }

    /// Prints one line per label (count, p50, p99, max) and the totals; returns the count of all calls.
    @discardableResult
    static func printTable(_ samples: [String: [Double]], writes: Set<String>, elapsed: Double) -> Int {
        print("  method                               calls     p50 ms    p99 ms    max ms")
        var all: [Double] = []
        for label in samples.keys.sorted() {
            let sorted = samples[label]!.sorted()
            all += sorted
            print("  " + pad(label + (writes.contains(label) ? " (w)" : ""), 36) + String(format: " %6d  %9.2f %9.2f %9.1f", sorted.count,
                         percentile(sorted, 50), percentile(sorted, 99), sorted.last ?? 0))
        }
        all.sort()
        print("  " + pad("all", 36) + String(format: " %6d  %9.2f %9.2f %9.1f   (%.0f calls/s)", all.count,
                     percentile(all, 50), percentile(all, 99), all.last ?? 0, Double(all.count) / max(elapsed, 0.001)))
        return all.count
    }
}

/// What the clients know about the daemon's data as the run goes: the open cycle and some of its
/// self-assessment assignments (for SubmitReview).
final class LoadContext: Sendable {
    private let state = Mutex<(cycle: String?, assignments: [Int64], counter: Int)>((nil, [], 0))

    var cycle: String? { state.withLock { $0.cycle } }

    func setCycle(_ period: String, assignments: [Int64]) {
        state.withLock { $0 = (period, assignments, 0) }
    }

    /// The next assignment to review, round robin.
    func nextAssignment() -> Int64? {
        state.withLock { state in
            guard !state.assignments.isEmpty else { return nil }
            state.counter += 1
            return state.assignments[state.counter % state.assignments.count]
        }
    }
}

/// The mix both benchmarks use: mostly reads, with admin writes in it (Reload, SetLogLevel and
/// review submissions; backups, jobs and SIGHUP come from the driver).
enum LoadMix {
    static let scores: JSONValue = .object([
        "berorientasi_pelayanan": .int(4), "akuntabel": .int(4), "kompeten": .int(3), "harmonis": .int(4),
        "loyal": .int(5), "adaptif": .int(4), "kolaboratif": .int(4),
    ])

    static func operations(reportWeight: Int) -> [LoadClients.Operation] {
        [
            .init(label: "Ping", weight: 2, isWrite: false) { _ in ("Ping", [:]) },
            .init(label: "GetStatus", weight: 6, isWrite: false) { _ in ("GetStatus", [:]) },
            .init(label: "ListCycles", weight: 4, isWrite: false) { _ in ("ListCycles", [:]) },
            .init(label: "GetCycle", weight: 3, isWrite: false) { c in c.cycle.map { ("GetCycle", ["cycle": .string($0)]) } },
            .init(label: "ListOverdue (50)", weight: 3, isWrite: false) { c in
                c.cycle.map { ("ListOverdue", ["cycle": .string($0), "limit": .int(50)]) }
            },
            .init(label: "ListReminders (50)", weight: 3, isWrite: false) { _ in ("ListReminders", ["limit": .int(50)]) },
            .init(label: "ListJobs", weight: 2, isWrite: false) { _ in ("ListJobs", [:]) },
            .init(label: "FlagSummary", weight: 1, isWrite: false) { _ in ("FlagSummary", [:]) },
            .init(label: "CycleReport", weight: reportWeight, isWrite: false) { c in c.cycle.map { ("CycleReport", ["cycle": .string($0)]) } },
            .init(label: "Reload", weight: 1, isWrite: true) { _ in ("Reload", [:]) },
            .init(label: "SetLogLevel", weight: 1, isWrite: true) { _ in ("SetLogLevel", ["level": .string("warning")]) },
            .init(label: "SubmitReview", weight: 4, isWrite: true) { c in
                c.nextAssignment().map { ("SubmitReview", ["assignment_id": .int($0), "scores": scores, "comment": .string("beban uji")]) }
            },
        ]
    }
}

/// `text` padded with spaces to `width` characters.
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
