import Foundation
import Testing
@testable import KinerjaDomain

@Suite("CSV reading")
struct CSVParserTests {
    @Test func bomCRLFSemicolon() throws {
        let doc = try CSVParser.parse("\u{FEFF}a;b;c\r\n1;2;3\r\n4;5;6\r\n")
        #expect(doc.hadByteOrderMark)
        #expect(doc.separator == .semicolon)
        #expect(doc.header.fields == ["a", "b", "c"])
        #expect(doc.records == [CSVRecord(line: 2, fields: ["1", "2", "3"]), CSVRecord(line: 3, fields: ["4", "5", "6"])])
    }

    @Test func bomFromBytes() throws {
        let doc = try CSVParser.parse(bytes: [0xEF, 0xBB, 0xBF] + Array("a,b\n1,2".utf8))
        #expect(doc.hadByteOrderMark)
        #expect(doc.header.fields == ["a", "b"])
        #expect(doc.records == [CSVRecord(line: 2, fields: ["1", "2"])])
    }

    @Test func separatorDetection() throws {
        #expect(try CSVParser.parse("a,b;c\n").separator == .comma)  // tie → comma
        #expect(try CSVParser.parse("a;b;c,d\n").separator == .semicolon)
        #expect(try CSVParser.parse("\"x;y;z\",b\n").separator == .comma)  // quoted ';' not counted
        #expect(try CSVParser.parse("single\nvalue\n").records == [CSVRecord(line: 2, fields: ["value"])])
    }

    /// Found by the csv fuzz targets (Fuzz/regressions/csv-*/separator-detection-stray-quote-in-header.csv):
    /// a quote inside a header field is text, as the parser reads it, and does not carry the separator
    /// count on into the records.
    @Test func separatorDetectionReadsQuotesLikeTheParser() throws {
        let doc = try CSVParser.parse(")\"c\r;1\";\nbt,1\r")
        #expect(doc.separator == .comma)
        #expect(doc.header.fields == [")\"c"])
        #expect(doc.records.map(\.fields) == [[";1\";"], ["bt", "1"]])
        #expect(try CSVParser.parse("nip,monitor 5\" x\n1;2;3;4\n").separator == .comma)
        #expect(try CSVParser.parse("a;\"b,c,d\";e\n").separator == .semicolon)
        #expect(try CSVParser.parse("a;b \"x,y,z\"\n").separator == .comma)  // mid-field quote is text
        #expect(try CSVParser.parse("a,\"b;c;d\"\n1,2\n").separator == .comma)  // CSVWriter's quoting
        #expect(try CSVParser.parse("a;\"b,c,d\"\n1;2\n").separator == .semicolon)
        #expect(try CSVParser.parse("\"b,c,d\";a\n1;2\n").separator == .semicolon)
        // Fuzz/regressions/csv-employees/separator-detection-quote-after-other-separator.csv: the
        // reading whose quotes are well formed decides, and it reads the header as the parser does.
        let quoted = try CSVParser.parse("a,b;\"c\n1;2;3;4\"\nx;y\n")
        #expect(quoted.separator == .semicolon)
        #expect(quoted.header.fields == ["a,b", "c\n1;2;3;4"])
        // Both readings broken: the `;` reading decides (comma here), and the comma parser reports it.
        #expect(throws: CSVError.self) { try CSVParser.parse("a,\"b;c\nd,e\"x;y\n") }
    }

