import Foundation
import KinerjaDaemon
import Varlink
import Testing
@testable import KinerjaWeb

@Suite("KinerjaWeb parts")
struct KinerjaWebPartTests {
    @Test("form bodies decode with +, %XX and UTF-8; malformed ones name the byte")
    func formDecoder() throws {
        let fields = try FormDecoder.decode(Array("a=1&comment=Kerja+sama%20baik%21&nama=Sri%C3%A1&empty=&flag&&a=2".utf8))
        #expect(fields.map(\.name) == ["a", "comment", "nama", "empty", "flag", "a"])
        let form = FormFields(fields)
        #expect(form["a"] == "1")
        #expect(form["comment"] == "Kerja sama baik!")
        #expect(form["nama"] == "Sriá")
        #expect(form["empty"] == "" && form["flag"] == "")
        #expect(throws: FormDecoder.Failure(offset: 2, reason: "'%' is not followed by two hexadecimal digits")) {
            try FormDecoder.decode(Array("a=%4".utf8))
        }
        #expect(throws: FormDecoder.Failure.self) { try FormDecoder.decode(Array("a=%ZZ".utf8)) }
        #expect(throws: FormDecoder.Failure.self) { try FormDecoder.decode(Array("a=%FF%FE".utf8)) }
        #expect(throws: FormDecoder.Failure.self) {
            try FormDecoder.decode(Array(String(repeating: "x=1&", count: 5).utf8), maxFields: 4)
        }
    }

    @Test("tokens: 43 base64url characters for 256 random bits, round trip, strict parsing")
    func tokens() throws {
        let a = WebToken.generate(), b = WebToken.generate()
        #expect(a != b)
        #expect(a.text.count == 43)
        #expect(WebToken(parsing: a.text) == a)
        #expect(a.sha256.count == 32)
        #expect(WebToken(parsing: String(a.text.dropLast())) == nil)
        #expect(WebToken(parsing: a.text + "A") == nil)
        #expect(WebToken(parsing: String(repeating: "A", count: 42) + "=") == nil)
        // The last character carries 2 bits that must be zero ('B' sets one of them).
        #expect(WebToken(parsing: String(repeating: "A", count: 42) + "B") == nil)
        #expect(WebToken(parsing: String(repeating: "A", count: 42) + "E") != nil)
    }

    @Test("the rate limiter counts per key per one-minute window")
    func rateLimiter() {
        let limiter = RateLimiter(limit: 3)
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        #expect((0..<3).allSatisfy { _ in limiter.allow("10.0.0.1", now: t) })
        #expect(!limiter.allow("10.0.0.1", now: t.addingTimeInterval(1)))
        #expect(limiter.allow("10.0.0.2", now: t.addingTimeInterval(1)))
        #expect(limiter.allow("10.0.0.1", now: t.addingTimeInterval(60)))
    }

    @Test("X-Forwarded-For is believed only from a trusted proxy")
    func clientAddress() {
        let trusted: Set = ["127.0.0.1", "10.0.0.5"]
        #expect(ClientAddress.resolve(peer: "192.0.2.7", forwardedFor: "203.0.113.9", trustedProxies: trusted) == "192.0.2.7")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: "203.0.113.9", trustedProxies: trusted) == "203.0.113.9")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: "1.2.3.4, 203.0.113.9, 10.0.0.5", trustedProxies: trusted) == "203.0.113.9")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: nil, trustedProxies: trusted) == "127.0.0.1")
    }

    @Test("anti-forgery values are bound to the token and to the purpose")
    func signer() {
        let signer = Signer(), other = Signer()
        let value = signer.formValue(token: "t1")
        #expect(signer.verify("form", "t1", value))
        #expect(!signer.verify("form", "t2", value))
        #expect(!signer.verify("survey", "t1", value))
        #expect(!other.verify("form", "t1", value))
        #expect(!signer.verify("form", "t1", ""))
    }

    @Test("pages escape what comes from the database and phrase the relation unambiguously")
    func pages() throws {
        let pages = try Pages(contact: "BKPSDM <022>")
        let reply: [String: JSONValue] = [
            "reviewer_name": .string("Sri <script>alert(1)</script>"), "cycle": .string("2026-Q4"), "cycle_open": .bool(true),
            "anonymity_minimum": .int(3), "max_comment_length": .int(2000),
            "assignments": .array([.object([
                "id": .int(7), "subject_name": .string("Budi Santoso"), "role": .string("bawahan"), "due_date": .string("2026-12-19"),
                "days_left": .int(14), "status": .string("open"), "editable": .bool(true), "needs_hasil_kerja": .bool(false),
            ])]),
        ]
        let html = pages.reviewer(reply, token: "tok", csrf: "c", notice: nil, errors: [])
        #expect(!html.contains("<script>"))
        #expect(html.contains("Sri &lt;script&gt;"))
        #expect(html.contains("BKPSDM &lt;022&gt;"))
        #expect(html.contains("Anda menilai Budi Santoso, atasan langsung Anda"))
        #expect(html.components(separatedBy: "<fieldset>").count - 1 == 7)
        #expect(html.contains("sedikitnya 3 penilai"))
    }
}
