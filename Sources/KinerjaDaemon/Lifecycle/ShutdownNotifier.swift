import ServiceLifecycle

/// Runs first in the shutdown order: as soon as SIGTERM starts the graceful shutdown it tells systemd
/// STOPPING=1 and logs, while the other services finish their work.
struct ShutdownNotifier: Service {
    let runtime: DaemonRuntime

    func run() async throws {
        try? await gracefulShutdown()
        runtime.notifier.stopping()
        runtime.logger.notice("Stopping: finishing the work in flight", metadata: ["message_id": "\(MessageIDs.stopping)"])
    }
}
