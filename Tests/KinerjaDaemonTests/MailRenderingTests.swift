import Foundation
import KinerjaDomain
import KinerjaTestSupport
import Testing
@testable import KinerjaDaemon

@Suite("RFC 5322 rendering: RFC 2047 headers, folding, quoted-printable body, read back by Python's email package")
struct MailRenderingTests {
    static let jakarta = TimeZone(identifier: "Asia/Jakarta")!
    static let date = ISO8601DateFormatter().date(from: "2026-03-02T02:00:00Z")!

    static func message(subject: String = "Pengingat: penilaian rekan — Dinas Lingkungan Hidup", body: String = "Yth. Ibu Siti,\n") -> MailMessage {
        MailMessage(from: MailAddress(name: "BKPSDM Kota Bandung", email: "kinerjad@bandung.go.id"),
                    to: [MailAddress(name: "Siti Nurhaliza", email: "siti@bandung.go.id"),
                         MailAddress(name: "Ṡri Ayu Ningsih — Bidang Tata Lingkungan", email: "sri.ayu@bandung.go.id")],
                    cc: [MailAddress(name: "Drs. Asep Supriatna, M.Si. \"Kang Asep\"", email: "asep@bandung.go.id"),
                         MailAddress(name: "", email: "kepala.dlh@bandung.go.id")],
                    subject: subject, body: body, date: date, messageID: "kinerjad.0123456789abcdef@bandung.go.id")
    }

    static let indonesianBody = """
        Yth. Ibu Siti Nurhaliza,

        Berikut penilaian 360° yang masih Ibu tunggak pada siklus 2026-Q1 (batas: Senin, 2 Maret 2026):
          • Rekan — Budi Santoso (terlambat 3 hari)
          • Bawahan — Dewi Lestari (terlambat 1 hari)	tab di sini
        Baris ini sengaja sangat panjang agar harus dilipat oleh quoted-printable karena melebihi tujuh puluh enam karakter — dengan é dan 😀.
        Tanda sama dengan = dan spasi di akhir baris   
        .titik di awal baris
        From awal baris seperti mbox

        Hormat kami,
        BKPSDM Kota Bandung
        """

