import Foundation

/// The optional respondent fields of the survey form (PermenPANRB 14/2017, Lampiran: umur, jenis
/// kelamin, pendidikan, pekerjaan, jenis layanan yang diterima). Stored with the response for
/// aggregate statistics only; never shown per person. Every field may be left out.
public struct SKMRespondent: Sendable, Hashable, Codable {
    /// One closed question: its field name (form and CSV column), its label and its choices
    /// (stored code, label shown), in the form's order.
    public struct Question: Sendable, Hashable {
        public var field: String
        public var label: String
        public var choices: [(code: String, label: String)]

        public func label(of code: String) -> String? { choices.first { $0.code == code }?.label }

        public static func == (a: Question, b: Question) -> Bool { a.field == b.field }
        public func hash(into hasher: inout Hasher) { hasher.combine(field) }
    }

    public static let ageBand = Question(field: "umur", label: "Umur", choices: [
        ("di_bawah_20", "di bawah 20 tahun"), ("20_29", "20–29 tahun"), ("30_39", "30–39 tahun"),
        ("40_49", "40–49 tahun"), ("50_59", "50–59 tahun"), ("60_ke_atas", "60 tahun ke atas"),
    ])
    public static let sex = Question(field: "jenis_kelamin", label: "Jenis kelamin", choices: [
        ("L", "Laki-laki"), ("P", "Perempuan"),
    ])
    public static let education = Question(field: "pendidikan", label: "Pendidikan terakhir", choices: [
        ("SD", "SD ke bawah"), ("SMP", "SMP"), ("SMA", "SMA/SMK"), ("D1-D4", "D1–D4"), ("S1", "S1"),
        ("S2", "S2"), ("S3", "S3"),
    ])
    public static let occupation = Question(field: "pekerjaan", label: "Pekerjaan utama", choices: [
        ("PNS", "PNS/ASN"), ("TNI", "TNI"), ("POLRI", "POLRI"), ("SWASTA", "Pegawai swasta"),
        ("WIRAUSAHA", "Wirausaha"), ("PELAJAR", "Pelajar/Mahasiswa"), ("LAINNYA", "Lainnya"),
    ])
    /// The closed questions, in the form's order.
    public static let questions = [ageBand, sex, education, occupation]
    /// `jenis_layanan`: the service used, free text of at most this many characters.
    public static let serviceField = "jenis_layanan"
    public static let serviceMaxLength = 100

    public var ageBand: String?
    public var sex: String?
    public var education: String?
    public var occupation: String?
    /// The service used, as the respondent wrote it (one line).
    public var service: String?

    public init() {}

    /// The fields from `value(field)` (empty or missing: not given). Problems name the field and
    /// the allowed codes; the respondent is returned only when there are none.
    public static func parse(_ value: (String) -> String?) -> Result<SKMRespondent, SKMRespondentProblems> {
        var r = SKMRespondent(), problems: [(field: String, message: String)] = []
        func code(_ q: Question) -> String? {
            guard let text = value(q.field)?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            if let c = q.choices.first(where: { $0.code.caseInsensitiveCompare(text) == .orderedSame }) { return c.code }
            problems.append((q.field, "\(q.field): '\(text)' is not one of \(q.choices.map(\.code).joined(separator: ", "))"))
            return nil
        }
        r.ageBand = code(ageBand)
        r.sex = code(sex)
        r.education = code(education)
        r.occupation = code(occupation)
        if let text = value(serviceField)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
            if text.count > serviceMaxLength {
                problems.append((serviceField, "\(serviceField): \(text.count) characters, at most \(serviceMaxLength) allowed"))
            } else if text.unicodeScalars.contains(where: ControlCharacters.isControlOrLineBreak) {
                problems.append((serviceField, "\(serviceField): control characters or line breaks are not allowed"))
            } else {
                r.service = text
            }
        }
        return problems.isEmpty ? .success(r) : .failure(SKMRespondentProblems(problems: problems))
    }

    /// The fields as (name, value) pairs of those given, for the Review interface and the store.
    public var given: [String: String] {
        var out: [String: String] = [:]
        out[Self.ageBand.field] = ageBand
        out[Self.sex.field] = sex
        out[Self.education.field] = education
        out[Self.occupation.field] = occupation
        out[Self.serviceField] = service
        return out
    }
}

/// What is wrong with respondent fields, one entry per field.
public struct SKMRespondentProblems: Error, Sendable, Hashable {
    public var problems: [(field: String, message: String)]

    public static func == (a: Self, b: Self) -> Bool { a.problems.map(\.message) == b.problems.map(\.message) }
    public func hash(into hasher: inout Hasher) { hasher.combine(problems.map(\.message)) }
}
