import KinerjaCalendar

/// What `systemd-analyze calendar [--iterations=N] [--base-time=T] EXPRESSION...` prints, produced
/// without running it: `kinerjactl calendar` prints ``standardOutput`` and ``standardError`` and
/// exits with ``exitStatus``.
public struct CalendarReport: Sendable, Hashable {
    /// Text for standard output (each line ends with a newline).
    public var standardOutput: String
    /// Diagnostics for standard error, one per line (each ends with a newline).
    public var standardError: String
    /// 0 when every expression was valid and computable, else 1.
    public var exitStatus: Int32
    /// The parse errors, in the order of the expressions, for callers wanting details.
    public var errors: [CalendarError]

    /// Builds the report.
    ///
    /// - Parameters:
    ///   - expressions: the calendar expressions, as given on the command line.
    ///   - baseTime: `--base-time`, or nil for `now`.
    ///   - iterations: `--iterations` (systemd's default is 1).
    ///   - localZone: the local zone (the `TZ` the tool runs with).
    ///   - now: the current time (for "From now" and as the default base time).
    ///   - database: where zones named in expressions are looked up.
    public init(
        expressions: [String], baseTime: SystemdTimestamp? = nil, iterations: Int = 1, localZone: ZoneInfo,
        now: SystemdTimestamp, database: ZoneInfoDatabase = .system
    ) {
        let seconds = baseTime.map { Int64(CivilCalendar.floorDiv(Int($0.microseconds), 1_000_000)) }
        self.init(
            expressions: expressions, base: baseTime ?? now, lastLocaltime: seconds, iterations: iterations,
            localZone: localZone, now: now, database: database)
    }

    /// Builds the report from the `--base-time` text as systemd parses it (no ISO 8601).
    ///
    /// - Throws: the reason when the base time cannot be parsed (systemd prints
    ///   `Failed to parse --base-time= parameter: TEXT` and exits with 1).
    public init(
        expressions: [String], baseTimeText: String?, iterations: Int = 1, localZone: ZoneInfo, now: SystemdTimestamp,
        database: ZoneInfoDatabase = .system
    ) throws(TimestampError) {
        var lastLocaltime: Int64?
        var base = now
        if let baseTimeText {
            base = try SystemdTimestamp.parse(
                baseTimeText, now: now, localZone: localZone, database: database, iso8601: false,
                abbreviations: (localZone.standardAbbreviation, localZone.daylightAbbreviation),
                lastLocaltime: &lastLocaltime)
        }
        self.init(
            expressions: expressions, base: base, lastLocaltime: lastLocaltime, iterations: iterations,
            localZone: localZone, now: now, database: database)
    }

    /// - Parameter lastLocaltime: the last moment converted to local time before the first
    ///   expression (glibc's `tzname`, against which local abbreviations are matched, follows it).
    init(
        expressions: [String], base: SystemdTimestamp, lastLocaltime: Int64?, iterations: Int, localZone: ZoneInfo,
        now: SystemdTimestamp, database: ZoneInfoDatabase
    ) {
        var out = ""
        var err = ""
        var status: Int32 = 0
        var errors: [CalendarError] = []
        var tznameTime = lastLocaltime
        for (index, expression) in expressions.enumerated() {
            switch Self.block(
                expression, base: base, iterations: iterations, localZone: localZone, now: now, database: database,
                tznameTime: &tznameTime)
            {
            case .success(let rows):
                out += Self.table(rows, now: now)
            case .failure(let problem):
                status = 1
                err += problem.lines.map { $0 + "\n" }.joined()
                if let error = problem.error { errors.append(error) }
            }
            if index + 1 < expressions.count { out += "\n" }
        }
        standardOutput = out
        standardError = err
        exitStatus = status
        self.errors = errors
    }

    /// Lines for standard error: systemd's own message first, then our reason and its hints.
    struct Problem: Error {
        var lines: [String]
        var error: CalendarError?
    }

