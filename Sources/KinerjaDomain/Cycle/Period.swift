/// How long an evaluation period is.
///
/// Rule implemented: docs/domain-rules.md "Evaluation cycles: periodic (monthly, quarterly or semester, per
/// config) and annual" (PermenPANRB 6/2022: periodic reviews within the year, one annual rating).
public enum PeriodKind: String, Sendable, Hashable, Codable, CaseIterable {
    case monthly, quarterly, semester, annual

    /// Months in one period.
    public var months: Int {
        switch self {
        case .monthly: return 1
        case .quarterly: return 3
        case .semester: return 6
        case .annual: return 12
        }
    }

    /// Periods in one year.
    public var periodsPerYear: Int { 12 / months }
}

/// An evaluation period: one month, quarter, semester or year.
///
/// Rule implemented: period codes `YYYY-MM` (monthly), `YYYY-QN` (quarterly, N = 1–4),
/// `YYYY-SN` (semester, N = 1–2) and `YYYY` (annual); years 1900–9999. Parsing accepts lower-case
/// `q`/`s` and surrounding whitespace; `code` is always the canonical upper-case form. Bounds are
/// calendar dates: `start` is the first day, `end` the last day (inclusive). Ordered by start date,
/// then by length (a month sorts before the quarter that starts with it).
public struct Period: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let kind: PeriodKind
    public let year: Int
    /// 1-based position in the year: month 1–12, quarter 1–4, semester 1–2, or 1 for a year.
    public let index: Int

    public init(kind: PeriodKind, year: Int, index: Int = 1) throws(PeriodError) {
        guard (1900...9999).contains(year) else { throw PeriodError.badYear(year) }
        guard (1...kind.periodsPerYear).contains(index) else {
            throw PeriodError.badIndex(kind: kind, index: index)
        }
        self.kind = kind
        self.year = year
        self.index = index
    }

    /// Parses a period code.
    public init(parsing text: String) throws(PeriodError) {
        let t = Array(text.trimmed.uppercased().utf8)
        guard !t.isEmpty else { throw PeriodError.empty }
        guard t.count >= 4, let year = CalendarDate.number(t[0..<4]) else { throw PeriodError.badFormat(text.trimmed) }
        if t.count == 4 {
            try self.init(kind: .annual, year: year)
            return
        }
        guard t.count >= 6, t[4] == UInt8(ascii: "-") else { throw PeriodError.badFormat(text.trimmed) }
        let rest = t[5...]
        if rest.count == 2, let month = CalendarDate.number(rest) {
            try self.init(kind: .monthly, year: year, index: month)
            return
        }
        if rest.count == 2, rest.first == UInt8(ascii: "Q") || rest.first == UInt8(ascii: "S"),
           let n = CalendarDate.number(rest.dropFirst()) {
            try self.init(kind: rest.first == UInt8(ascii: "Q") ? .quarterly : .semester, year: year, index: n)
            return
        }
        throw PeriodError.badFormat(text.trimmed)
    }

    /// The canonical code (`2025-03`, `2025-Q1`, `2025-S1`, `2025`).
    public var code: String {
        switch kind {
        case .monthly: return "\(year)-" + CalendarDate.pad(index, 2)
        case .quarterly: return "\(year)-Q\(index)"
        case .semester: return "\(year)-S\(index)"
        case .annual: return "\(year)"
        }
    }

    public var description: String { code }

    /// First month of the period (1–12).
    public var firstMonth: Int { (index - 1) * kind.months + 1 }

    /// First day.
    public var start: CalendarDate { CalendarDate(year: year, month: firstMonth, day: 1)! }

    /// Last day (inclusive).
    public var end: CalendarDate {
        let lastMonth = firstMonth + kind.months - 1
        return CalendarDate(year: year, month: lastMonth,
                            day: CalendarDate.daysInMonth(year: year, month: lastMonth))!
    }

    /// Number of days in the period.
    public var dayCount: Int { end.daysSinceEpoch - start.daysSinceEpoch + 1 }

    /// Whether `date` falls within the period.
    public func contains(_ date: CalendarDate) -> Bool { date >= start && date <= end }

    /// The period of `kind` that contains `date` (`nil` for a year outside 1900–9999).
    public static func containing(_ date: CalendarDate, kind: PeriodKind) -> Period? {
        try? Period(kind: kind, year: date.year, index: (date.month - 1) / kind.months + 1)
    }

    /// The following period of the same kind (`nil` after 9999).
    public var next: Period? {
        index < kind.periodsPerYear
            ? try? Period(kind: kind, year: year, index: index + 1)
            : try? Period(kind: kind, year: year + 1, index: 1)
    }

    /// The preceding period of the same kind (`nil` before 1900).
    public var previous: Period? {
        index > 1
            ? try? Period(kind: kind, year: year, index: index - 1)
            : try? Period(kind: kind, year: year - 1, index: kind.periodsPerYear)
    }

    public static func < (lhs: Period, rhs: Period) -> Bool {
        (lhs.year, lhs.firstMonth, lhs.kind.months) < (rhs.year, rhs.firstMonth, rhs.kind.months)
    }
}

extension Period: Codable {
    /// Encoded as its code.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}

/// Why a text is not a period code.
public enum PeriodError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case badFormat(String)
    case badYear(Int)
    case badIndex(kind: PeriodKind, index: Int)

    public var message: String {
        let forms = "expected YYYY-MM, YYYY-QN, YYYY-SN or YYYY (e.g. 2025-03, 2025-Q1, 2025-S1, 2025)"
        switch self {
        case .empty:
            return "period is empty; \(forms)"
        case .badFormat(let text):
            return "'\(text)' is not a period code; \(forms)"
        case .badYear(let year):
            return "year \(year) is outside 1900–9999"
        case .badIndex(let kind, let index):
            switch kind {
            case .monthly: return "month \(CalendarDate.pad(index, 2)) is not 01–12"
            case .quarterly: return "quarter Q\(index) is not Q1–Q4"
            case .semester: return "semester S\(index) is not S1–S2"
            case .annual: return "an annual period has no index"
            }
        }
    }

    public var description: String { message }
}
