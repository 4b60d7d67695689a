import Foundation

extension Scheduler {
    /// Runs job `name` once more because the data it reads changed at `asOf` (a cycle closed),
    /// without waiting: at once when it is idle; when it is running, right after that run, which may
    /// have read the data before the change. A run that starts while this one waits covers the change
    /// too, so at most one extra run is started. An unknown job is ignored.
    public func rerun(_ name: String, because reason: String, asOf: Date) {
        let logger = runtime.logger
        Task {
            for attempt in 0..<2 {
                do {
                    _ = try await runNow(name, asOf: asOf)
                    return
                } catch RunError.alreadyRunning {
                    if attempt == 1 { return }
                    logger.debug("Job \(name) is running; it runs again when done (\(reason))")
                    await waitUntilStopped(name)
                } catch {
                    return
                }
            }
        }
    }

    /// Waits until job `name` is not running.
    func waitUntilStopped(_ name: String) async {
        while runningJobs.contains(name) {
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
