import Logging

/// The stderr line format: `<N>message key=value key=value`, with `<N>` the syslog priority that
/// journald's stdout/stderr capture reads (`SyslogLevelPrefix=`), metadata sorted by key.
///
/// One log call is always one line: newlines in the message are written as `\n`, and metadata
/// values that are empty or contain spaces, quotes, `=` or control characters are quoted.
public enum LogLineFormat {
    /// The line for one event, ending in a newline.
    public static func line(priority: SyslogPriority, message: String, metadata: Logger.Metadata) -> String {
        var line = "<\(priority.rawValue)>" + escapeControlCharacters(message)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " " + quotedIfNeeded(escapeKey(key)) + "=" + quotedIfNeeded(LogMetadata.text(of: value))
        }
        return line + "\n"
    }

    private static func escapeKey(_ key: String) -> String {
        String(String.UnicodeScalarView(key.unicodeScalars.map { scalar in
            scalar == " " || scalar == "=" || scalar.value < 0x20 || scalar.value == 0x7F ? "_" : scalar
        }))
    }

    private static func quotedIfNeeded(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { scalar in
            scalar == " " || scalar == "\"" || scalar == "=" || scalar == "\\" || scalar.value < 0x20 || scalar.value == 0x7F
        }
        guard needsQuotes else { return value }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            default: quoted += escapeControlCharacters(String(scalar))
            }
        }
        return quoted + "\""
    }

    private static func escapeControlCharacters(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                escaped += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}

/// Metadata helpers shared by the handlers.
enum LogMetadata {
    /// The effective metadata of one event, merged as swift-log's own handlers do: the handler's
    /// metadata, overridden by the metadata provider's, overridden by the call's; an attached
    /// error adds `error.message` and `error.type`.
    static func effective(
        handler: Logger.Metadata,
        provider: Logger.MetadataProvider?,
        event: Logger.Metadata?,
        error: (any Error)?
    ) -> Logger.Metadata {
        var metadata = handler
        if let provided = provider?.get(), !provided.isEmpty {
            metadata.merge(provided) { _, provided in provided }
        }
        if let event, !event.isEmpty {
            metadata.merge(event) { _, explicit in explicit }
        }
        if let error {
            metadata["error.message"] = "\(error)"
            metadata["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return metadata
    }

    /// A metadata value as text: strings as they are, other values as swift-log describes them.
    static func text(of value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array, .dictionary: value.description
        }
    }
}
