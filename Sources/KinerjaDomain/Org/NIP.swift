import Foundation

/// Nomor Induk Pegawai: the 18-digit national employee number.
///
/// Rules implemented (docs/domain-rules.md "Domain rules"; BKN numbering), one per `NIP.Rule`:
/// - PNS NIP: digits 1–8 are the birth date `YYYYMMDD`, digits 9–14 the appointment (TMT CPNS)
///   `YYYYMM`, digit 15 the gender (1 = male, 2 = female), digits 16–18 a serial number. Both dates
///   must be real (birth year and appointment year 1900 or later) and the appointment month must
///   come after the birth month.
/// - NI PPPK (`199408112022211001`): digits 1–8 the birth date and digit 15 the gender, checked as
///   for a PNS; digits 9–12 the year of appointment, which must be at least 15 years after the
///   birth year (a plausible age at appointment); digits 13–14 are not an appointment month and
///   are taken as issued; digits 16–18 a serial number.
/// - Any number (the default, used where a number only identifies someone already known: a
///   supervisor, a reviewer, a command argument): either rule.
///
/// Parsing trims surrounding whitespace and ignores spaces between the groups, as NIPs are printed
/// on documents (`19800101 200501 1 001`). Stored as a number: 18 digits fit in `UInt64`, which keeps
/// hashing and sorting of 150,000 assignments cheap. Encoded (`Codable`) as an 18-character string,
/// because JSON consumers lose precision on integers above 2^53.
public struct NIP: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 18 digits as a number (the first digit of a NIP is never 0, birth years start at 1900;
    /// values below 1000 are outside appraisers' numbers).
    public let value: UInt64

    /// Which numbering rule a number is checked against (see the type's documentation).
    public enum Rule: Sendable, Hashable {
        /// A PNS NIP: the appointment year and month in digits 9–14.
        case pns
        /// An NI PPPK: the appointment year in digits 9–12, digits 13–14 as issued.
        case pppk
        /// Either of the two.
        case any

        /// The rule of an employee's own number, by their status.
        public init(_ status: EmploymentStatus) {
            self = status == .pppk ? .pppk : .pns
        }
    }

    /// Fewest years between the birth year and the year of appointment of an NI PPPK (the ASN
    /// minimum age is 18; 15 leaves room for a birth late in the year and an early appointment).
    public static let minimumPPPKAppointmentAge = 15

    /// Validates `text` as a NIP.
    public init(validating text: String, rule: Rule = .any) throws(NIPError) {
        switch Self.parse(text, rule: rule) {
        case .success(let nip): self = nip
        case .failure(let error): throw error
        }
    }

    /// A NIP from `text`, or `nil` when it breaks the rule (see `init(validating:)` for the reason).
    public init?(_ text: String) {
        self.init(text, rule: .any)
    }

    /// A NIP from `text` checked by `rule`, or `nil`.
    public init?(_ text: String, rule: Rule) {
        guard case .success(let nip) = Self.parse(text, rule: rule) else { return nil }
        self = nip
    }

    /// A NIP from digits known to be valid (they came from a `NIP`).
    init(unchecked value: UInt64) { self.value = value }

    /// The 18 digits.
    public var description: String {
        guard isOutsideAppraiser else { return String(value) }
        let digits = String(value)
        return String(repeating: "0", count: 18 - digits.count) + digits
    }

    /// Numbers 1–999 written with leading zeros to 18 digits (`000000000000000001`): identifiers
    /// for appraisers outside the employee file who have no NIP (the Wali Kota, who is not an ASN).
    /// No NIP or NI PPPK starts with 0 (birth years start at 1900), so they never name an employee.
    /// Accepted only by the `.any` rule.
    public static func outsideAppraiser(_ number: Int) -> NIP? {
        (1...999).contains(number) ? NIP(unchecked: UInt64(number)) : nil
    }

    /// Whether this is an outside appraiser's number (`outsideAppraiser(_:)`), not a NIP.
    public var isOutsideAppraiser: Bool { value < 1000 }

    /// The printed form with the groups separated: `19800101 200501 1 001`.
    public var formatted: String {
        let s = Array(description)
        return String(s[0..<8]) + " " + String(s[8..<14]) + " " + String(s[14]) + " " + String(s[15..<18])
    }

    /// Digits 1–8 (nil for an outside appraiser's number).
    public var birthDate: CalendarDate? {
        let v = value / 10_000_000_000
        return CalendarDate(year: Int(v / 10_000), month: Int(v / 100 % 100), day: Int(v % 100))
    }

    /// Digits 9–12.
    public var appointmentYear: Int { Int(value / 10_000 % 1_000_000 / 100) }

    /// Digits 13–14 (the appointment month of a PNS NIP; in an NI PPPK they are not a month).
    public var appointmentMonth: Int { Int(value / 10_000 % 100) }

    /// Digit 15 (nil for an outside appraiser's number).
    public var gender: NIPGender? { NIPGender(rawValue: Int(value / 1000 % 10)) }

    /// Digits 16–18.
    public var serial: Int { Int(value % 1000) }

    public static func < (lhs: NIP, rhs: NIP) -> Bool { lhs.value < rhs.value }

    /// The NIP in `text` or the first rule it breaks. With `.any`, a number that breaks the PNS
    /// rule is accepted when it keeps the PPPK rule, and otherwise the PNS rule's reason is given.
    public static func parse(_ text: String, rule: Rule = .any) -> Result<NIP, NIPError> {
        let trimmed = text.trimmed
        if trimmed.isEmpty { return .failure(.empty) }
        var digits: [UInt8] = []
        digits.reserveCapacity(18)
        var position = 0
        for byte in trimmed.utf8 where byte != 32 {
            position += 1
            guard byte >= 48, byte <= 57 else {
                if let first = trimmed.utf8.first, first >= 48, first <= 57,
                   trimmed.uppercased().contains("E+") || trimmed.uppercased().contains("E-") {
                    return .failure(.spreadsheetNumber(trimmed))
                }
                // Report the whole character (not the UTF-8 byte) at its position.
                let ch = Array(trimmed.filter { $0 != " " })[position - 1]
                return .failure(.nonDigit(character: ch, position: position))
            }
            digits.append(byte - 48)
        }
        guard digits.count == 18 else { return .failure(.wrongLength(digits.count)) }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(digits[$1]) } }
        if rule == .any, number(0..<15) == 0, let outside = outsideAppraiser(number(15..<18)) {
            return .success(outside)
        }
        let birthYear = number(0..<4), birthMonth = number(4..<6), birthDay = number(6..<8)
        guard birthYear >= 1900,
              CalendarDate(year: birthYear, month: birthMonth, day: birthDay) != nil else {
            return .failure(.invalidBirthDate(digits: Self.text(digits[0..<8]),
                                              reason: Self.dateReason(birthYear, birthMonth, birthDay)))
        }
        let appointmentYear = number(8..<12), appointmentMonth = number(12..<14)
        let pnsProblem = Self.pnsAppointmentProblem(digits, birthYear: birthYear, birthMonth: birthMonth,
                                                    year: appointmentYear, month: appointmentMonth)
        switch (rule, pnsProblem) {
        case (.pns, let problem?):
            return .failure(problem)
        case (.pppk, _), (.any, _?):
            let pppkProblem = Self.pppkAppointmentProblem(digits, birthYear: birthYear, year: appointmentYear)
            if let problem = pppkProblem { return .failure(rule == .any ? pnsProblem! : problem) }
        case (.pns, nil), (.any, nil):
            break
        }
        guard digits[14] == 1 || digits[14] == 2 else {
            return .failure(.invalidGender(digit: Int(digits[14])))
        }
        return .success(NIP(unchecked: UInt64(digits.reduce(0) { $0 * 10 + Int($1) })))
    }

    /// Why digits 9–14 are not a PNS appointment year and month, or nil.
    private static func pnsAppointmentProblem(_ digits: [UInt8], birthYear: Int, birthMonth: Int,
                                              year appointmentYear: Int, month appointmentMonth: Int) -> NIPError? {
        guard appointmentYear >= 1900, (1...12).contains(appointmentMonth) else {
            let reason = appointmentYear < 1900
                ? "year \(appointmentYear) is before 1900"
                : "month \(CalendarDate.pad(appointmentMonth, 2)) is not 01–12"
            return .invalidAppointment(digits: Self.text(digits[8..<14]), reason: reason)
        }
        guard (appointmentYear, appointmentMonth) > (birthYear, birthMonth) else {
            return .appointmentNotAfterBirth(birth: Self.text(digits[0..<8]), appointment: Self.text(digits[8..<14]))
        }
        return nil
    }

    /// Why digits 9–12 are not a PPPK appointment year, or nil (digits 13–14 are not read).
    private static func pppkAppointmentProblem(_ digits: [UInt8], birthYear: Int, year: Int) -> NIPError? {
        guard year >= birthYear + minimumPPPKAppointmentAge else {
            return .invalidPPPKAppointment(
                digits: Self.text(digits[8..<12]),
                reason: "year \(year) is less than \(minimumPPPKAppointmentAge) years after the birth year \(birthYear)")
        }
        return nil
    }

    private static func text(_ digits: ArraySlice<UInt8>) -> String {
        String(decoding: digits.map { $0 + 48 }, as: UTF8.self)
    }

    private static func dateReason(_ year: Int, _ month: Int, _ day: Int) -> String {
        if year < 1900 { return "year \(year) is before 1900" }
        if !(1...12).contains(month) { return "month \(CalendarDate.pad(month, 2)) is not 01–12" }
        if month == 2, day == 29 { return "\(year) is not a leap year, February has 28 days" }
        return "day \(CalendarDate.pad(day, 2)) does not exist in month \(CalendarDate.pad(month, 2))"
    }
}

