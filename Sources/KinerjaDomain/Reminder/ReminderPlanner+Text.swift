/// Texts used many times in one sweep (due dates, subjects' NIPs), formatted once.
struct ReminderTextCache {
    private var dates: [CalendarDate: String] = [:]
    private var nips: [NIP: String] = [:]

    mutating func longDate(_ day: CalendarDate) -> String {
        if let text = dates[day] { return text }
        let text = IndonesianFormat.longDate(day)
        dates[day] = text
        return text
    }

    mutating func nip(_ nip: NIP) -> String {
        if let text = nips[nip] { return text }
        let text = Self.grouped(nip)
        nips[nip] = text
        return text
    }

    /// `19800101 200501 1 001`, the same text as `NIP.formatted`, built from the bytes.
    static func grouped(_ nip: NIP) -> String {
        var bytes = Array(nip.description.utf8)
        guard bytes.count == 18 else { return nip.formatted }
        bytes.insert(32, at: 15)
        bytes.insert(32, at: 14)
        bytes.insert(32, at: 8)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The texts that fill the templates' placeholders, in Bahasa Indonesia.
extension ReminderPlanner {
    func reviewerMessage(contact: ReminderContact, address: String, items: [DigestItem], cc: [CopyRecipient],
                         level: EscalationLevel, today: CalendarDate, cache: inout ReminderTextCache) -> PlannedMessage {
        let late = items.filter { $0.daysLate > 0 }.count
        let nextDue = items.filter { $0.daysLate == 0 }.map(\.dueDay).min()
        // A copy never shows the copied person a review about themselves (who reviews them, in which
        // role): those items are only counted. The reviewer had them in full in the earlier reminders.
        let copied = Set(cc.map(\.nip))
        var values: [String: String] = [
            "nama": Self.inline(contact.name),
            "nip": cache.nip(contact.nip),
            "jumlah": String(items.count),
            "jumlah_terlambat": String(late),
            "daftar": Self.digestList(items, withheldSubjects: copied, cache: &cache),
            "tanggal": cache.longDate(today),
            "batas_terdekat": nextDue.map { cache.longDate($0) } ?? "semua batas waktu telah terlewati",
            "instansi": Self.inline(sender),
            "tautan": ReviewLinkSlot.slot(cycles: Self.cycleIDs(items)),
        ]
        let kind: PlannedMessage.Kind = cc.isEmpty ? .reminder : .escalation
        let template: MessageTemplate
        if kind == .escalation {
            values["tembusan"] = Self.copyList(cc)
            // How often the reviews that escalate now were reminded before: the fewest among them,
            // so the sentence holds for each.
            let earlier = items.filter { item in
                guard item.isNewStage, case .after = item.stage else { return false }
                return true
            }.map(\.earlierReminders).min() ?? 0
            values["riwayat_pengingat"] = Self.reminderHistoryPhrase(earlier)
            template = templates.escalation
        } else {
            template = templates.reminder
        }
        let marks = items.filter(\.isNewStage).compactMap { item in
            item.stage.map { ReminderStageKey(assignmentID: item.assignmentID, stage: $0) }
        }.sorted()
        return PlannedMessage(
            kind: kind, recipient: contact.nip, to: [MailAddress(name: contact.name, email: address)], cc: cc,
            subject: Self.oneLine(template.subject.render(values)), body: template.body.render(values), items: items,
            marks: marks, escalation: level, dedupeKey: "reminder/\(contact.nip)/\(today)")
    }

    func adminDigestMessage(to address: MailAddress, escalated: EscalationDigest, missing: [MissingAddress], people: Int,
                            today: CalendarDate) -> PlannedMessage {
        let values: [String: String] = [
            "tanggal": IndonesianFormat.longDate(today),
            "instansi": Self.inline(sender),
            "jumlah_penilai": String(escalated.reviewers),
            "jumlah_penilaian": String(escalated.lateReviews),
            "daftar_eskalasi": Self.escalationList(escalated),
            "jumlah_tanpa_email": String(people),
            "daftar_tanpa_email": Self.missingList(missing, people: people),
        ]
        return PlannedMessage(
            kind: .adminDigest, recipient: nil, to: [address], cc: [],
            subject: Self.oneLine(templates.adminDigest.subject.render(values)),
            body: templates.adminDigest.body.render(values), items: [], marks: [], escalation: .unitHead,
            dedupeKey: "admin-digest/\(today)")
    }

    /// The cycles of `items`, in digest order, each once: the links `{tautan}` carries.
    static func cycleIDs(_ items: [DigestItem]) -> [Int64] {
        var seen = Set<Int64>()
        return items.map(\.cycleID).filter { seen.insert($0).inserted }
    }

    /// `setelah 2 kali pengingat sebelumnya`, or, with none before, `hingga melewati batas waktunya`.
    static func reminderHistoryPhrase(_ earlier: Int) -> String {
        earlier > 0 ? "setelah \(earlier) kali pengingat sebelumnya" : "hingga melewati batas waktunya"
    }

    /// How the reviewer's role towards the subject is named; an acting appraiser's with its title
    /// ("sebagai Plt. atasan langsung"), an outside appraiser's as pejabat penilai kinerja.
    static func rolePhrase(_ role: ReviewerRole, source: AtasanSource? = nil) -> String {
        switch role {
        case .selfAssessment: return "penilaian diri sendiri"
        case .atasan where source == .external: return "sebagai pejabat penilai kinerja"
        case .atasan: return "sebagai " + (source?.prefix ?? "") + "atasan langsung"
        case .rekan: return "sebagai rekan kerja"
        case .bawahan: return "sebagai bawahan"
        }
    }

    /// `terlambat 3 hari`, `batas waktu hari ini`, `6 hari lagi`.
    static func statusPhrase(_ item: DigestItem) -> String {
        if item.daysLate > 0 { return "terlambat \(item.daysLate) hari" }
        if item.daysLeft > 0 { return "\(item.daysLeft) hari lagi" }
        return "batas waktu hari ini"
    }

    /// The digest: a heading per cycle, then numbered reviews with due date and status. Reviews whose
    /// subject is in `withheldSubjects` (the people a message is copied to) are not listed; one
    /// closing line counts them, so the list and `{jumlah}` always agree.
    static func digestList(_ items: [DigestItem], withheldSubjects: Set<NIP> = [], cache: inout ReminderTextCache) -> String {
        var lines: [String] = []
        lines.reserveCapacity(items.count * 2 + 4)
        var currentCycle: Int64?
        var number = 0
        var withheld = 0
        for item in items {
            if withheldSubjects.contains(item.subject) {
                withheld += 1
                continue
            }
            if item.cycleID != currentCycle {
                if currentCycle != nil { lines.append("") }
                lines.append("Siklus \(inline(item.cycleLabel)):")
                currentCycle = item.cycleID
                number = 0
            }
            number += 1
            let who = item.role == .selfAssessment
                ? "Penilaian diri sendiri"
                : inline(item.subjectName) + " (NIP " + cache.nip(item.subject) + "), " + rolePhrase(item.role, source: item.atasanSource)
            lines.append("  " + String(number) + ". " + who)
            lines.append("     batas waktu " + cache.longDate(item.dueDay) + ", " + statusPhrase(item))
        }
        if withheld > 0 {
            if !lines.isEmpty { lines.append("") }
            lines.append(withheldLine(withheld))
        }
        return lines.joined(separator: "\n")
    }

    /// The closing line of a copied digest for the reviews it does not list.
    static func withheldLine(_ count: Int) -> String {
        (count == 1 ? "  Selain itu, 1 penilaian lain" : "  Selain itu, \(count) penilaian lain")
            + " tidak dirinci dalam pesan bertembusan ini; rinciannya ada pada pengingat sebelumnya."
    }

    /// `Budi Santoso (atasan langsung) dan Siti Aminah (kepala unit kerja)`.
    static func copyList(_ cc: [CopyRecipient]) -> String {
        let names = cc.map { c in
            inline(c.address.name) + (c.reason == .atasan ? " (atasan langsung)" : " (kepala unit kerja)")
        }
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " dan " + names.last!
    }

    /// Per unit (by code): its name, its first reviewers (`EscalationDigest.listedPerUnit`), and how
    /// many more it has.
    static func escalationList(_ escalated: EscalationDigest) -> String {
        guard !escalated.isEmpty else { return "  (tidak ada)" }
        var lines: [String] = []
        for (code, unit) in escalated.byUnit {
            if !lines.isEmpty { lines.append("") }
            lines.append(code.isEmpty ? "Unit tidak diketahui" : inline(code))
            for e in unit.listed {
                let name = e.name.isEmpty ? "(nama tidak diketahui)" : inline(e.name)
                lines.append("  - \(name) (NIP \(ReminderTextCache.grouped(e.reviewer))): \(e.lateReviews) penilaian terlambat, "
                             + "paling lama \(e.mostDaysLate) hari")
            }
            let more = unit.reviewers - unit.listed.count
            if more > 0 {
                let reviews = unit.lateReviews - unit.listed.reduce(0) { $0 + $1.lateReviews }
                lines.append("  - dan \(more) penilai lain di unit ini (\(reviews) penilaian terlambat); "
                             + "daftar lengkap: kinerjactl reviews overdue --unit \(inline(code))")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One line per person without an address listed (`missing` is sorted by unit, NIP, role, so a
    /// person who is both a reviewer and an atasan due a copy is one line naming both), and, when
    /// `people` counts more than are listed, how many more and where all of them are: no command lists
    /// them, the employee file does (its rows without an email).
    static func missingList(_ missing: [MissingAddress], people: Int) -> String {
        guard !missing.isEmpty else { return "  (tidak ada)" }
        var lines: [String] = []
        var listed = 0
        var index = missing.startIndex
        while index < missing.endIndex {
            let m = missing[index]
            var end = index
            while end < missing.endIndex, missing[end].nip == m.nip { end += 1 }
            let roles = missing[index..<end].map { m -> String in
                switch m.role {
                case .reviewer: return "penilai dengan \(m.reviews) penilaian yang perlu diingatkan"
                case .atasan: return "atasan langsung yang perlu menerima tembusan (\(m.reviews) penilaian terlambat)"
                case .unitHead: return "kepala unit kerja yang perlu menerima tembusan (\(m.reviews) penilaian terlambat)"
                }
            }
            let name = m.name.isEmpty ? "(tidak ada di data pegawai)" : inline(m.name)
            let unit = m.unit.isEmpty ? "" : ", \(inline(m.unit))"
            lines.append("  - \(name) (NIP \(ReminderTextCache.grouped(m.nip)))\(unit): " + roles.joined(separator: "; "))
            listed += 1
            index = end
        }
        if people > listed {
            lines.append("  - dan \(people - listed) orang lain (daftar ini memuat \(listed) orang pertama menurut NIP); "
                         + "selebihnya: pegawai tanpa email di berkas pegawai yang diimpor (kinerjactl import employees) dan atasan atau kepala unit yang tidak ada di berkas itu")
        }
        return lines.joined(separator: "\n")
    }

    /// Subjects are one line: line breaks from a template or a value become spaces.
    static func oneLine(_ text: String) -> String {
        inline(text)
    }

    /// A value put into a message (a name, a unit, a cycle label): every line break (CR, LF, VT, FF,
    /// NEL, U+2028, U+2029) and every other control character becomes a space, so a value can never
    /// start a line of its own (a spoofed "Bcc:" or a fake paragraph). Input checks refuse such
    /// characters already; this holds even for data stored before them.
    public static func inline(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: ControlCharacters.isControlOrLineBreak) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            out.append(ControlCharacters.isControlOrLineBreak(scalar) ? " " : scalar)
        }
        return String(out)
    }
}
