import Testing
@testable import KinerjaDomain

/// What `CSVWriter` writes reads back through `CSVParser` to the same fields. Each case is an input the
/// `csv-*` fuzz targets found breaking that, kept in `Fuzz/regressions/csv-employees/`.
@Suite struct CSVWriterRoundTripTests {
    func roundTrip(_ records: [[String]], separator: Character = ",") throws -> [[String]] {
        let text = records.map { CSVWriter.line($0, separator: separator) }.joined(separator: "\n")
        let document = try CSVParser.parse(text)
        return ([document.header] + document.records).map(\.fields)
    }

    /// `writer-semicolon-in-comma-header.csv`: an unquoted `;` in a comma file's header made the reader
    /// take it for a semicolon file.
    @Test func otherSeparatorInHeaderIsQuoted() throws {
        let records = [["a", "b;c;d"], ["1", "2"]]
        #expect(try roundTrip(records) == records)
        #expect(CSVWriter.line(["a", "b;c;d"]) == #"a,"b;c;d""#)
        let semicolon = [["a,b,c", "d"], ["1", "2"]]
        #expect(try roundTrip(semicolon, separator: ";") == semicolon)
    }

    /// `writer-single-empty-field.csv`: a record of one empty field was written as an empty line,
    /// which the reader skips.
    @Test func singleEmptyFieldIsWrittenQuoted() throws {
        #expect(CSVWriter.line([""]) == #""""#)
        let records = [["a"], [""], ["b"]]
        #expect(try roundTrip(records) == records)
    }

    /// `writer-field-starting-with-bom.csv`: a first field starting with U+FEFF lost it, read as the
    /// file's byte order mark.
    @Test func fieldStartingWithByteOrderMarkIsQuoted() throws {
        let records = [["\u{FEFF}a", "b"], ["1", "2"]]
        #expect(try roundTrip(records) == records)
    }

    /// `Fuzz/regressions/csv-training/quote-with-combining-mark.csv`: a quote followed by a combining
    /// mark is one Character, which the writer did not see as a quote.
    @Test func quoteFollowedByCombiningMarkIsDoubled() throws {
        let records = [["n\"\u{30E}x", "b"], ["DINKES\"\u{369}p", "2"]]
        #expect(try roundTrip(records) == records)
    }

    @Test func plainFieldsStayUnquoted() {
        #expect(CSVWriter.line(["198001012005011001", "Budi Santoso", "DLHK", ""]) == "198001012005011001,Budi Santoso,DLHK,")
        #expect(CSVWriter.line(["Kerja baik, terus", #"5" monitor"#, " x"]) == #""Kerja baik, terus","5"" monitor"," x""#)
    }
}
