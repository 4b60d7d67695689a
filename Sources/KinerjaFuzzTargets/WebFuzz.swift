import Foundation
import KinerjaDaemon
import KinerjaWeb

/// Properties of the web front's two parsers of untrusted input:
/// - the form decoder: an error names a byte offset inside the body; a decoded form, encoded again
///   (every byte percent-escaped), decodes to the same fields;
/// - the link token parser: a token parses only from its canonical text (printing it gives the input
///   back), and decodes to 32 bytes.
enum WebFuzz {
    static func checkForm(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) {
        let fields: [(name: String, value: String)]
        do {
            fields = try FormDecoder.decode(Array(bytes))
        } catch {
            guard (0...bytes.count).contains(error.offset), !error.reason.isEmpty else {
                throw FuzzFailure(.webForm, "error at byte \(error.offset) of a \(bytes.count)-byte body: \(error)")
            }
            return
        }
        func escape(_ s: String) -> String { s.utf8.map { String(format: "%%%02X", $0) }.joined() }
        let encoded = fields.map { escape($0.name) + "=" + escape($0.value) }.joined(separator: "&")
        let again: [(name: String, value: String)]
        do {
            again = try FormDecoder.decode(Array(encoded.utf8))
        } catch {
            throw FuzzFailure(.webForm, "the re-encoded form does not decode: \(error)")
        }
        guard again.map(\.name) == fields.map(\.name), again.map(\.value) == fields.map(\.value) else {
            throw FuzzFailure(.webForm, "re-encoding changes the fields: \(fields) then \(again)")
        }
    }

    static func checkToken(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) {
        let text = FuzzInput.text(bytes)
        guard let token = WebToken(parsing: text) else { return }
        guard token.text == text else { throw FuzzFailure(.webToken, "\"\(text)\" parses but prints as \"\(token.text)\"") }
        guard token.bytes.count == WebToken.byteCount, token.sha256.count == 32 else {
            throw FuzzFailure(.webToken, "\"\(text)\" decodes to \(token.bytes.count) bytes")
        }
    }
}