    @Test("Indonesian text, non-ASCII names and a quoted display name come back intact through Python's email parser")
    func pythonRoundTrip() async throws {
        let message = Self.message(body: Self.indonesianBody)
        let text = try message.rendered(timeZone: Self.jakarta)
        let parsed = try await ParsedMail.parse(Array(text.utf8))
        #expect(parsed.defects.isEmpty, "\(parsed.defects)")
        #expect(parsed.header("Subject") == "Pengingat: penilaian rekan — Dinas Lingkungan Hidup")
        #expect(parsed.addresses["From"] == [["BKPSDM Kota Bandung", "kinerjad@bandung.go.id"]])
        #expect(parsed.addresses["To"] == [["Siti Nurhaliza", "siti@bandung.go.id"],
                                           ["Ṡri Ayu Ningsih — Bidang Tata Lingkungan", "sri.ayu@bandung.go.id"]])
        #expect(parsed.addresses["Cc"] == [["Drs. Asep Supriatna, M.Si. \"Kang Asep\"", "asep@bandung.go.id"], ["", "kepala.dlh@bandung.go.id"]])
        #expect(parsed.header("Message-ID") == "<kinerjad.0123456789abcdef@bandung.go.id>")
        #expect(parsed.header("Date") == "Mon, 02 Mar 2026 09:00:00 +0700")
        #expect(parsed.header("Auto-Submitted") == "auto-generated")
        #expect(parsed.header("MIME-Version") == "1.0")
        #expect(parsed.contentType == "text/plain")
        #expect(parsed.charset == "utf-8")
        #expect(parsed.header("Content-Transfer-Encoding") == "quoted-printable")
        #expect(parsed.body == Self.indonesianBody + "\n")
    }

    @Test("ASCII only; header lines at most 78 characters, body lines at most 76, encoded-words at most 75")
    func lineLimits() throws {
        let subject = String(repeating: "Pengingat penilaian — rekan kerja Dinas Lingkungan Hidup dan Kebersihan ", count: 4)
        let text = try Self.message(subject: subject, body: Self.indonesianBody).rendered(timeZone: Self.jakarta)
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
        let parts = text.components(separatedBy: "\n\n")
        let headerLines = parts[0].split(separator: "\n")
        for line in headerLines { #expect(line.count <= 78, "header line of \(line.count): \(line)") }
        #expect(headerLines.filter { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") }.count > 4, "the long subject is folded")
        for line in parts.dropFirst().joined(separator: "\n\n").split(separator: "\n") { #expect(line.count <= 76, "body line: \(line)") }
        let words = text.matches(of: /=\?UTF-8\?Q\?[^?]*\?=/)
        #expect(!words.isEmpty)
        for word in words { #expect(word.output.count <= 75) }
    }

    @Test("only the words that need it are encoded, so a raw header stays readable")
    func readableHeaders() throws {
        let text = try Self.message().rendered(timeZone: Self.jakarta)
        #expect(text.contains("\nSubject: Pengingat: penilaian rekan =?UTF-8?Q?=E2=80=94?= Dinas Lingkungan\n Hidup\n"), "\(text)")
        #expect(text.contains("""

            To: Siti Nurhaliza <siti@bandung.go.id>, =?UTF-8?Q?=E1=B9=A0ri?= Ayu Ningsih
             =?UTF-8?Q?=E2=80=94?= Bidang Tata Lingkungan <sri.ayu@bandung.go.id>

            """), "\(text)")
        #expect(text.hasPrefix("Date: Mon, 02 Mar 2026 09:00:00 +0700\nFrom: BKPSDM Kota Bandung <kinerjad@bandung.go.id>\n"))
        #expect(text.contains("\nCc: \"Drs. Asep Supriatna, M.Si. \\\"Kang Asep\\\"\" <asep@bandung.go.id>,\n kepala.dlh@bandung.go.id\n")
                || text.contains("\nCc: \"Drs. Asep Supriatna, M.Si. \\\"Kang Asep\\\"\" <asep@bandung.go.id>, kepala.dlh@bandung.go.id\n"), "\(text)")
        // Text that only looks like an encoded-word is encoded, so no reader decodes it.
        let tricky = try Self.message(subject: "kode =?UTF-8?Q?x?= bukan encoded-word").rendered(timeZone: Self.jakarta)
        #expect(!tricky.contains("Subject: kode =?UTF-8?Q?x?= bukan"))
    }

    @Test("quoted-printable: trailing whitespace, '=', a leading '.' or 'From ', long lines, CRLF input")
    func quotedPrintable() {
        #expect(QuotedPrintable.encode("a = b  \nc\t") == "a =3D b =20\nc=09")
        #expect(QuotedPrintable.encode(".\nFrom x\nFromage") == "=2E\n=46rom x\nFromage")
        #expect(QuotedPrintable.encode("é—") == "=C3=A9=E2=80=94")
        #expect(QuotedPrintable.encode("a\r\nb\rc") == "a\nb\nc")
        let long = QuotedPrintable.encode(String(repeating: "é", count: 40))
        #expect(long.split(separator: "\n").allSatisfy { $0.count <= 76 })
        // Every line but the last ends in a soft break, and no =XX is split by one.
        #expect(long.split(separator: "\n").dropLast().allSatisfy { $0.hasSuffix("=") && $0.dropLast().count % 3 == 0 })
        #expect(long.replacingOccurrences(of: "=\n", with: "") == String(repeating: "=C3=A9", count: 40))
    }

    @Test("random mixed-script subjects, names and bodies round-trip (seeded)")
    func randomRoundTrips() async throws {
        var generator = MailTestRandom(seed: 20_260_302)
        let pieces = ["Pengingat", "penilaian", "—", "Dinas", "Lingkungan", "Hidup", "ä", "é", "ñ", "Ṡ", "😀", "=?", "?=", "_", "=",
                      "\"", ",", "S.Kom.", "(Kepala)", "🇮🇩", "x\u{301}", "α", "日本", String(repeating: "k", count: 90), "<", ">", "@", "ؐ", ":"]
        for _ in 0..<12 {
            func phrase(_ n: Int) -> String {
                (0..<n).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined(separator: " ")
            }
            let subject = phrase(Int(generator.next() % 25) + 1)
            let name = phrase(Int(generator.next() % 6) + 1)
            let body = (0..<5).map { _ in phrase(Int(generator.next() % 30)) }.joined(separator: "\n")
            var message = Self.message(subject: subject, body: body)
            message.to = [MailAddress(name: name, email: "a.b@bandung.go.id")]
            let text = try message.rendered(timeZone: Self.jakarta)
            let parsed = try await ParsedMail.parse(Array(text.utf8))
            #expect(parsed.defects.isEmpty, "\(parsed.defects) for \(subject)")
            #expect(parsed.header("Subject") == subject, "subject")
            // The address parser finds the mailbox and the name (modulo the whitespace it keeps between
            // encoded-words, see ParsedMail.decoded); the RFC 2047 decoder gives the name exactly.
            let display = try #require(parsed.addresses["To"]?.first)
            #expect(display[1] == "a.b@bandung.go.id")
            #expect(display[0].filter { $0 != " " } == name.filter { $0 != " " }, "name")
            if name.unicodeScalars.contains(where: { !$0.isASCII }) {
                #expect(parsed.decoded["To"] == "\(name) <a.b@bandung.go.id>", "name")
            }
            #expect(parsed.body == (body.hasSuffix("\n") ? body : body + "\n"), "body")
        }
    }

    @Test("an address that cannot be written is named with its header", arguments: [
        ("siti@", "To"), ("si ti@bandung.go.id", "To"), ("síti@bandung.go.id", "To"), ("a..b@bandung.go.id", "To"), ("a@-x.id", "To"),
    ])
    func invalidAddresses(address: String, field: String) {
        var message = Self.message()
        message.to = [MailAddress(name: "X", email: address)]
        #expect(throws: MailRenderError.self) { try message.rendered(timeZone: Self.jakarta) }
        do {
            _ = try message.rendered(timeZone: Self.jakarta)
        } catch {
            #expect(error.field == field && error.address == address)
        }
    }

    @Test("address syntax", arguments: [
        ("kinerjad@localhost", true), ("first.last+tag@sub.bandung.go.id", true), ("o'brien@x.id", true),
        ("@x.id", false), ("a@b@c", false), (".a@x.id", false), ("a.@x.id", false), ("a@x..id", false), ("a@x_y.id", false), ("", false),
    ])
    func addressSyntax(address: String, valid: Bool) {
        #expect(MailAddressSyntax.isValid(address) == valid)
    }
}

/// SplitMix64: a small deterministic generator for reproducible random cases.
struct MailTestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
