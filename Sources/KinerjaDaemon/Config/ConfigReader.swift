import Foundation
import KinerjaSchedule
import Yams

/// Collects problems while a configuration tree is read, so that one pass reports all of them.
final class ConfigProblemSink {
    let file: String
    /// Relative paths in the file are resolved against this directory (the file's own directory).
    let baseDirectory: String
    private(set) var problems: [ConfigProblem] = []

    init(file: String) {
        self.file = file
        let absolute = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        self.baseDirectory = URL(fileURLWithPath: absolute).deletingLastPathComponent().standardizedFileURL.path
    }

    func add(_ message: String, keyPath: String, mark: Mark?) {
        problems.append(ConfigProblem(file: file, line: mark?.line, column: mark?.column, keyPath: keyPath, message: message))
    }
}

/// A strict reader over one YAML mapping. Every key read is remembered; `finish()` reports any key that
/// nobody asked for as unknown, so a typo never silently falls back to a default.
final class ConfigReader {
    let sink: ConfigProblemSink
    let path: [String]
    private let mapping: Node.Mapping?
    private let mark: Mark?
    private var known: Set<String> = []
    private var children: [ConfigReader] = []

    init(node: Node?, path: [String], sink: ConfigProblemSink) {
        self.sink = sink
        self.path = path
        self.mark = node?.mark
        switch node {
        case nil:
            mapping = nil
        case .some(.mapping(let m)):
            mapping = m
        case .some(.scalar(let s)) where s.tag == Tag(.null) || s.string.isEmpty:
            mapping = nil // `section:` with nothing under it means "all defaults"
        case .some(let other):
            mapping = nil
            sink.add("expected a mapping of keys, found \(ConfigReader.kind(of: other))",
                     keyPath: path.joined(separator: "."), mark: other.mark)
        }
    }

    func keyPath(_ key: String) -> String {
        (path + (key.isEmpty ? [] : [key])).joined(separator: ".")
    }

    private func node(_ key: String) -> Node? {
        known.insert(key)
        return mapping?[key]
    }

    /// Whether the key is present in the file (it is then also marked as known).
    func has(_ key: String) -> Bool {
        node(key) != nil
    }

    /// A nested section; missing sections read as empty (all defaults).
    func section(_ key: String) -> ConfigReader {
        let child = ConfigReader(node: node(key), path: path + [key], sink: sink)
        children.append(child)
        return child
    }

    /// Reads a scalar and converts it. `expected` describes the accepted form for the error message.
    func value<T>(_ key: String, default defaultValue: T, expected: String, _ convert: (String) -> T?) -> T {
        guard let n = node(key) else { return defaultValue }
        guard case .scalar(let scalar) = n else {
            sink.add("expected \(expected), found \(ConfigReader.kind(of: n))", keyPath: keyPath(key), mark: n.mark)
            return defaultValue
        }
        if let converted = convert(scalar.string) { return converted }
        sink.add("invalid value \"\(scalar.string)\": expected \(expected)", keyPath: keyPath(key), mark: n.mark)
        return defaultValue
    }

    func string(_ key: String, default defaultValue: String, nonEmpty: Bool = true) -> String {
        value(key, default: defaultValue, expected: nonEmpty ? "a non-empty string" : "a string") { text in
            nonEmpty && text.isEmpty ? nil : text
        }
    }

    func int(_ key: String, default defaultValue: Int, range: ClosedRange<Int>) -> Int {
        value(key, default: defaultValue, expected: "an integer from \(range.lowerBound) to \(range.upperBound)") { text in
            guard let v = Int(text), range.contains(v) else { return nil }
            return v
        }
    }

    func double(_ key: String, default defaultValue: Double, range: ClosedRange<Double>) -> Double {
        value(key, default: defaultValue, expected: "a number from \(range.lowerBound) to \(range.upperBound)") { text in
            guard let v = Double(text), v.isFinite, range.contains(v) else { return nil }
            return v
        }
    }

