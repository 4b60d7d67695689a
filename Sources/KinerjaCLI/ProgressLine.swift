import Foundation

/// A one-line progress display on stderr, shown only when stderr is a terminal (and not with
/// `--quiet` or `--json`), so scripts and logs never see it (docs/domain-rules.md "Long operations show progress
/// on a terminal").
final class ProgressLine: @unchecked Sendable {
    let enabled: Bool
    private var shown = false
    private var last = ContinuousClock.now - .seconds(1)

    init(options: GlobalOptions) {
        enabled = isatty(STDERR_FILENO) == 1 && !options.quiet && !options.json
    }

    /// Replaces the line (at most 10 updates a second unless `force`).
    func update(_ text: String, force: Bool = false) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard force || now - last >= .milliseconds(100) else { return }
        last = now
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
        shown = true
    }

    /// Clears the line.
    func clear() {
        guard enabled, shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        shown = false
    }

    static func count(_ done: Int, of total: Int) -> String {
        total > 0 ? "\(done)/\(total) (\(done * 100 / total)%)" : "\(done)"
    }
}
