/// A training (pelatihan / pengembangan kompetensi) an employee attended.
///
/// Rule implemented: docs/domain-rules.md "training records can be imported and are used by the rules" (e.g.
/// `stalled_development`); a record is (NIP, course, date, hours). Hours are positive.
public struct TrainingRecord: Sendable, Hashable, Codable {
    public var nip: NIP
    public var course: String
    public var date: CalendarDate
    public var hours: Double

    public init(nip: NIP, course: String, date: CalendarDate, hours: Double) {
        self.nip = nip
        self.course = course
        self.date = date
        self.hours = hours
    }
}

/// Validation of a training file (`kinerjactl import training FILE`).
///
/// Columns (any order, case-insensitive): `nip`; `course` (aliases `pelatihan`, `kursus`); `date`
/// (alias `tanggal`) as `YYYY-MM-DD` or, as Indonesian spreadsheets write it, `DD/MM/YYYY`; `hours`
/// (alias `jam`), a positive number with `.` or `,` as decimal mark, at most 1,000. Checks: NIP
/// structure, employee known (when `knownEmployees` is given), real date, course not empty and at most
/// 255 characters, the same (nip, course, date) twice (both lines named). All problems up to the cap.
public enum TrainingImport {
    public static let schema = CSVSchema([
        .init("nip"), .init("course", aliases: ["pelatihan", "kursus"]), .init("date", aliases: ["tanggal"]),
        .init("hours", aliases: ["jam"]),
    ])

    /// Most hours accepted for one record.
    public static let maxHours = 1000.0

    public static func validate(csv text: String, knownEmployees: Set<NIP>? = nil,
                                problemCap: Int = ProblemCollector.defaultCap) -> Result<[TrainingRecord], ImportFailure> {
        var collector = ProblemCollector(cap: problemCap)
        guard let (columns, records) = ImportReading.read(csv: text, schema: schema, collector: &collector) else {
            return .failure(collector.failure)
        }
        return validate(records: records, columns: columns, knownEmployees: knownEmployees, collector: &collector)
    }

    public static func validate(records: [CSVRecord], columns: CSVColumnMap, knownEmployees: Set<NIP>? = nil,
                                problemCap: Int = ProblemCollector.defaultCap) -> Result<[TrainingRecord], ImportFailure> {
        var collector = ProblemCollector(cap: problemCap)
        return validate(records: records, columns: columns, knownEmployees: knownEmployees, collector: &collector)
    }

