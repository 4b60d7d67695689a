import Foundation
import Testing
@testable import KinerjaDomain

/// What is stored is what was shown: NUL and other control characters refused with line and column
/// in every CSV import; unit heads checked; dates within a horizon; safe terminal and spreadsheet
/// output.
@Suite("Input and output safety")
struct InputSafetyTests {
    static let header = TestData.employeeHeader

    static func employeesCSV(name: String) -> String {
        let boss = TestData.employee(1)
        var e = TestData.employee(2, supervisor: 1)
        e.nama = name
        return [header, TestData.csvLine(boss), TestData.csvLine(e)].joined(separator: "\n")
    }

    @Test("NUL, ESC, CR, BEL, C1 and U+2028 in a name are refused at their line and column",
          arguments: ["Nul\u{0}Byte", "Esc\u{1B}[31mRed", "Bel\u{7}", "C1\u{9B}x", "Line\u{2028}Sep", "Tab\tName"])
    func controlCharactersInEmployees(name: String) throws {
        // The record check every staged record goes through (the daemon's `EmployeeSpool.add`).
        let document = try CSVParser.parse(Self.employeesCSV(name: name))
        let columns = try EmployeeImport.schema.bind(header: document.header).get()
        let problems = document.records.compactMap { columns.recordProblem($0) }
        let problem = try #require(problems.first { $0.code == .controlCharacter }, "\(name.debugDescription) was accepted")
        #expect(problem.line == 3 && problem.column == 2 && problem.columnName == "nama", "\(problem)")
        #expect(problem.message.contains("U+"), "\(problem)")
    }

    @Test("every CSV import refuses control characters; only a comment may hold a TAB")
    func everyImportRefusesControlCharacters() throws {
        let units = UnitImport.validate(csv: "code,name\nDLHK,Dinas\u{0}Lingkungan\n")
        #expect((try? units.get()) == nil)
        let training = TrainingImport.validate(csv: "nip,course,date,hours\n\(TestData.nip(1)),Kursus\u{1B}x,2025-01-01,8\n")
        guard case .failure(let t) = training else { Issue.record("training accepted"); return }
        #expect(t.problems.contains { $0.code == .controlCharacter && $0.line == 2 && $0.column == 2 })
        let skm = SKMImport.validate(csv: "unit,period,u1,u2,u3,u4,u5,u6,u7,u8,u9\n\"DLHK\r\",2025-Q1,4,4,4,4,4,4,4,4,4\n")
        guard case .failure(let s) = skm else { Issue.record("skm accepted"); return }
        #expect(s.problems.contains { $0.code == .controlCharacter }, "\(s)")
        let names = ReviewImport.schema.columns.map(\.name)
        let map = try ReviewImport.schema.bind(header: CSVRecord(line: 1, fields: names)).get()
        let comment = try #require(map.number("comment"))
        func record(_ value: String, at column: Int) -> CSVRecord {
            var fields = Array(repeating: "", count: names.count)
            fields[column - 1] = value
            return CSVRecord(line: 2, fields: fields)
        }
        #expect(map.recordProblem(record("baik\tsekali", at: comment)) == nil)
        #expect(map.recordProblem(record("baik\nsekali", at: comment))?.code == .controlCharacter)
        #expect(map.recordProblem(record("4\t", at: 1))?.column == 1)
    }

    @Test("a leading TAB in free text is kept, not trimmed into a live formula")
    func leadingTabKept() throws {
        let map = CSVColumnMap(numbers: ["comment": 1], width: 1, freeTextColumns: [1])
        #expect(map.value("comment", in: CSVRecord(line: 2, fields: ["\t=1+1 "])) == "\t=1+1")
        #expect(map.value("comment", in: CSVRecord(line: 2, fields: ["  plain  "])) == "plain")
    }

