import Foundation
import KinerjaSystemd
import KinerjaTestSupport
import Testing

/// libsystemd reads NOTIFY_SOCKET at every call, so each test sets it inside an exit test: a child
/// process of its own, leaving the test runner's environment untouched.
@Suite("Notifier through sd_notify")
struct NotifierTests {
    @Test("READY=1 with STATUS, STATUS alone, STOPPING=1 and WATCHDOG=1 arrive as sent, from the sender's pid")
    func lifecycleMessages() async throws {
        let notify = try NotifySocket()
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) { [path = notify.path as String] in
            setenv("NOTIFY_SOCKET", path, 1)
            let notifier = Notifier()
            print(getpid())
            #expect(notifier.ready(status: "siap: 16012 pegawai").wasSent)
            #expect(notifier.status("penilaian terbuka: 3 siklus").wasSent)
            #expect(notifier.watchdog().wasSent)
            #expect(notifier.stopping(status: "berhenti").wasSent)
            #expect(getenv("NOTIFY_SOCKET") != nil)
        }
        let childPID = try #require(result.flatMap { pid_t(String(decoding: $0.standardOutputContent, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) })

        let ready = try await notify.next()
        #expect(ready.text == "READY=1\nSTATUS=siap: 16012 pegawai")
        #expect(ready.senderPID == childPID)
        #expect(try await notify.next().text == "STATUS=penilaian terbuka: 3 siklus")
        #expect(try await notify.next().text == "WATCHDOG=1")
        let stopping = try await notify.next()
        #expect(stopping["STOPPING"] == "1")
        #expect(stopping["STATUS"] == "berhenti")
    }

    @Test("RELOADING=1 carries MONOTONIC_USEC from CLOCK_MONOTONIC, then READY=1")
    func reloading() async throws {
        let notify = try NotifySocket()
        let before = MonotonicClock.microseconds()
        await #expect(processExitsWith: .success) { [path = notify.path as String] in
            setenv("NOTIFY_SOCKET", path, 1)
            let notifier = Notifier()
            #expect(notifier.reloading(status: "memuat ulang konfigurasi").wasSent)
            #expect(notifier.ready(status: "konfigurasi dimuat ulang").wasSent)
        }
        let after = MonotonicClock.microseconds()

        let reloading = try await notify.waitFor(prefix: "RELOADING=1")
        #expect(reloading.assignments.map(\.name) == ["RELOADING", "MONOTONIC_USEC", "STATUS"])
        let stamp = try #require(reloading["MONOTONIC_USEC"].flatMap(UInt64.init))
        #expect(stamp >= before && stamp <= after, "MONOTONIC_USEC=\(stamp) outside [\(before), \(after)]")
        let ready = try await notify.next()
        #expect(ready.text == "READY=1\nSTATUS=konfigurasi dimuat ulang")
    }

    @Test("a newline in STATUS cannot start a second assignment")
    func statusIsOneLine() async throws {
        let notify = try NotifySocket()
        await #expect(processExitsWith: .success) { [path = notify.path as String] in
            setenv("NOTIFY_SOCKET", path, 1)
            #expect(Notifier().status("baris satu\nREADY=1").wasSent)
        }
        let message = try await notify.next()
        #expect(message.text == "STATUS=baris satu READY=1")
        #expect(message["READY"] == nil)
    }

    @Test("without NOTIFY_SOCKET nothing is sent and that is not an error")
    func notConfigured() async {
        await #expect(processExitsWith: .success) {
            unsetenv("NOTIFY_SOCKET")
            let result = Notifier().ready()
            #expect(result.wasNotConfigured)
            #expect(result.error == nil)
        }
    }

    @Test("a NOTIFY_SOCKET nobody listens on is reported as a failure with its errno")
    func sendFailure() async throws {
        let directory = try TemporaryDirectory()
        await #expect(processExitsWith: .success) { [path = directory.path("missing.sock") as String] in
            setenv("NOTIFY_SOCKET", path, 1)
            let result = Notifier().ready()
            #expect(!result.wasSent)
            #expect(result.error?.code == .notify)
            #expect(result.error?.errno == ENOENT)
            #expect(result.error?.message == "sd_notify(\"READY=1\") failed")
        }
    }

    @Test("unsetEnvironment removes NOTIFY_SOCKET after the first send")
    func unsetsEnvironment() async throws {
        let notify = try NotifySocket()
        await #expect(processExitsWith: .success) { [path = notify.path as String] in
            setenv("NOTIFY_SOCKET", path, 1)
            let notifier = Notifier(unsetEnvironment: true)
            #expect(notifier.ready().wasSent)
            #expect(getenv("NOTIFY_SOCKET") == nil)
            #expect(notifier.status("tidak terkirim").wasNotConfigured)
        }
        #expect(try await notify.next().text == "READY=1")
        #expect(notify.history.count == 1)
    }

    @Test("NotifySocket also reads what systemd's own systemd-notify sends")
    func systemdNotifyInterop() async throws {
        let notify = try NotifySocket()
        let result = try await Subprocess.run(
            "systemd-notify", arguments: ["--ready", "--status=dari systemd-notify"],
            environment: Subprocess.environment(adding: ["NOTIFY_SOCKET": notify.path])
        )
        #expect(result.status == .exited(0), "\(result.standardErrorText)")
        let message = try await notify.waitFor(prefix: "READY=1")
        #expect(message["STATUS"] == "dari systemd-notify")
    }
}

