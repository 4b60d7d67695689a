import Foundation

/// How a catalogue course is given.
public enum TrainingMode: String, Sendable, Hashable, Codable, CaseIterable {
    case klasikal
    case eLearning = "e-learning"
    case coaching

    /// `klasikal`, `e-learning` (also `e_learning`, `elearning`), `coaching`, any case.
    public init?(parsing text: String) {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "klasikal": self = .klasikal
        case "e-learning", "e_learning", "elearning": self = .eLearning
        case "coaching": self = .coaching
        default: return nil
        }
    }
}

/// A course of the training catalogue (pengembangan kompetensi) and what it builds: BerAKHLAK values
/// and/or other competencies by name.
public struct TrainingCourse: Sendable, Hashable, Codable {
    public var code: String
    public var title: String
    public var provider: String
    public var mode: TrainingMode
    public var hours: Double
    public var values: [BerAKHLAKValue]
    public var competencies: [String]

    public init(code: String, title: String, provider: String, mode: TrainingMode, hours: Double, values: [BerAKHLAKValue],
                competencies: [String]) {
        self.code = code
        self.title = title
        self.provider = provider
        self.mode = mode
        self.hours = hours
        self.values = values
        self.competencies = competencies
    }
}

/// One BerAKHLAK value's mean over a window, and from whom (`atasan`, `rekan`).
public struct ValueMean: Sendable, Hashable {
    public var value: BerAKHLAKValue
    public var mean: Double
    public var sources: [String]

    public init(value: BerAKHLAKValue, mean: Double, sources: [String]) {
        self.value = value
        self.mean = mean
        self.sources = sources
    }
}

/// A course recommended for a follow-up, with why.
public struct TrainingRecommendation: Sendable, Hashable {
    public var course: TrainingCourse
    /// e.g. `nilai terendah: Kolaboratif 2,40 dari atasan dan rekan`.
    public var reason: String
}

/// The training catalogue file and matching its courses to an employee's weakest values.
///
/// File (CSV, header required, columns in any order, case-insensitive): `code`, `title` (alias
/// `judul`), `provider` (alias `penyelenggara`), `mode` (klasikal, e-learning, coaching), `hours`
/// (alias `jp`; more than 0, at most 1000), `builds` (aliases `values`, `competencies`, `nilai`:
/// BerAKHLAK values or competency names separated by `;`). A code appears once.
///
/// Matching (docs/admin-guide.md, "Follow-up tasks"): the values are ranked by their mean over the
/// flag's window, lowest first; the courses building the lowest value come first, then those building
/// the second lowest, shorter courses first, then by code; at most `limit`.
public enum TrainingCatalogue {
    static let columns: [(name: String, aliases: [String])] = [
        ("code", ["kode"]), ("title", ["judul"]), ("provider", ["penyelenggara"]), ("mode", []), ("hours", ["jp"]),
        ("builds", ["values", "competencies", "nilai"]),
    ]

    public static func parse(csv text: String) -> Result<[TrainingCourse], FollowupInputError> {
        do {
            let document = try CSVParser.parse(text)
            return parse(header: document.header, records: document.records)
        } catch {
            return .failure(FollowupInputError(problems: ["\(error)"]))
        }
    }

    /// The same from records already read (the control door receives them so).
    public static func parse(header headerRecord: CSVRecord, records: [CSVRecord]) -> Result<[TrainingCourse], FollowupInputError> {
        let header = headerRecord.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var index: [String: Int] = [:]
        var problems: [String] = []
        for column in columns {
            if let i = header.firstIndex(where: { $0 == column.name || column.aliases.contains($0) }) {
                index[column.name] = i
            } else {
                problems.append("line \(headerRecord.line): the header has no column \(column.name)")
            }
        }
        guard problems.isEmpty else { return .failure(FollowupInputError(problems: problems)) }
        var courses: [TrainingCourse] = []
        var seen: [String: Int] = [:]
        for record in records {
            func field(_ name: String) -> String {
                let i = index[name]!
                return i < record.fields.count ? record.fields[i].trimmingCharacters(in: .whitespaces) : ""
            }
            let at = "line \(record.line)"
            let code = field("code"), title = field("title"), provider = field("provider")
            if code.isEmpty { problems.append("\(at), field code: empty") }
            if let first = seen[code.lowercased()], !code.isEmpty { problems.append("\(at), field code: \(code) is also on line \(first)") }
            seen[code.lowercased()] = seen[code.lowercased()] ?? record.line
            if title.isEmpty || title.count > 255 { problems.append("\(at), field title: 1 to 255 characters required") }
            if provider.isEmpty { problems.append("\(at), field provider: empty") }
            let mode = TrainingMode(parsing: field("mode"))
            if mode == nil { problems.append("\(at), field mode: '\(field("mode"))' is not one of klasikal, e-learning, coaching") }
            let hours = Double(field("hours").replacingOccurrences(of: ",", with: "."))
            if hours.map({ !($0 > 0 && $0 <= 1000) }) ?? true { problems.append("\(at), field hours: '\(field("hours"))' is not a number above 0 and at most 1000") }
            let builds = field("builds").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if builds.isEmpty { problems.append("\(at), field builds: name at least one BerAKHLAK value or competency (separated by ;)") }
            let values = builds.compactMap(Self.value)
            let competencies = builds.filter { Self.value($0) == nil }
            if let mode, let hours, problems.isEmpty {
                courses.append(TrainingCourse(code: code, title: title, provider: provider, mode: mode, hours: hours, values: values,
                                              competencies: competencies))
            }
        }
        if records.isEmpty { problems.append("the file has no courses") }
        return problems.isEmpty ? .success(courses) : .failure(FollowupInputError(problems: problems))
    }

    /// A BerAKHLAK value by its column name or its name (`Berorientasi Pelayanan`), any case.
    static func value(_ text: String) -> BerAKHLAKValue? {
        let key = text.lowercased()
        return BerAKHLAKValue.allCases.first { $0.rawValue == key.replacingOccurrences(of: " ", with: "_") || $0.name.lowercased() == key }
    }

    public static func recommend(_ means: [ValueMean], from catalogue: [TrainingCourse], limit: Int = 3) -> [TrainingRecommendation] {
        var result: [TrainingRecommendation] = []
        for m in means.sorted(by: { ($0.mean, $0.value.rawValue) < ($1.mean, $1.value.rawValue) }) where result.count < limit {
            let reason = "nilai terendah: \(m.value.name) \(IndonesianFormat.decimal(m.mean, places: 1)) dari "
                + m.sources.joined(separator: " dan ")
            for course in catalogue.filter({ $0.values.contains(m.value) }).sorted(by: { ($0.hours, $0.code) < ($1.hours, $1.code) })
            where result.count < limit && !result.contains(where: { $0.course.code == course.code }) {
                result.append(TrainingRecommendation(course: course, reason: reason))
            }
        }
        return result
    }
}
