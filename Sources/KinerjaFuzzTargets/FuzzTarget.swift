/// The fuzz targets of `make fuzz` (docs/fuzzing.md): each drives one real parser of the project with
/// arbitrary bytes and checks properties of what it answers, not only that it does not crash.
///
/// A property that does not hold throws ``FuzzFailure``; the libFuzzer entry point of `kinerja-fuzz`
/// turns that into a crash (so libFuzzer saves the input), the corpus replay test into a test failure.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// NUL framing of Varlink messages, then JSON and call/reply decoding of each frame.
    case varlinkFraming = "varlink-framing"
    /// The strict JSON parser and the serializer.
    case json
    /// The Varlink interface definition parser and printer.
    case idl
    /// Parameter validation of calls against `io.kinerjad.Admin` (and `org.varlink.service`).
    case varlinkParameters = "varlink-parameters"
    /// The employee CSV import.
    case csvEmployees = "csv-employees"
    /// The 360 review CSV import.
    case csvReviews = "csv-reviews"
    /// The SKM survey CSV import.
    case csvSKM = "csv-skm"
    /// The training record CSV import.
    case csvTraining = "csv-training"
    /// The daemon's YAML configuration loader.
    case config
    /// systemd.time(7) calendar expressions.
    case calendar
    /// kinerjactl's escaping of stored text for the terminal.
    case terminalEscape = "terminal-escape"
    /// CSV output for spreadsheets: formula prefixes neutralised, round trip intact.
    case csvFormula = "csv-formula"

    /// Runs the target on one input.
    /// - Throws: ``FuzzFailure`` naming the property that does not hold for `bytes`.
    public func check(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) {
        switch self {
        case .varlinkFraming: try VarlinkFramingFuzz.check(bytes)
        case .json: try JSONFuzz.check(bytes)
        case .idl: try IDLFuzz.check(bytes)
        case .varlinkParameters: try ParameterValidationFuzz.check(bytes)
        case .csvEmployees: try CSVImportFuzz.checkEmployees(bytes)
        case .csvReviews: try CSVImportFuzz.checkReviews(bytes)
        case .csvSKM: try CSVImportFuzz.checkSKM(bytes)
        case .csvTraining: try CSVImportFuzz.checkTraining(bytes)
        case .config: try ConfigFuzz.check(bytes)
        case .calendar: try CalendarFuzz.check(bytes)
        case .terminalEscape: try OutputSafetyFuzz.checkTerminal(bytes)
        case .csvFormula: try OutputSafetyFuzz.checkCSVFormula(bytes)
        }
    }

    /// Runs the target on a byte array.
    public func check(_ bytes: [UInt8]) throws(FuzzFailure) {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(FuzzFailure) in try check(raw) } }
        try result.get()
    }
}

/// A property of a fuzz target that does not hold for an input.
public struct FuzzFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The target whose property failed.
    public var target: FuzzTarget
    /// Which property, and the values that break it.
    public var message: String

    public init(_ target: FuzzTarget, _ message: String) {
        self.target = target
        self.message = message
    }

    public var description: String { "fuzz target \(target.rawValue): \(message)" }
}

/// Helpers shared by the targets.
enum FuzzInput {
    /// The bytes as text, invalid UTF-8 repaired (the readers that take `String` get what a client
    /// that decoded the file would send).
    static func text(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// Number of physical lines of `text` (CRLF, LF or a lone CR end a line); at least 1.
    static func physicalLineCount(_ bytes: some Collection<UInt8>) -> Int {
        var count = 1
        var previousCR = false
        for byte in bytes {
            if byte == 0x0A {
                if !previousCR { count += 1 }
                previousCR = false
            } else if byte == 0x0D {
                count += 1
                previousCR = true
            } else {
                previousCR = false
            }
        }
        return count
    }
}