    @Test("a unit's head must be an active employee of that unit")
    func unitHeads() {
        let head = TestData.nip(1), other = TestData.nip(2)
        let units = [Unit(code: "BPKAD", head: head)]
        let lineOf: (String) -> Int? = { _ in 4 }
        #expect(UnitHeadCheck.unitFileProblems(units: units, employees: [:], line: lineOf, headColumn: 3).isEmpty)
        #expect(UnitHeadCheck.unitFileProblems(units: units, employees: [head: .init(unit: "bpkad", active: true)],
                                               line: lineOf, headColumn: 3).isEmpty)
        let elsewhere = UnitHeadCheck.unitFileProblems(units: units, employees: [head: .init(unit: "DINSOS", active: true), other: .init(unit: "BPKAD", active: true)],
                                                       line: lineOf, headColumn: 3)
        #expect(elsewhere.count == 1 && elsewhere[0].line == 4 && elsewhere[0].column == 3 && elsewhere[0].code == .badUnitHead)
        #expect(elsewhere.first?.message.contains("works in unit DINSOS") == true)
        let inactive = UnitHeadCheck.unitFileProblems(units: units, employees: [head: .init(unit: "BPKAD", active: false)], line: lineOf, headColumn: 3)
        #expect(inactive.first?.message.contains("not an active employee") == true)
        // An employee file moving the head away names the head's line and the unit column.
        var moved = TestData.employee(1, unit: "DINSOS")
        moved.aktif = true
        let columns = CSVColumnMap(canonical: EmployeeImport.schema)
        let problems = UnitHeadCheck.employeeFileProblems(units: units, employees: [moved], lines: [head: 7], columns: columns)
        #expect(problems.count == 1 && problems[0].line == 7 && problems[0].columnName == "unit_kerja", "\(problems)")
    }

    @Test("periods and dates more than five years ahead are refused (9999-Q4, 9999-12-31)")
    func horizon() throws {
        let horizon = DateHorizon(today: CalendarDate(iso: "2026-12-05")!)
        #expect(horizon.latest == CalendarDate(iso: "2031-12-05")!)
        #expect(horizon.problem(period: try Period(parsing: "9999-Q4")) != nil)
        #expect(horizon.problem(period: try Period(parsing: "2031-Q4")) == nil)
        #expect(horizon.problem(period: try Period(parsing: "2032")) != nil)
        #expect(horizon.problem(date: CalendarDate(iso: "9999-12-31")!) != nil)
        #expect(horizon.problem(date: CalendarDate(iso: "2031-12-05")!) == nil)
        #expect(DateHorizon(today: CalendarDate(iso: "2028-02-29")!).latest == CalendarDate(iso: "2033-02-28")!)
        // A file without the optional respondent columns.
        var skm = SKMImport.Accumulator(columns: try SKMImport.schema.bind(header: CSVRecord(line: 1, fields: ["unit", "period"] + SKMElement.allCases.map(\.column))).get())
        skm.horizon = horizon
        skm.add([CSVRecord(line: 2, fields: ["DLHK", "9999-Q4"] + Array(repeating: "4", count: 9))])
        guard case .failure(let failure) = skm.finish() else { Issue.record("9999-Q4 accepted"); return }
        #expect(failure.problems.first?.code == .tooFarAhead && failure.problems.first?.line == 2)
        var training = TrainingImport.Accumulator(columns: CSVColumnMap(canonical: TrainingImport.schema))
        training.horizon = horizon
        training.add([CSVRecord(line: 5, fields: [TestData.nip(1).description, "Kursus", "9999-12-31", "8"])])
        guard case .failure(let t) = training.finish() else { Issue.record("9999-12-31 accepted"); return }
        #expect(t.problems.first?.code == .tooFarAhead && t.problems.first?.column == 3)
    }

    @Test("terminal escaping leaves no control character and can be undone")
    func terminalEscaping() {
        for text in ["Budi", "a\u{1B}[2Jb", "x\ny\rz\t\u{7}", "back\\slash", "\u{2028}\u{85}\u{0}", "\\e literal"] {
            let escaped = TerminalText.escape(text)
            #expect(!escaped.unicodeScalars.contains(where: ControlCharacters.isControlOrLineBreak), "\(escaped)")
            #expect(TerminalText.unescape(escaped) == text)
        }
        #expect(TerminalText.escape("a\u{1B}[31m") == "a\\e[31m")
    }

    @Test("CSV output neutralises formula prefixes and can be undone")
    func formulaNeutralising() throws {
        #expect(CSVWriter.neutraliseFormula("=1+1") == "'=1+1")
        #expect(CSVWriter.neutraliseFormula("+62812") == "+62812")
        #expect(CSVWriter.neutraliseFormula("+SUM(A1)") == "'+SUM(A1)")
        #expect(CSVWriter.neutraliseFormula("-3") == "-3")
        #expect(CSVWriter.neutraliseFormula("-2+3") == "'-2+3")
        #expect(CSVWriter.neutraliseFormula("@cmd") == "'@cmd")
        #expect(CSVWriter.neutraliseFormula("\t=1") == "'\t=1")
        #expect(CSVWriter.neutraliseFormula("\r=1") == "'\r=1")
        #expect(CSVWriter.neutraliseFormula("'x") == "''x")
        #expect(CSVWriter.neutraliseFormula("Budi") == "Budi")
        let line = CSVWriter.spreadsheetLine(["=HYPERLINK(\"http://x\")", "Budi"])
        let read = try CSVParser.parse("a,b\n" + line + "\n")
        #expect(read.records.first?.fields == ["'=HYPERLINK(\"http://x\")", "Budi"])
        #expect(read.records.first?.fields.map(CSVWriter.restoreFormula) == ["=HYPERLINK(\"http://x\")", "Budi"])
    }
}