    func bool(_ key: String, default defaultValue: Bool) -> Bool {
        value(key, default: defaultValue, expected: "true or false") { text in
            switch text.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: return nil
            }
        }
    }

    /// A filesystem path: absolute, or relative to the configuration file's directory.
    func path(_ key: String, default defaultValue: String) -> String {
        value(key, default: defaultValue, expected: "a path (absolute, or relative to the configuration file)") { text in
            guard !text.isEmpty, !text.contains("\0") else { return nil }
            if text.hasPrefix("/") { return text }
            return URL(fileURLWithPath: sink.baseDirectory + "/" + text).standardizedFileURL.path
        }
    }

    /// A systemd time span (`90s`, `5min`, `2h 30min`, `14d`), strictly positive unless `allowZero`.
    func duration(_ key: String, default defaultValue: Duration, allowZero: Bool = false) -> Duration {
        value(key, default: defaultValue, expected: "a time span such as 90s, 5min, 2h 30min or 14d") { text in
            guard let span = try? TimeSpan.parse(text), !span.isInfinite,
                  span.microseconds <= UInt64(Int64.max) else { return nil }
            let d = Duration.microseconds(Int64(span.microseconds))
            return (d > .zero || (allowZero && d == .zero)) ? d : nil
        }
    }

    /// A byte size: a plain integer or one with a K, M or G suffix (powers of 1024, as systemd reads them).
    func byteSize(_ key: String, default defaultValue: Int, range: ClosedRange<Int>) -> Int {
        let lo = range.lowerBound, hi = range.upperBound
        return value(key, default: defaultValue, expected: "a size in bytes from \(lo) to \(hi), optionally with K, M or G (e.g. 1M)") { text in
            guard let v = ConfigReader.parseByteSize(text), range.contains(v) else { return nil }
            return v
        }
    }

    /// One of a fixed set of words.
    func choice<T>(_ key: String, default defaultValue: T, _ choices: [(String, T)]) -> T {
        let names = choices.map(\.0)
        return value(key, default: defaultValue, expected: "one of \(names.joined(separator: ", "))") { text in
            choices.first { $0.0 == text.lowercased() }?.1
        }
    }

    /// A sequence of scalars, each converted; problems name the item's index.
    func list<T>(_ key: String, default defaultValue: [T], expected: String, _ convert: (String) -> T?) -> [T] {
        guard let n = node(key) else { return defaultValue }
        guard case .sequence(let seq) = n else {
            if case .scalar(let s) = n, s.string.isEmpty || s.tag == Tag(.null) { return [] }
            sink.add("expected a list of \(expected), found \(ConfigReader.kind(of: n))", keyPath: keyPath(key), mark: n.mark)
            return defaultValue
        }
        var result: [T] = []
        for (index, item) in seq.enumerated() {
            let itemPath = "\(keyPath(key))[\(index)]"
            guard case .scalar(let s) = item else {
                sink.add("expected \(expected), found \(ConfigReader.kind(of: item))", keyPath: itemPath, mark: item.mark)
                continue
            }
            if let v = convert(s.string) {
                result.append(v)
            } else {
                sink.add("invalid value \"\(s.string)\": expected \(expected)", keyPath: itemPath, mark: item.mark)
            }
        }
        return result
    }

    /// A mapping with free-form keys (e.g. templates, weights per role); each value read as a scalar.
    func entries(_ key: String) -> [(key: String, value: String, mark: Mark?)]? {
        guard let n = node(key) else { return nil }
        guard case .mapping(let m) = n else {
            sink.add("expected a mapping, found \(ConfigReader.kind(of: n))", keyPath: keyPath(key), mark: n.mark)
            return nil
        }
        var out: [(String, String, Mark?)] = []
        for (k, v) in m {
            guard case .scalar(let ks) = k, case .scalar(let vs) = v else {
                sink.add("expected key: value pairs of plain values", keyPath: keyPath(key), mark: k.mark)
                continue
            }
            out.append((ks.string, vs.string, v.mark))
        }
        return out
    }

    /// Every key of this section as a nested section of its own (a mapping whose keys are names
    /// the file chooses, such as `appraisers:`), in file order.
    func namedSections() -> [(name: String, reader: ConfigReader)] {
        guard let mapping else { return [] }
        return mapping.compactMap { k, _ in k.string.map { ($0, section($0)) } }
    }

    /// Reports a problem attached to a key of this section (used by whole-config validation).
    func problem(_ key: String, _ message: String) {
        sink.add(message, keyPath: keyPath(key), mark: mapping?[key]?.mark ?? mark)
    }

    /// Reports every key of this section (and of the sections read below it) that no reader asked for.
    func finish() {
        if let mapping {
            for (k, _) in mapping {
                let name = k.string ?? "?"
                if !known.contains(name) {
                    let expected = known.sorted().joined(separator: ", ")
                    sink.add("unknown key (known keys here: \(expected))", keyPath: keyPath(name), mark: k.mark)
                }
            }
        }
        for child in children { child.finish() }
    }

    static func kind(of node: Node) -> String {
        switch node {
        case .scalar(let s): return "the value \"\(s.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    static func parseByteSize(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let last = t.last else { return nil }
        let multipliers: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        if let m = multipliers[Character(last.uppercased())] {
            guard let n = Int(t.dropLast()), n >= 0, n <= Int.max / m else { return nil }
            return n * m
        }
        return Int(t)
    }
}
