import Foundation
import Testing
@testable import KinerjaDomain

@Suite("NIP")
struct NIPTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let text: String
        let expected: Result<String, NIPError>
        let part: NIPPart?
        var testDescription: String { "'\(text)'" }
    }

    static let cases: [Case] = [
        Case(text: "198001012005011001", expected: .success("198001012005011001"), part: nil),
        Case(text: " 19800101 200501 1 001 ", expected: .success("198001012005011001"), part: nil),
        Case(text: "198512312010122999", expected: .success("198512312010122999"), part: nil),
        // Feb 29 in a leap year (2000 is divisible by 400) and in non-leap years.
        Case(text: "200002292022012001", expected: .success("200002292022012001"), part: nil),
        Case(text: "199602292020031002", expected: .success("199602292020031002"), part: nil),
        Case(text: "199002292015011001",
             expected: .failure(.invalidBirthDate(digits: "19900229", reason: "1990 is not a leap year, February has 28 days")),
             part: .birthDate),
        Case(text: "190002292015011001",
             expected: .failure(.invalidBirthDate(digits: "19000229", reason: "1900 is not a leap year, February has 28 days")),
             part: .birthDate),
        // Length.
        Case(text: "", expected: .failure(.empty), part: .whole),
        Case(text: "19800101200501100", expected: .failure(.wrongLength(17)), part: .whole),
        Case(text: "1980010120050110011", expected: .failure(.wrongLength(19)), part: .whole),
        // Non-digits.
        Case(text: "19800101200501100A", expected: .failure(.nonDigit(character: "A", position: 18)), part: .whole),
        Case(text: "1980-01-01200501100", expected: .failure(.nonDigit(character: "-", position: 5)), part: .whole),
        Case(text: "1.98001E+17", expected: .failure(.spreadsheetNumber("1.98001E+17")), part: .whole),
        // Birth date.
        Case(text: "198013012005011001",
             expected: .failure(.invalidBirthDate(digits: "19801301", reason: "month 13 is not 01–12")), part: .birthDate),
        Case(text: "198004312005011001",
             expected: .failure(.invalidBirthDate(digits: "19800431", reason: "day 31 does not exist in month 04")),
             part: .birthDate),
        Case(text: "198001002005011001",
             expected: .failure(.invalidBirthDate(digits: "19800100", reason: "day 00 does not exist in month 01")),
             part: .birthDate),
        Case(text: "185001012005011001",
             expected: .failure(.invalidBirthDate(digits: "18500101", reason: "year 1850 is before 1900")), part: .birthDate),
        // Appointment month.
        Case(text: "198001012005131001",
             expected: .failure(.invalidAppointment(digits: "200513", reason: "month 13 is not 01–12")), part: .appointment),
        Case(text: "198001012005001001",
             expected: .failure(.invalidAppointment(digits: "200500", reason: "month 00 is not 01–12")), part: .appointment),
        Case(text: "198001011979121001",
             expected: .failure(.appointmentNotAfterBirth(birth: "19800101", appointment: "197912")), part: .appointment),
        Case(text: "198001151980011001",
             expected: .failure(.appointmentNotAfterBirth(birth: "19800115", appointment: "198001")), part: .appointment),
        // Gender digit.
        Case(text: "198001012005013001", expected: .failure(.invalidGender(digit: 3)), part: .gender),
        Case(text: "198001012005010001", expected: .failure(.invalidGender(digit: 0)), part: .gender),
    ]

    @Test(arguments: cases)
    func validation(_ c: Case) {
        let result = NIP.parse(c.text)
        switch (result, c.expected) {
        case let (.success(nip), .success(digits)):
            #expect(nip.description == digits)
            #expect(NIP(c.text) == nip)
        case let (.failure(error), .failure(expected)):
            #expect(error == expected)
            #expect(error.part == c.part)
            #expect(NIP(c.text) == nil)
            #expect(throws: expected) { try NIP(validating: c.text) }
        default:
            Issue.record("'\(c.text)': got \(result), expected \(c.expected)")
        }
    }

    @Test func messagesNameThePart() {
        #expect(NIPError.wrongLength(17).message == "NIP must have 18 digits, found 17")
        #expect(NIP.parse("198013012005011001").failureMessage.hasPrefix("birth date (digits 1–8) 19801301"))
        #expect(NIP.parse("198001012005131001").failureMessage.hasPrefix("appointment date (digits 9–14) 200513"))
        #expect(NIP.parse("198001012005013001").failureMessage == "gender (digit 15) must be 1 or 2, found 3")
        #expect(NIP.parse("19800101200501100A").failureMessage.contains("'A' at position 18"))
    }

    @Test func parts() throws {
        let nip = try NIP(validating: "198507242010122003")
        #expect(nip.birthDate == CalendarDate(year: 1985, month: 7, day: 24))
        #expect(nip.appointmentYear == 2010)
        #expect(nip.appointmentMonth == 12)
        #expect(nip.gender == .female)
        #expect(nip.serial == 3)
        #expect(nip.formatted == "19850724 201012 2 003")
    }

    @Test func codableAsString() throws {
        let nip = try NIP(validating: "198001012005011001")
        let data = try JSONEncoder().encode([nip])
        #expect(String(decoding: data, as: UTF8.self) == "[\"198001012005011001\"]")
        #expect(try JSONDecoder().decode([NIP].self, from: data) == [nip])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([NIP].self, from: Data("[\"198001012005013001\"]".utf8))
        }
    }

    @Test func orderIsNumeric() throws {
        let a = try NIP(validating: "198001012005011001")
        let b = try NIP(validating: "198001012005011002")
        let c = try NIP(validating: "199001012015012001")
        #expect([c, b, a].sorted() == [a, b, c])
    }
}

extension Result where Success == NIP, Failure == NIPError {
    var failureMessage: String {
        if case .failure(let e) = self { return e.message }
        return ""
    }
}
