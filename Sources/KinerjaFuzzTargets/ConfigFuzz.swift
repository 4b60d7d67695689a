import KinerjaDaemon

/// Properties of the configuration loader (`DaemonConfig.parse(yaml:file:)`, what `kinerjad` and
/// `kinerjad --check-config` run):
/// - every problem names the file, a line inside the text and a column ≥ 1 when it names a line, and
///   every problem about a key (non-empty key path) names a line: `file:line:col: key: reason`;
/// - problems are ordered by line and column.
enum ConfigFuzz {
    static let file = "/etc/kinerjad/fuzz.yaml"

    static func check(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) {
        let text = FuzzInput.text(bytes)
        guard case .failure(let error) = load(text) else { return }
        try checkProblems(error.problems, text: text)
    }

    static func load(_ text: String) -> Result<DaemonConfig, ConfigError> {
        do {
            return .success(try DaemonConfig.parse(yaml: text, file: file))
        } catch {
            return .failure(error)
        }
    }

    static func checkProblems(_ problems: [ConfigProblem], text: String) throws(FuzzFailure) {
        guard !problems.isEmpty else { throw FuzzFailure(.config, "a configuration error without problems") }
        // Yams counts lines like libyaml: LF, CR and CRLF end a line, and so do NEL, LS and PS.
        let lines = FuzzInput.physicalLineCount(Array(text.utf8)) + text.unicodeScalars.count(where: {
            $0 == "\u{85}" || $0 == "\u{2028}" || $0 == "\u{2029}"
        })
        for problem in problems {
            guard problem.file == file, !problem.message.isEmpty else {
                throw FuzzFailure(.config, "problem without file or reason: \(problem)")
            }
            if let line = problem.line {
                guard (1...lines).contains(line), (problem.column ?? 1) >= 1 else {
                    throw FuzzFailure(.config, "problem outside the \(lines)-line text: \(problem)")
                }
            } else if !problem.keyPath.isEmpty {
                throw FuzzFailure(.config, "problem about a key without a line: \(problem)")
            }
        }
        for (a, b) in zip(problems, problems.dropFirst())
        where (a.line ?? 0, a.column ?? 0) > (b.line ?? 0, b.column ?? 0) {
            throw FuzzFailure(.config, "problems out of order: \(a) before \(b)")
        }
    }
}