    @Test func quotedFields() throws {
        let text = #"""
        nip,nama,catatan
        1,"Siti, S.Kom","ia berkata ""siap"""
        2,"Budi
        Santoso","baris
        kedua
        ketiga"
        3,Tono,5" monitor
        4,"",
        """#
        let doc = try CSVParser.parse(text)
        #expect(doc.records.map(\.line) == [2, 3, 7, 8])
        #expect(doc.records[0].fields == ["1", "Siti, S.Kom", "ia berkata \"siap\""])
        #expect(doc.records[1].fields == ["2", "Budi\nSantoso", "baris\nkedua\nketiga"])
        #expect(doc.records[2].fields == ["3", "Tono", "5\" monitor"])
        #expect(doc.records[3].fields == ["4", "", ""])
    }

    @Test func quotedCRLFBecomesLF() throws {
        let doc = try CSVParser.parse("a;b\r\n\"x\r\ny\";\"p;q\"\r\nz;w\r\n")
        #expect(doc.records == [CSVRecord(line: 2, fields: ["x\ny", "p;q"]), CSVRecord(line: 4, fields: ["z", "w"])])
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        let doc = try CSVParser.parse("\n\na,b\n\n1,2\n\n\n3,4")
        #expect(doc.header.line == 3)
        #expect(doc.records == [CSVRecord(line: 5, fields: ["1", "2"]), CSVRecord(line: 8, fields: ["3", "4"])])
    }

    @Test func loneCRLineEnds() throws {
        let doc = try CSVParser.parse("a,b\r1,2\r3,4\r")
        #expect(doc.records.map(\.line) == [2, 3])
    }

    @Test(arguments: ["", "\u{FEFF}", "\n\n", "\r\n"])
    func emptyFile(_ text: String) {
        #expect(throws: CSVError(line: 1, column: nil, reason: .emptyFile)) { try CSVParser.parse(text) }
    }

    @Test func headerOnlyParsesToNoRecords() throws {
        let doc = try CSVParser.parse("a,b,c\r\n")
        #expect(doc.records.isEmpty)
    }

    @Test func unterminatedQuoteNamesItsStart() {
        #expect(throws: CSVError(line: 3, column: 2, reason: .unterminatedQuote)) {
            try CSVParser.parse("a,b\n1,2\n3,\"never closed\n4,5\n")
        }
    }

    @Test func textAfterClosingQuote() {
        #expect(throws: CSVError(line: 2, column: 1, reason: .textAfterClosingQuote)) {
            try CSVParser.parse("a,b\n\"x\"y,2\n")
        }
    }

    @Test func invalidUTF8NamesLineAndColumn() {
        // "Caf\xE9" in Windows-1252.
        let bytes = Array("a,b\n1,2\n3,Caf".utf8) + [0xE9] + Array("\n".utf8)
        #expect(throws: CSVError(line: 3, column: 2, reason: .invalidUTF8)) { try CSVParser.parse(bytes: bytes) }
    }

    @Test func schemaBinding() throws {
        let schema = CSVSchema([.init("nip"), .init("nama"), .init("comment", aliases: ["komentar"], required: false)])
        let ok = try CSVParser.parse("\u{FEFF} NAMA ;Nip;Komentar;;\n")
        let map = try schema.bind(header: ok.header).get()
        #expect(map.number("nama") == 1 && map.number("nip") == 2 && map.number("comment") == 3)
        #expect(map.width == 3)

        let bad = try CSVParser.parse("nip,nmaa,nip\n")
        let f = try #require(failure(of: schema.bind(header: bad.header)))
        #expect(f.problems.map(\.code) == [.unknownColumn, .duplicateColumn, .missingColumn])
        #expect(f.problems.map(\.column) == [2, 3, nil])
        #expect(f.problems.allSatisfy { $0.message.hasSuffix("expected header: nip,nama,[comment]") })
        #expect(f.problems[0].message.hasPrefix("unknown column 'nmaa'"))
        #expect(f.problems[2].message.hasPrefix("missing column 'nama'"))
    }

    @Test func fieldCounts() throws {
        let map = CSVColumnMap(numbers: ["a": 1, "b": 2, "c": 3], width: 3)
        #expect(map.fieldCountProblem(CSVRecord(line: 2, fields: ["1", "2", "3"])) == nil)
        #expect(map.fieldCountProblem(CSVRecord(line: 2, fields: ["1", "2", "3", "", " "])) == nil)
        #expect(map.fieldCountProblem(CSVRecord(line: 4, fields: ["1", "2"]))?.message
            == "the record has 2 fields, the header has 3; check separators and quotes on this line")
        #expect(map.fieldCountProblem(CSVRecord(line: 4, fields: ["1", "2", "3", "4"]))?.line == 4)
    }
}

func failure<T>(of result: Result<T, ImportFailure>) -> ImportFailure? {
    if case .failure(let f) = result { return f }
    return nil
}

func success<T>(of result: Result<T, ImportFailure>) -> T? {
    if case .success(let v) = result { return v }
    return nil
}

/// The streaming reader kinerjactl sends large files with: the same records, lines and errors as the
/// whole-file parser, however the bytes are cut into pieces.
@Suite("CSV stream reading")
struct CSVStreamParserTests {
    static func streamed(_ bytes: [UInt8], piece: Int) throws(CSVError) -> [CSVRecord] {
        var parser = CSVStreamParser()
        var records: [CSVRecord] = []
        var start = 0
        while start < bytes.count {
            records += try parser.feed(bytes[start..<min(start + piece, bytes.count)])
            start += piece
        }
        return records + (try parser.finish())
    }

    static let files = [
        "\u{FEFF}a;b;c\r\n1;2;3\r\n\r\n4;\"5\r\n5\";6\r\n",
        "\n\r\nnip,nama\n1,\"Budi \"\"B\"\"\"\n2,Sari\r3,x",
        "a,\"b;c;d\"\n1,2\n",
        ")\"c\r;1\";\nbt,1\r",
        "single",
        "h\n\"a\"b\n",          // text after a closing quote
        "h\n1,\"never closed\n",  // quote never closed
        "\n\r\n",                // empty
        "h\nx,\u{00}\u{FF}\n",   // not UTF-8 once 0xFF is cut in
    ]

    @Test("every piece size, from one byte up, gives the whole-file parse's records, or its error at the same line and column")
    func piecesMatchTheWholeFile() throws {
        for text in Self.files {
            var bytes = Array(text.utf8)
            if text.hasSuffix("\u{FF}\n") { bytes = Array(bytes.dropLast(3)) + [0xFF, 0x0A] }
            let whole = Result { () throws(CSVError) in try CSVParser.parse(bytes: bytes) }
            for piece in 1...(bytes.count + 1) {
                let streamed = Result { () throws(CSVError) in try Self.streamed(bytes, piece: piece) }
                switch (whole, streamed) {
                case (.success(let doc), .success(let records)):
                    #expect(records == [doc.header] + doc.records, "\(text.debugDescription) in pieces of \(piece)")
                case (.failure(let a), .failure(let b)):
                    #expect(a == b, "\(text.debugDescription) in pieces of \(piece)")
                default:
                    Issue.record("\(text.debugDescription) in pieces of \(piece): \(whole) against \(streamed)")
                }
            }
        }
    }

    @Test("the separator and byte order mark are decided on the first record even when it arrives in pieces")
    func headerInPieces() throws {
        var parser = CSVStreamParser()
        #expect(try parser.feed(Array("\u{FEFF}a;b".utf8)).isEmpty)
        let records = try parser.feed(Array(";c\n1;2;3\n".utf8))
        #expect(parser.separator == .semicolon && parser.hadByteOrderMark)
        #expect(records == [CSVRecord(line: 1, fields: ["a", "b", "c"]), CSVRecord(line: 2, fields: ["1", "2", "3"])])
        #expect(try parser.finish().isEmpty)
    }
}
