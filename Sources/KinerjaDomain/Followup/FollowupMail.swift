import Foundation

/// One follow-up as the atasan's message lists it. Only what the flag's evidence says (its
/// `penjelasan`: aggregates, never one rekan's or bawahan's score and never a reviewer's name), the
/// recommendation, the due date and the personal link.
public struct FollowupMailItem: Sendable, Hashable {
    public var followupID: Int64
    public var subjectName: String
    public var subjectNIP: NIP
    public var rule: MotivationRule
    public var seen: String
    public var recommendation: FollowUpAction
    public var due: CalendarDate
    public var status: FollowupStatus
    /// The personal link to the page where the outcome is recorded.
    public var link: String
    /// Catalogue courses matched to the employee's weakest values, one line each, with why.
    public var trainings: [String] = []

    public init(followupID: Int64, subjectName: String, subjectNIP: NIP, rule: MotivationRule, seen: String,
                recommendation: FollowUpAction, due: CalendarDate, status: FollowupStatus, link: String) {
        self.followupID = followupID
        self.subjectName = subjectName
        self.subjectNIP = subjectNIP
        self.rule = rule
        self.seen = seen
        self.recommendation = recommendation
        self.due = due
        self.status = status
        self.link = link
    }
}

extension MotivationRule {
    /// A one-line title in Bahasa Indonesia, as the atasan reads it.
    public var judul: String {
        switch self {
        case .decliningTrend: return "Kinerja cenderung menurun"
        case .recognitionGap: return "Upaya belum tercermin dalam penilaian"
        case .disengaged: return "Kurang terlibat dalam penilaian"
        case .feedbackDrop: return "Umpan balik rekan atau bawahan menurun"
        case .stalledDevelopment: return "Pengembangan diri terhenti"
        case .perfunctoryReviewer: return "Penilaian diberikan sebagai formalitas"
        }
    }
}

/// The text of the message that tells an atasan about their follow-ups, in Bahasa Indonesia.
///
/// Rule implemented: one message per atasan and day listing every follow-up they must hold or
/// record, newest stage first; an escalated one says that the unit head is copied.
public enum FollowupMail {
    public static func subject(items: [FollowupMailItem]) -> String {
        let late = items.filter { $0.status == .overdue || $0.status == .escalated }.count
        let n = items.count
        if late > 0 { return "Tindak lanjut kinerja terlambat: \(late) dari \(n) pegawai menunggu dialog Anda" }
        return n == 1 ? "Tindak lanjut kinerja: \(items[0].subjectName) menunggu dialog Anda"
            : "Tindak lanjut kinerja: \(n) pegawai menunggu dialog Anda"
    }

    public static func body(atasanName: String, items: [FollowupMailItem], sender: String, today: CalendarDate) -> String {
        var lines = ["Yth. \(atasanName),", "",
                     "Analisis kinerja menemukan pola yang perlu ditindaklanjuti dengan dialog bersama pegawai berikut. "
                        + "Mohon lakukan dialog kinerja, lalu catat hasilnya melalui tautan pribadi di bawah setiap nama "
                        + "(tautan ini hanya untuk Anda; jangan diteruskan).", ""]
        for (i, item) in items.enumerated() {
            let days = item.due.daysSinceEpoch - today.daysSinceEpoch
            let when = days > 0 ? "\(days) hari lagi" : (days == 0 ? "hari ini" : "terlambat \(-days) hari")
            lines += [
                "\(i + 1). \(item.subjectName) (NIP \(item.subjectNIP))",
                "   Yang terlihat: \(item.rule.judul). \(item.seen)",
                "   Rekomendasi: \(item.recommendation.name)",
            ]
            lines += item.trainings.map { "   Pelatihan yang sesuai: \($0)" }
            lines += [
                "   Batas waktu: \(IndonesianFormat.longDate(item.due)) (\(when))"
                    + (item.status == .escalated ? "; telah diteruskan ke kepala unit" : ""),
                "   Catat hasil dialog: \(item.link)",
                "",
            ]
        }
        lines += ["Nilai dari rekan dan bawahan hanya ditampilkan sebagai rata-rata; siapa memberi nilai berapa tidak pernah dibagikan.",
                  "", "Terima kasih,", sender]
        return lines.joined(separator: "\n")
    }

    /// The BKPSDM digest of escalated follow-ups and of atasan who could not be told.
    public static func digestBody(escalated: [(subject: String, nip: NIP, unit: String, atasan: String, due: CalendarDate)],
                                  unreachable: [(subject: String, nip: NIP, unit: String)], sender: String) -> String {
        var lines = ["Ringkasan tindak lanjut kinerja", ""]
        if !escalated.isEmpty {
            lines.append("Tindak lanjut yang terlambat dan diteruskan ke kepala unit (\(escalated.count)):")
            for e in escalated {
                lines.append("- \(e.subject) (NIP \(e.nip), \(e.unit)); atasan: \(e.atasan); batas waktu \(IndonesianFormat.date(e.due))")
            }
            lines.append("")
        }
        if !unreachable.isEmpty {
            lines.append("Tindak lanjut tanpa atasan yang dapat dihubungi (tanpa atasan atau tanpa alamat email) (\(unreachable.count)):")
            for u in unreachable { lines.append("- \(u.subject) (NIP \(u.nip), \(u.unit))") }
            lines.append("")
        }
        lines += ["Catat hasil dengan: kinerjactl followups record ID", "", sender]
        return lines.joined(separator: "\n")
    }
}