    /// The rows of one expression's table, or why it has none.
    ///
    /// `tznameTime` is the last moment converted to local time so far (nil: none yet); it is
    /// updated as systemd's own conversions would move it.
    static func block(
        _ expression: String, base: SystemdTimestamp, iterations: Int, localZone: ZoneInfo, now: SystemdTimestamp,
        database: ZoneInfoDatabase, tznameTime: inout Int64?
    ) -> Result<[Row], Problem> {
        let abbreviations = tznameTime.map { localZone.abbreviations(at: $0) }
            ?? (localZone.standardAbbreviation, localZone.daylightAbbreviation)
        let spec: CalendarSpec
        do {
            spec = try CalendarSpec.parse(
                expression, localAbbreviations: abbreviations, gmtime: localZone.gmtimeCompanion, database: database)
        } catch {
            var lines = [
                "Failed to parse calendar specification '\(expression)': \(error.systemdErrno.rawValue)",
                "Reason: \(error.part.rawValue) at column \(error.position): \(error.reason)",
            ]
            let quoted = "\"\(expression)\""
            if (try? SystemdTimestamp.parse(
                expression, now: now, localZone: localZone, database: database, iso8601: false,
                abbreviations: abbreviations, lastLocaltime: &tznameTime)) != nil
            {
                lines.append("Hint: this expression is a valid timestamp. Use 'systemd-analyze timestamp \(quoted)' instead?")
            }
            if (try? TimeSpan.parse(expression)) != nil {
                lines.append("Hint: this expression is a valid timespan. Use 'systemd-analyze timespan \(quoted)' instead?")
            }
            return .failure(Problem(lines: lines, error: error))
        }
        var rows: [Row] = []
        let normalized = spec.normalized
        if normalized != expression { rows.append(Row("Original form", .text(expression))) }
        rows.append(Row("Normalized form", .text(normalized)))
        var current = base
        for i in 0..<max(iterations, 0) {
            let next: SystemdTimestamp
            let (elapse, lastLocaltime) = spec.nextElapseTracking(after: current, localZone: localZone, database: database)
            if let lastLocaltime { tznameTime = lastLocaltime }
            switch elapse {
            case .at(let timestamp):
                next = timestamp
            case .never:
                if i == 0 {
                    rows.append(Row("Next elapse", .text("never")))
                } else {
                    tznameTime = Int64(CivilCalendar.floorDiv(Int(current.microseconds), 1_000_000))
                }
                return .success(rows)
            case .failed(let failure):
                var lines: [String] = []
                let reason = failure == .noConvergence ? "Resource deadlock avoided" : "Invalid argument"
                // A zone of its own is computed in a child process whose log message is lost.
                if failure == .noConvergence, !spec.hasOwnZoneName {
                    lines.append("Infinite loop in calendar calculation: \(normalized)")
                }
                lines.append("Failed to determine next elapse for '\(expression)': \(reason)")
                return .failure(Problem(lines: lines, error: nil))
            }
            let label = i == 0 ? "Next elapse" : String(repeating: " ", count: max(0, 8 - String(i + 1).count)) + "Iter. #\(i + 1)"
            rows.append(Row(label, .text(next.formatted(in: localZone))))
            if !localZone.isUTCEquivalent { rows.append(Row("(in UTC)", .text(next.formatted(in: localZone, style: .utc)))) }
            rows.append(Row("From now", .relative(next)))
            current = next
        }
        // Printing the table converts each elapse to local time, the last one last.
        if current != base { tznameTime = Int64(CivilCalendar.floorDiv(Int(current.microseconds), 1_000_000)) }
        return .success(rows)
    }

    /// One line of an expression's table.
    struct Row {
        enum Value {
            case text(String)
            /// A time shown relative to "now" (`2h 5min left`).
            case relative(SystemdTimestamp)
        }

        var field: String
        var value: Value

        init(_ field: String, _ value: Value) {
            self.field = field
            self.value = value
        }
    }

    /// systemd's vertical table: field names right-aligned, then `: ` and the value.
    static func table(_ rows: [Row], now: SystemdTimestamp) -> String {
        let width = rows.map { $0.field.count }.max() ?? 0
        return rows.map { row in
            let value: String
            switch row.value {
            case .text(let text): value = text
            case .relative(let timestamp): value = timestamp.formattedRelative(to: now)
            }
            return String(repeating: " ", count: width - row.field.count) + row.field + ": " + value + "\n"
        }.joined()
    }
}