extension NIP: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        switch Self.parse(text) {
        case .success(let nip): self = nip
        case .failure(let error):
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Digit 15 of a NIP (BKN numbering: 1 = male, 2 = female).
public enum NIPGender: Int, Sendable, Hashable, Codable {
    case male = 1
    case female = 2
}

/// Why a text is not a valid NIP; `message` is an English sentence that names the part at fault.
///
/// Rule implemented: docs/domain-rules.md "Bad NIPs are rejected with the line and the reason"; one case per
/// part of the NIP structure (see `NIP`).
public enum NIPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing was given.
    case empty
    /// Not 18 digits (the count of digits found; spaces are not counted).
    case wrongLength(Int)
    /// A character that is neither a digit nor a space, at its 1-based position (spaces not counted).
    case nonDigit(character: Character, position: Int)
    /// The text looks like a number a spreadsheet turned into scientific notation (`1.98001E+17`).
    case spreadsheetNumber(String)
    /// Digits 1–8 are not a real birth date.
    case invalidBirthDate(digits: String, reason: String)
    /// Digits 9–14 are not a real appointment year and month.
    case invalidAppointment(digits: String, reason: String)
    /// The appointment month is not after the birth month.
    case appointmentNotAfterBirth(birth: String, appointment: String)
    /// Digits 9–12 of an NI PPPK are not a plausible year of appointment.
    case invalidPPPKAppointment(digits: String, reason: String)
    /// Digit 15 is not 1 or 2.
    case invalidGender(digit: Int)

