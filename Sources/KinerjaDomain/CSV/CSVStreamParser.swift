/// `CSVParser`'s reading rules applied to a file that arrives in pieces (a large import read and sent
/// batch by batch): `feed` takes the next bytes and returns the records they complete, the header
/// first; `finish` ends the file. The records, lines and errors are exactly those of
/// `CSVParser.parse(bytes:)` on the whole file (which is this parser fed once), so a reader need not
/// hold a file's records, or its bytes, to read it.
public struct CSVStreamParser: Sendable {
    /// Bytes not yet consumed: at most the one byte whose meaning depends on the next (CR before LF,
    /// a quote before a quote), or the start of the file until its first record is complete.
    private var pending: [UInt8] = []
    private var started = false
    public private(set) var separator: CSVSeparator = .comma
    public private(set) var hadByteOrderMark = false
    /// Whether any record (the header included) was read.
    public private(set) var sawRecord = false
    private var line = 1
    private var fields: [String] = []
    private var field: [UInt8] = []
    private var recordLine = 1
    private var fieldLine = 1
    private var inQuotes = false
    private var fieldWasQuoted = false
    private var afterClosingQuote = false
    private var atRecordStart = true

    public init() {}

    /// Reads `bytes`, which follow those already fed; returns the records they complete.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(CSVError) -> [CSVRecord] {
        if pending.isEmpty, let records = try bytes.withContiguousStorageIfAvailable({ b in
            Result { () throws(CSVError) in try consume(b, final: false) }
        }) {
            return try records.get()
        }
        pending.append(contentsOf: bytes)
        return try consumePending(final: false)
    }

    /// Ends the file: returns its last record; throws for a quote never closed or a file without a header.
    public mutating func finish() throws(CSVError) -> [CSVRecord] {
        let records = try consumePending(final: true)
        if inQuotes { throw CSVError(line: fieldLine, column: fields.count + 1, reason: .unterminatedQuote) }
        var last = records
        if !atRecordStart { last.append(try finishRecord()) }
        guard sawRecord else { throw CSVError(line: 1, column: nil, reason: .emptyFile) }
        return last
    }

    private mutating func consumePending(final: Bool) throws(CSVError) -> [CSVRecord] {
        let buffer = pending
        pending = []
        let result = buffer.withUnsafeBufferPointer { b in Result { () throws(CSVError) in try consume(b, final: final) } }
        return try result.get()
    }

    /// Parses `b` as far as it can be decided; keeps what cannot (until more bytes or the end come).
    private mutating func consume(_ b: UnsafeBufferPointer<UInt8>, final: Bool) throws(CSVError) -> [CSVRecord] {
        let quote = CSVParser.quote, cr = CSVParser.cr, lf = CSVParser.lf
        let n = b.count
        var i = 0
        var records: [CSVRecord] = []
        func keep(from index: Int) { pending = Array(b[index...]) }
        if !started {
            // The byte order mark, the blank lines before the header, and the separator, decided once
            // the first record is complete (or the file ended).
            guard final || n >= 3 else { keep(from: 0); return [] }
            var j = 0, blankLines = 1
            let bom = n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF
            if bom { j = 3 }
            while j < n, b[j] == cr || b[j] == lf {
                if b[j] == cr, j + 1 == n, !final { keep(from: 0); return [] }
                if b[j] == cr, j + 1 < n, b[j + 1] == lf { j += 1 }
                j += 1
                blankLines += 1
            }
            guard j < n else {
                if final { throw CSVError(line: 1, column: nil, reason: .emptyFile) }
                keep(from: 0)
                return []
            }
            guard let detected = CSVParser.detectSeparator(b, from: j, final: final) else { keep(from: 0); return [] }
            separator = detected
            hadByteOrderMark = bom
            line = blankLines
            recordLine = line
            fieldLine = line
            started = true
            i = j
        }
        let sep = separator.byte

        while i < n {
            let c = b[i]
            if inQuotes {
                if c == quote {
                    if i + 1 == n, !final { break }
                    if i + 1 < n, b[i + 1] == quote {
                        field.append(quote)
                        i += 2
                    } else {
                        inQuotes = false
                        afterClosingQuote = true
                        i += 1
                    }
                } else if c == cr {
                    if i + 1 == n, !final { break }
                    field.append(lf)
                    line += 1
                    i += (i + 1 < n && b[i + 1] == lf) ? 2 : 1
                } else {
                    if c == lf { line += 1 }
                    field.append(c)
                    i += 1
                }
                continue
            }
            if c == cr || c == lf {
                if c == cr, i + 1 == n, !final { break }
                let advance = (c == cr && i + 1 < n && b[i + 1] == lf) ? 2 : 1
                if atRecordStart {
                    // A completely empty physical line: skipped.
                } else {
                    records.append(try finishRecord())
                }
                line += 1
                i += advance
                continue
            }
            if atRecordStart {
                atRecordStart = false
                recordLine = line
                fieldLine = line
            }
            if c == sep {
                try finishField()
                fieldLine = line
                i += 1
                continue
            }
            if afterClosingQuote {
                throw CSVError(line: line, column: fields.count + 1, reason: .textAfterClosingQuote)
            }
            if c == quote, field.isEmpty, !fieldWasQuoted {
                inQuotes = true
                fieldWasQuoted = true
                fieldLine = line
                i += 1
                continue
            }
            field.append(c)
            i += 1
        }
        if i < n { keep(from: i) }
        return records
    }

    private mutating func finishField() throws(CSVError) {
        guard let s = String(validating: field, as: UTF8.self) else {
            throw CSVError(line: fieldLine, column: fields.count + 1, reason: .invalidUTF8)
        }
        fields.append(s)
        field.removeAll(keepingCapacity: true)
        fieldWasQuoted = false
        afterClosingQuote = false
    }

    private mutating func finishRecord() throws(CSVError) -> CSVRecord {
        try finishField()
        let record = CSVRecord(line: recordLine, fields: fields)
        fields.removeAll(keepingCapacity: true)
        atRecordStart = true
        sawRecord = true
        return record
    }
}
