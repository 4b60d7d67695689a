import ServiceLifecycle
import UnixSignals

/// Re-reads the configuration on SIGHUP (`systemctl reload kinerjad` sends it through ExecReload=).
struct ReloadOnHangup: Service {
    let runtime: DaemonRuntime
    /// Created before READY=1 so that no SIGHUP is lost (or kills the process) while starting.
    let signals: UnixSignalsSequence

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                runtime.reload()
            }
        }
    }
}
