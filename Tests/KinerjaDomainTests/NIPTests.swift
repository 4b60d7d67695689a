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

    /// The PNS rule; the same cases hold for any rule except those whose digits 9–12 make a
    /// plausible NI PPPK year (see `pppkNumbersFollowTheirOwnRule`).
    @Test(arguments: cases)
    func validation(_ c: Case) {
        let result = NIP.parse(c.text, rule: .pns)
        switch (result, c.expected) {
        case let (.success(nip), .success(digits)):
            #expect(nip.description == digits)
            #expect(NIP(c.text, rule: .pns) == nip)
        case let (.failure(error), .failure(expected)):
            #expect(error == expected)
            #expect(error.part == c.part)
            #expect(NIP(c.text, rule: .pns) == nil)
            #expect(throws: expected) { try NIP(validating: c.text, rule: .pns) }
        default:
            Issue.record("'\(c.text)': got \(result), expected \(c.expected)")
        }
    }

    @Test func messagesNameThePart() {
        #expect(NIPError.wrongLength(17).message == "NIP must have 18 digits, found 17")
        #expect(NIP.parse("198013012005011001").failureMessage.hasPrefix("birth date (digits 1–8) 19801301"))
        #expect(NIP.parse("198001012005131001", rule: .pns).failureMessage.hasPrefix("appointment date (digits 9–14) 200513"))
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

    /// NI PPPK numbers as BKN issues them: birth date, year of appointment, then "21" where a PNS NIP
    /// has the appointment month, the gender digit and a serial.
    @Test func pppkNumbersFollowTheirOwnRule() throws {
        // 11 August 1994, appointed 2022, digits 13–14 "21", male, serial 001.
        let pppk = try NIP(validating: "199408112022211001", rule: .pppk)
        #expect(pppk.birthDate == CalendarDate(year: 1994, month: 8, day: 11))
        #expect(pppk.gender == .male)
        #expect(try NIP(validating: "199408112022211001") == pppk)  // any rule: accepted as an identifier
        #expect(NIP.parse("199408112022211001", rule: .pns).failureMessage
            == "appointment date (digits 9–14) 202221 is not a real year and month: month 21 is not 01–12")
        // A female PPPK appointed 2023 (digits 13–14 "21" again).
        #expect(NIP("198707132023212004") != nil)
        // The birth date and the gender digit are still checked.
        #expect(NIP.parse("199402302022211001", rule: .pppk)
            == .failure(.invalidBirthDate(digits: "19940230", reason: "day 30 does not exist in month 02")))
        #expect(NIP.parse("199408112022213001", rule: .pppk) == .failure(.invalidGender(digit: 3)))
        // Digits 9–12 must be a plausible year: at least 15 years after the birth year.
        #expect(NIP.parse("201001012022211001", rule: .pppk) == .failure(.invalidPPPKAppointment(
            digits: "2022", reason: "year 2022 is less than 15 years after the birth year 2010")))
        #expect(NIP.parse("201001012022211001", rule: .pppk).failureMessage
            == "NI PPPK appointment year (digits 9–12) 2022 is not plausible: year 2022 is less than 15 years after the birth year 2010")
        // With any rule, a number that keeps neither gets the PNS rule's reason.
        #expect(NIP.parse("201001012022211001").failureMessage.hasPrefix("appointment date (digits 9–14) 202221"))
        // A PNS NIP keeps the PNS rule; PNS checks are unchanged.
        #expect(NIP("198001012005011001", rule: .pns) != nil)
        #expect(NIP("198001012005131001", rule: .pns) == nil)
    }

    @Test func outsideAppraiserNumbers() throws {
        let walikota = try #require(NIP.outsideAppraiser(1))
        #expect(walikota.description == "000000000000000001" && walikota.isOutsideAppraiser)
        #expect(NIP("000000000000000001") == walikota)
        #expect(NIP("000000000000000001", rule: .pns) == nil && NIP("000000000000000001", rule: .pppk) == nil)
        #expect(NIP("000000000000000000") == nil && NIP.outsideAppraiser(1000) == nil)
        #expect(walikota.birthDate == nil && walikota.gender == nil)
        #expect(try NIP(validating: "198001012005011001") > walikota)
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