@Suite("Watchdog from WATCHDOG_USEC and WATCHDOG_PID")
struct WatchdogTests {
    @Test("the ping interval is half of WATCHDOG_USEC when WATCHDOG_PID is this process")
    func enabled() async {
        await #expect(processExitsWith: .success) {
            setenv("WATCHDOG_USEC", "3000000", 1)
            setenv("WATCHDOG_PID", String(getpid()), 1)
            let watchdog = try #require(try Watchdog.fromEnvironment())
            #expect(watchdog.timeout == .seconds(3))
            #expect(watchdog.pingInterval == .milliseconds(1500))
            #expect(getenv("WATCHDOG_USEC") != nil)
        }
    }

    @Test("without WATCHDOG_PID the watchdog is this process's")
    func enabledWithoutPID() async {
        await #expect(processExitsWith: .success) {
            setenv("WATCHDOG_USEC", "20000000", 1)
            unsetenv("WATCHDOG_PID")
            let watchdog = try Watchdog.fromEnvironment()
            #expect(watchdog?.pingInterval == .seconds(10))
        }
    }

    @Test("WATCHDOG_PID naming another process, or no WATCHDOG_USEC, disables it")
    func disabled() async {
        await #expect(processExitsWith: .success) {
            setenv("WATCHDOG_USEC", "3000000", 1)
            setenv("WATCHDOG_PID", String(getppid()), 1)
            let otherProcess = try Watchdog.fromEnvironment()
            #expect(otherProcess == nil)
            unsetenv("WATCHDOG_USEC")
            unsetenv("WATCHDOG_PID")
            let unset = try Watchdog.fromEnvironment()
            #expect(unset == nil)
        }
    }

    @Test("a malformed WATCHDOG_USEC is an error, and unsetEnvironment clears both variables")
    func malformedAndUnset() async {
        await #expect(processExitsWith: .success) {
            setenv("WATCHDOG_USEC", "soon", 1)
            #expect {
                try Watchdog.fromEnvironment()
            } throws: { error in
                (error as? SystemdError)?.code == .watchdog && (error as? SystemdError)?.errno == EINVAL
            }
            setenv("WATCHDOG_USEC", "1000000", 1)
            setenv("WATCHDOG_PID", String(getpid()), 1)
            let watchdog = try Watchdog.fromEnvironment(unsetEnvironment: true)
            #expect(watchdog?.timeout == .seconds(1))
            #expect(getenv("WATCHDOG_USEC") == nil)
            #expect(getenv("WATCHDOG_PID") == nil)
        }
    }
}