    /// `YYYY-MM-DD` or `D/M/YYYY` (day first), a real date.
    public static func parseDate(_ text: String) -> CalendarDate? {
        let t = text.trimmed
        if let iso = CalendarDate(iso: t) { return iso }
        let parts = t.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count),
              parts[2].count == 4,
              let d = FieldValue.integer(String(parts[0])), let m = FieldValue.integer(String(parts[1])),
              let y = FieldValue.integer(String(parts[2])) else { return nil }
        return CalendarDate(year: y, month: m, day: d)
    }

    static func validate(records: [CSVRecord], columns: CSVColumnMap, knownEmployees: Set<NIP>?,
                         collector: inout ProblemCollector) -> Result<[TrainingRecord], ImportFailure> {
        var accumulator = Accumulator(columns: columns, knownEmployees: knownEmployees, collector: collector)
        accumulator.add(records)
        return accumulator.finish()
    }

    /// Validation of a file that arrives in batches (the daemon's streamed import): each record is
    /// checked as it is added, duplicates are found across batches, and `finish()` gives what
    /// `validate(csv:)` would give for the whole file.
    public struct Accumulator: Sendable, CSVRecordAccumulator {
        private struct Key: Hashable { var nip: NIP; var course: String; var date: CalendarDate }

        public let columns: CSVColumnMap
        private let knownEmployees: Set<NIP>?
        var collector: ProblemCollector
        private var firstLine: [Key: Int] = [:]
        private var result: [TrainingRecord] = []
        /// Non-blank records added so far.
        public internal(set) var recordCount = 0

        /// Makes room for `count` records at once (the client knows how many it will send), so the
        /// kept values are not copied and doubled as they grow.
        public mutating func reserveCapacity(_ count: Int) {
            result.reserveCapacity(count)
        }

        /// Starts an import of a file whose header bound to `columns`.
        public init(columns: CSVColumnMap, knownEmployees: Set<NIP>? = nil, problemCap: Int = ProblemCollector.defaultCap) {
            self.init(columns: columns, knownEmployees: knownEmployees, collector: ProblemCollector(cap: problemCap))
        }

        init(columns: CSVColumnMap, knownEmployees: Set<NIP>?, collector: ProblemCollector) {
            self.columns = columns
            self.knownEmployees = knownEmployees
            self.collector = collector
        }

        /// Problems found so far (including those beyond the cap).
        public var problemCount: Int { collector.totalCount }

        /// Dates beyond it are refused; `nil` checks none.
        public var horizon: DateHorizon?

        /// Checks `records` (blank ones skipped, field counts checked) and keeps the valid ones.
        public mutating func add(_ records: [CSVRecord]) {
            addRecords(records)
        }

        /// The records in file order, or every problem found (up to the cap).
        public func finish() -> Result<[TrainingRecord], ImportFailure> {
            finishRecords()
        }

        /// The records kept so far (CSVRecordAccumulator).
        var kept: [TrainingRecord] { result }

        mutating func check(_ record: CSVRecord) {
            let before = collector.totalCount
            let nipText = columns.value("nip", in: record)
            var nip: NIP?
            if nipText.isEmpty {
                report(record, "nip", .missingValue, "nip is required")
            } else {
                switch NIP.parse(nipText) {
                case .success(let n):
                    nip = n
                    if let knownEmployees, !knownEmployees.contains(n) {
                        report(record, "nip", .unknownEmployee, "no employee has NIP \(n)")
                    }
                case .failure(let error):
                    report(record, "nip", .badNIP, "'\(nipText)' is not a valid NIP: \(error.message)")
                }
            }
            let course = columns.value("course", in: record)
            if course.isEmpty {
                report(record, "course", .missingValue, "course is required")
            } else if course.count > 255 {
                report(record, "course", .tooLong, "course has \(course.count) characters, at most 255 allowed")
            }
            let dateText = columns.value("date", in: record)
            let date = TrainingImport.parseDate(dateText)
            if dateText.isEmpty {
                report(record, "date", .missingValue, "date is required (YYYY-MM-DD or DD/MM/YYYY)")
            } else if date == nil {
                report(record, "date", .badDate, "'\(dateText)' is not a real date written YYYY-MM-DD or DD/MM/YYYY")
            } else if let date, let message = horizon?.problem(date: date) {
                report(record, "date", .tooFarAhead, message)
            }
            let hoursText = columns.value("hours", in: record)
            let hours = FieldValue.decimal(hoursText)
            if hoursText.isEmpty {
                report(record, "hours", .missingValue, "hours is required")
            } else if let h = hours, h > 0, h <= TrainingImport.maxHours {
                // valid
            } else {
                report(record, "hours", .badNumber, "hours must be a number greater than 0 and at most 1000, found '\(hoursText)'")
            }
            if let nip, let date, !course.isEmpty {
                let key = Key(nip: nip, course: course.lowercased(), date: date)
                if let first = firstLine[key] {
                    report(record, "course", .duplicateRecord,
                           "the same training (\(nip), '\(course)', \(date)) is on lines \(first) and \(record.line)")
                } else {
                    firstLine[key] = record.line
                }
            }
            if collector.totalCount == before, let nip, let date, let hours {
                result.append(TrainingRecord(nip: nip, course: course, date: date, hours: hours))
            }
        }
    }
}
