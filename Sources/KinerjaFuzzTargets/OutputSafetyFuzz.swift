import Foundation
import KinerjaDomain

/// Properties of what kinerjactl prints from stored text:
/// - `terminal-escape`: ``TerminalText/escape(_:)`` leaves no control character or line break,
///   leaves clean text as it is, and ``TerminalText/unescape(_:)`` gives the original back;
/// - `csv-formula`: a line of fields written with ``CSVWriter/spreadsheetLine(_:separator:)``
///   reads back (``CSVParser``) to fields none of which a spreadsheet would run as a formula, and
///   ``CSVWriter/restoreFormula(_:)`` gives each original field back.
enum OutputSafetyFuzz {
    static func checkTerminal(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) {
        let target = FuzzTarget.terminalEscape
        let text = FuzzInput.text(bytes)
        let escaped = TerminalText.escape(text)
        if let bad = escaped.unicodeScalars.first(where: ControlCharacters.isControlOrLineBreak) {
            throw FuzzFailure(target, "escape(\(text.debugDescription)) holds \(ControlCharacters.describe(bad))")
        }
        let clean = !text.unicodeScalars.contains { ControlCharacters.isControlOrLineBreak($0) || $0 == "\\" }
        if clean && escaped != text {
            throw FuzzFailure(target, "clean text \(text.debugDescription) was changed to \(escaped.debugDescription)")
        }
        guard let back = TerminalText.unescape(escaped), back.unicodeScalars.elementsEqual(text.unicodeScalars) else {
            throw FuzzFailure(target, "unescape(escape(\(text.debugDescription))) is not the original")
        }
    }

    static func checkCSVFormula(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) {
        let target = FuzzTarget.csvFormula
        // Fields split at 0x1F, so the input chooses how many fields and what each starts with.
        let fields = FuzzInput.text(bytes).split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        for field in fields where startsFormula(CSVWriter.neutraliseFormula(field)) {
            throw FuzzFailure(target, "\(field.debugDescription) is written as a live formula")
        }
        let header = (0..<fields.count).map { "c\($0)" }
        let text = CSVWriter.line(header) + "\n" + CSVWriter.spreadsheetLine(fields) + "\n"
        let document: CSVDocument
        do {
            document = try CSVParser.parse(text)
        } catch {
            throw FuzzFailure(target, "the written line does not read back: \(error) for \(fields)")
        }
        let read = document.records.first?.fields ?? []
        guard read.count == fields.count else {
            throw FuzzFailure(target, "\(fields.count) fields written, \(read.count) read back")
        }
        for (written, original) in zip(read, fields) {
            if startsFormula(written) {
                throw FuzzFailure(target, "field \(written.debugDescription) starts a formula")
            }
            // The reader turns a quoted CR or CRLF into LF (files from Windows and old Macs).
            let restored = CSVWriter.restoreFormula(written)
            let expected = original.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            guard restored.unicodeScalars.elementsEqual(expected.unicodeScalars) else {
                throw FuzzFailure(target, "\(original.debugDescription) came back as \(restored.debugDescription)")
            }
        }
    }

    /// Whether a spreadsheet would take a cell starting like `text` for a formula.
    static func startsFormula(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first else { return false }
        if ["=", "@", "\t", "\r"].contains(first) { return true }
        return (first == "+" || first == "-") && !CSVWriter.isPlainNumber(text)
    }
}
