import KinerjaQR

/// The A4 poster a unit pins up at its service counter: who asks, what the survey is (anonymous, about
/// two minutes, the nine elements of the SKM), and a QR code of the unit's survey link with the link
/// written out below it for those who type it. Pure layout: text and a QR symbol in, SVG out.
///
/// SVG user units are millimetres (the page is 210 × 297). Text never relies on the renderer wrapping
/// it (SVG does not wrap): long lines are broken here from a width estimate on the generic sans-serif
/// face (DejaVu Sans on Debian, the widest of the usual ones), and the link shrinks to fit its line.
struct SurveyPoster {
    /// Who runs the survey, on the top band ("Pemerintah Kota Bandung").
    var issuer: String
    var unitName: String
    /// The period's code (`2026-Q4`), named in words on the poster.
    var period: String
    var url: String
    var qr: QRCode

    static let width = 210.0
    static let height = 297.0
    static let margin = 15.0
    static let navy = "#0b3a5b"
    static let accent = "#b3541e"
    static let ink = "#1d1d1b"
    static let fonts = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif"

    func svg() -> String {
        var body: [String] = []
        let mid = Self.width / 2
        // Top band: who asks and what this is.
        body.append(##"<rect x="0" y="0" width="210" height="42" fill="\##(Self.navy)"/>"##)
        body.append(text(Self.escape(issuer.uppercased()), x: mid, y: 15, size: 5.2, weight: "bold", fill: "#ffffff", spacing: 0.6))
        body.append(text("SURVEI KEPUASAN MASYARAKAT", x: mid, y: 28.5, size: 9.2, weight: "bold", fill: "#ffffff"))
        body.append(text("SKM", x: mid, y: 36.5, size: 4.6, fill: "#cfe3f1", spacing: 1.2))
        body.append(##"<rect x="0" y="42" width="210" height="2.2" fill="\##(Self.accent)"/>"##)

        // The unit, as large as its name allows (at most three lines).
        var y = 58.0
        let unitSize = Self.unitNameSize(unitName)
        for line in Self.wrap(unitName, width: Self.width - 2 * Self.margin, size: unitSize, bold: true, maxLines: 3) {
            body.append(text(Self.escape(line), x: mid, y: y, size: unitSize, weight: "bold", fill: Self.navy))
            y += unitSize * 1.25
        }

        // The question and the invitation.
        y += 4
        body.append(text("Bagaimana pelayanan kami hari ini?", x: mid, y: y, size: 8.2, weight: "bold", fill: Self.accent))
        y += 8.5
        for line in Self.wrap("Beri penilaian Anda atas pelayanan yang baru saja Anda terima. Pendapat Anda membantu kami "
                              + "memperbaiki pelayanan.", width: 170, size: 4.6, bold: false, maxLines: 3) {
            body.append(text(Self.escape(line), x: mid, y: y, size: 4.6, fill: Self.ink))
            y += 6.2
        }

        // The QR code on a white card with a rounded frame, then how to use it and the link itself.
        let side = 86.0
        let card = side + 12
        let cardTop = y + 2
        body.append(##"<rect x="\##(Self.mm(mid - card / 2))" y="\##(Self.mm(cardTop))" width="\##(Self.mm(card))" height="\##(Self.mm(card))" rx="4" fill="#ffffff" stroke="\##(Self.navy)" stroke-width="1.2"/>"##)
        body.append(qrPath(x: mid - side / 2, y: cardTop + 6, side: side))
        y = cardTop + card + 9
        body.append(text("Pindai kode QR ini dengan kamera ponsel Anda", x: mid, y: y, size: 5.4, weight: "bold", fill: Self.ink))
        y += 6.5
        body.append(text("atau buka alamat ini di peramban ponsel Anda:", x: mid, y: y, size: 4.2, fill: Self.ink))
        y += 6
        // DejaVu Sans Mono's advance is 0.6 em: the link takes at most the width between the margins.
        let linkSize = min(4.6, (Self.width - 2 * Self.margin) / (Double(url.count) * 0.61))
        body.append(##"<text x="\##(Self.mm(mid))" y="\##(Self.mm(y))" font-family="'DejaVu Sans Mono', 'Liberation Mono', monospace" font-size="\##(Self.mm(linkSize))" font-weight="bold" fill="\##(Self.navy)" text-anchor="middle">\##(Self.escape(url))</text>"##)

        // Three facts side by side: anonymous, short, and what it is for.
        let boxTop = y + 8
        let boxWidth = (Self.width - 2 * Self.margin - 2 * 5) / 3
        let facts = [
            ("Anonim", "Tanpa nama, NIK atau nomor telepon. Jawaban Anda tidak dapat dikaitkan dengan Anda."),
            ("± 2 menit", "Sembilan pertanyaan singkat tentang pelayanan kami, ditambah saran bila Anda mau."),
            ("Untuk perbaikan", "Jawaban dihitung menjadi Indeks Kepuasan Masyarakat (IKM) unit ini."),
        ]
        for (i, fact) in facts.enumerated() {
            let x = Self.margin + Double(i) * (boxWidth + 5)
            body.append(##"<rect x="\##(Self.mm(x))" y="\##(Self.mm(boxTop))" width="\##(Self.mm(boxWidth))" height="40" rx="3" fill="#eef4f8"/>"##)
            body.append(##"<rect x="\##(Self.mm(x))" y="\##(Self.mm(boxTop))" width="\##(Self.mm(boxWidth))" height="1.6" fill="\##(Self.accent)"/>"##)
            body.append(text(Self.escape(fact.0), x: x + boxWidth / 2, y: boxTop + 9.5, size: 5.4, weight: "bold", fill: Self.navy))
            var lineY = boxTop + 16.5
            for line in Self.wrap(fact.1, width: boxWidth - 6, size: 3.7, bold: false, maxLines: 5) {
                body.append(text(Self.escape(line), x: x + boxWidth / 2, y: lineY, size: 3.7, fill: Self.ink))
                lineY += 4.9
            }
        }

        // Footer band: the legal basis, the period, thanks.
        body.append(##"<rect x="0" y="273" width="210" height="24" fill="\##(Self.navy)"/>"##)
        body.append(text("Terima kasih atas partisipasi Anda!", x: mid, y: 282.5, size: 5.6, weight: "bold", fill: "#ffffff"))
        body.append(text(Self.escape("\(Self.periodInWords(period)) · Survei menurut Peraturan Menteri PANRB Nomor 14 Tahun 2017"),
                         x: mid, y: 290.5, size: 3.6, fill: "#cfe3f1"))

        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297" font-family="\(Self.fonts)">
            <title>\(Self.escape("Survei Kepuasan Masyarakat: \(unitName)"))</title>
            <rect x="0" y="0" width="210" height="297" fill="#ffffff"/>
            \(body.joined(separator: "\n"))
            </svg>

            """
    }

    /// The QR symbol as one path of unit squares, scaled to `side` millimetres. The white card around
    /// it is wider than the four-module quiet zone a reader needs.
    func qrPath(x: Double, y: Double, side: Double) -> String {
        var d = ""
        for row in 0..<qr.size {
            var column = 0
            while column < qr.size {
                guard qr.isDark(x: column, y: row) else { column += 1; continue }
                let start = column
                while column < qr.size && qr.isDark(x: column, y: row) { column += 1 }
                d += "M\(start) \(row)h\(column - start)v1h-\(column - start)z"
            }
        }
        let scale = side / Double(qr.size)
        return ##"<path transform="translate(\##(Self.mm(x)) \##(Self.mm(y))) scale(\##(Self.mm(scale, digits: 5)))" fill="#000000" shape-rendering="crispEdges" d="\##(d)"/>"##
    }

    func text(_ escaped: String, x: Double, y: Double, size: Double, weight: String = "normal", fill: String,
              spacing: Double = 0) -> String {
        let letterSpacing = spacing == 0 ? "" : ##" letter-spacing="\##(Self.mm(spacing))""##
        return ##"<text x="\##(Self.mm(x))" y="\##(Self.mm(y))" font-size="\##(Self.mm(size))" font-weight="\##(weight)" fill="\##(fill)" text-anchor="middle"\##(letterSpacing)>\##(escaped)</text>"##
    }

    /// The unit's name large when short, smaller when long, so it takes at most three lines.
    static func unitNameSize(_ name: String) -> Double {
        switch name.count {
        case ..<28: 11
        case ..<60: 9
        default: 7.5
        }
    }

    /// `2026-Q4` → "Periode triwulan IV 2026"; codes of other kinds likewise; an unknown form as it is.
    static func periodInWords(_ code: String) -> String {
        let roman = ["I", "II", "III", "IV"]
        let months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
                      "November", "Desember"]
        let parts = code.split(separator: "-")
        guard let year = parts.first, year.count == 4 else { return "Periode \(code)" }
        guard parts.count == 2 else { return "Periode tahun \(year)" }
        let rest = parts[1]
        if rest.first == "Q", let n = Int(rest.dropFirst()), (1...4).contains(n) { return "Periode triwulan \(roman[n - 1]) \(year)" }
        if rest.first == "S", let n = Int(rest.dropFirst()), (1...2).contains(n) { return "Periode semester \(roman[n - 1]) \(year)" }
        if let m = Int(rest), (1...12).contains(m) { return "Periode \(months[m - 1]) \(year)" }
        return "Periode \(code)"
    }

    /// Breaks `text` into lines no wider than `width` mm at `size`, by words; at most `maxLines` (the
    /// last one then ends with an ellipsis). A word wider than a line stands on a line of its own.
    static func wrap(_ text: String, width: Double, size: Double, bold: Bool, maxLines: Int) -> [String] {
        let perCharacter = size * (bold ? 0.64 : 0.56)
        let fits = max(1, Int(width / perCharacter))
        var lines: [String] = []
        var current = ""
        for word in text.split(whereSeparator: \.isWhitespace).map(String.init) {
            if current.isEmpty {
                current = word
            } else if current.count + 1 + word.count <= fits {
                current += " " + word
            } else {
                lines.append(current)
                current = word
            }
        }
        if !current.isEmpty { lines.append(current) }
        guard lines.count > maxLines else { return lines }
        var kept = Array(lines.prefix(maxLines))
        kept[maxLines - 1] = String(kept[maxLines - 1].prefix(max(1, fits - 1))) + "…"
        return kept
    }

    /// Text for an SVG text node or attribute.
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // Control characters are not allowed in XML 1.0; a stored name carrying one shows a space.
            case _ where c.value < 0x20: out += " "
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A length in millimetres, with at most `digits` decimals and no trailing zeros.
    static func mm(_ value: Double, digits: Int = 2) -> String {
        var factor = 1.0
        for _ in 0..<digits { factor *= 10 }
        let rounded = (value * factor).rounded() / factor
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var s = String(rounded)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}