    /// The part of the NIP at fault.
    public var part: NIPPart {
        switch self {
        case .empty, .wrongLength, .nonDigit, .spreadsheetNumber: return .whole
        case .invalidBirthDate: return .birthDate
        case .invalidAppointment: return .appointment
        case .appointmentNotAfterBirth, .invalidPPPKAppointment: return .appointment
        case .invalidGender: return .gender
        }
    }

    public var message: String {
        switch self {
        case .empty:
            return "NIP is empty"
        case .wrongLength(let n):
            return "NIP must have 18 digits, found \(n)"
        case .nonDigit(let ch, let pos):
            return "NIP must contain only digits, found '\(ch)' at position \(pos)"
        case .spreadsheetNumber(let text):
            return "NIP '\(text)' looks like a spreadsheet number in scientific notation; "
                + "format the column as text and export again"
        case .invalidBirthDate(let digits, let reason):
            return "birth date (digits 1–8) \(digits) is not a real date: \(reason)"
        case .invalidAppointment(let digits, let reason):
            return "appointment date (digits 9–14) \(digits) is not a real year and month: \(reason)"
        case .appointmentNotAfterBirth(let birth, let appointment):
            return "appointment date (digits 9–14) \(appointment) is not after the birth date (digits 1–8) \(birth)"
        case .invalidPPPKAppointment(let digits, let reason):
            return "NI PPPK appointment year (digits 9–12) \(digits) is not plausible: \(reason)"
        case .invalidGender(let digit):
            return "gender (digit 15) must be 1 or 2, found \(digit)"
        }
    }

    public var description: String { message }
}

/// The parts of a NIP (birth date, appointment, gender, serial; see `NIP`), for error reports.
public enum NIPPart: String, Sendable, Hashable, Codable {
    case whole, birthDate, appointment, gender, serial
}
