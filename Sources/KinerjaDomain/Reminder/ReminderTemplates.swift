/// A subject line and a body, both templates.
public struct MessageTemplate: Sendable, Hashable {
    public let subject: TemplateText
    public let body: TemplateText

    /// Parses both parts against `allowed`; throws every problem of both, labelled `name.subject` and
    /// `name.body`.
    public init(name: String, subject: String, body: String, allowed: Set<String>) throws(TemplateError) {
        let problems = TemplateText.validate(subject, allowed: allowed, name: name + ".subject")
            + TemplateText.validate(body, allowed: allowed, name: name + ".body")
        guard problems.isEmpty else { throw TemplateError(problems: problems) }
        self.subject = try TemplateText(parsing: subject, allowed: allowed, name: name + ".subject")
        self.body = try TemplateText(parsing: body, allowed: allowed, name: name + ".body")
    }
}

/// The three reminder templates (config `reminders.templates`), in Bahasa Indonesia.
///
/// Rule implemented: docs/domain-rules.md "Templates are in Bahasa Indonesia and live in config": "a
/// reminder, an escalation, the admin digest, with placeholders; a template that uses an unknown
/// placeholder is a config error". The placeholders each template may use are listed in
/// `reminderPlaceholders`, `escalationPlaceholders` and `adminDigestPlaceholders`.
public struct ReminderTemplates: Sendable, Hashable {
    public let reminder: MessageTemplate
    public let escalation: MessageTemplate
    public let adminDigest: MessageTemplate

    /// Placeholders of the reminder to a reviewer:
    /// - `{nama}` the reviewer's name; `{nip}` their NIP (grouped, `19800101 200501 1 001`);
    /// - `{jumlah}` how many reviews they owe; `{jumlah_terlambat}` how many of those are late;
    /// - `{daftar}` the digest: every owed review grouped by cycle, with due date and days late;
    /// - `{tanggal}` today (`Senin, 16 Maret 2026`); `{batas_terdekat}` the earliest due date among
    ///   the reviews not yet late (or `-`); `{instansi}` the sender (e.g. `BKPSDM Kota Bandung`);
    /// - `{tautan}` the reviewer's personal link to the web front (`https://…/r/TOKEN`; one line per
    ///   cycle when the reviews are of several cycles), made when the message is sent (see
    ///   `ReviewLinkSlot`). In a copy to the atasan or unit head it reads `ReviewLinkSlot.copyText`;
    ///   without `web.public_base_url` it is a sentence saying whom to contact instead.
    public static let reminderPlaceholders: Set<String> = [
        "nama", "nip", "jumlah", "jumlah_terlambat", "daftar", "tanggal", "batas_terdekat", "instansi", "tautan",
    ]
    /// The reminder's placeholders, `{tembusan}`: who is copied (`Budi (atasan langsung)`), and
    /// `{riwayat_pengingat}`: how often the late reviews were reminded before, from the reminders
    /// actually sent (`setelah 2 kali pengingat sebelumnya`, or `hingga melewati batas waktunya`
    /// when none was).
    public static let escalationPlaceholders: Set<String> = reminderPlaceholders.union(["tembusan", "riwayat_pengingat"])
    /// Placeholders of the daily admin digest:
    /// - `{tanggal}`, `{instansi}` as above;
    /// - `{jumlah_penilai}` reviewers escalated to their unit head, `{jumlah_penilaian}` their late reviews,
    ///   `{daftar_eskalasi}` per unit its first ten such reviewers, one line each, and how many more;
    /// - `{jumlah_tanpa_email}` people who could not be reached, each counted once, `{daftar_tanpa_email}`
    ///   one line per person (a reviewer who is also an atasan due a copy is one line with both).
    public static let adminDigestPlaceholders: Set<String> = [
        "tanggal", "instansi", "jumlah_penilai", "jumlah_penilaian", "daftar_eskalasi", "jumlah_tanpa_email",
        "daftar_tanpa_email",
    ]

    /// Parses the three templates; throws every problem of all of them.
    public init(reminder: (subject: String, body: String), escalation: (subject: String, body: String),
                adminDigest: (subject: String, body: String)) throws(TemplateError) {
        var problems: [TemplateProblem] = []
        func make(_ name: String, _ t: (subject: String, body: String), _ allowed: Set<String>) -> MessageTemplate? {
            do {
                return try MessageTemplate(name: name, subject: t.subject, body: t.body, allowed: allowed)
            } catch {
                problems += error.problems
                return nil
            }
        }
        let r = make("reminder", reminder, Self.reminderPlaceholders)
        let e = make("escalation", escalation, Self.escalationPlaceholders)
        let a = make("admin_digest", adminDigest, Self.adminDigestPlaceholders)
        guard let r, let e, let a else { throw TemplateError(problems: problems) }
        self.reminder = r
        self.escalation = e
        self.adminDigest = a
    }

    /// The shipped templates (also written in the reference config).
    public static let standard: ReminderTemplates = {
        do {
            return try ReminderTemplates(
                reminder: (defaultReminderSubject, defaultReminderBody),
                escalation: (defaultEscalationSubject, defaultEscalationBody),
                adminDigest: (defaultAdminDigestSubject, defaultAdminDigestBody))
        } catch {
            preconditionFailure("the shipped reminder templates are invalid: \(error)")
        }
    }()

    public static let defaultReminderSubject = "Pengingat: {jumlah} penilaian perilaku kerja menunggu Anda"

    public static let defaultReminderBody = """
        Yth. Bapak/Ibu {nama} (NIP {nip}),

        Per {tanggal}, masih ada {jumlah} penilaian perilaku kerja (penilaian 360 derajat) yang menunggu \
        Bapak/Ibu isi:

        {daftar}

        Mohon penilaian tersebut diisi sebelum batas waktunya (batas terdekat: {batas_terdekat}) melalui \
        tautan pribadi Bapak/Ibu berikut:

        {tautan}

        Tautan ini khusus untuk Bapak/Ibu; mohon tidak diteruskan kepada orang lain. Penilaian yang jujur dan tepat waktu memberi rekan kerja umpan balik yang bermanfaat dan menjadi \
        bahan dialog kinerja bersama atasan.

        Apabila ada kendala, silakan menghubungi pengelola kepegawaian di unit kerja Bapak/Ibu.

        Terima kasih atas perhatian dan kerja samanya.

        Hormat kami,
        {instansi}

        Pesan ini dikirim secara otomatis; mohon tidak membalas email ini.
        """

    public static let defaultEscalationSubject =
        "Penilaian perilaku kerja terlambat: {jumlah_terlambat} dari {jumlah} penilaian melewati batas waktu"

    public static let defaultEscalationBody = """
        Yth. Bapak/Ibu {nama} (NIP {nip}),

        Per {tanggal}, {jumlah_terlambat} dari {jumlah} penilaian perilaku kerja (penilaian 360 derajat) \
        yang menjadi tanggung jawab Bapak/Ibu telah melewati batas waktu:

        {daftar}

        Karena penilaian tersebut belum diisi {riwayat_pengingat}, pesan ini disampaikan pula sebagai \
        tembusan kepada {tembusan}.

        Mohon penilaian tersebut segera diisi melalui tautan pribadi Bapak/Ibu berikut:

        {tautan}

        Apabila ada kendala, silakan menghubungi pengelola \
        kepegawaian di unit kerja Bapak/Ibu.

        Terima kasih atas perhatian dan kerja samanya.

        Hormat kami,
        {instansi}

        Pesan ini dikirim secara otomatis; mohon tidak membalas email ini.
        """

    public static let defaultAdminDigestSubject = "Rekap harian penilaian kinerja yang terlambat, {tanggal}"

    public static let defaultAdminDigestBody = """
        Yth. Admin BKPSDM,

        Berikut rekap penilaian perilaku kerja yang terlambat per {tanggal}.

        Penilai yang keterlambatannya sudah mencapai tahap eskalasi ke kepala unit kerja ({jumlah_penilai} penilai, \
        {jumlah_penilaian} penilaian terlambat):

        {daftar_eskalasi}

        Pegawai yang tidak dapat dihubungi karena belum memiliki alamat email ({jumlah_tanpa_email} orang):

        {daftar_tanpa_email}

        Mohon ditindaklanjuti bersama pengelola kepegawaian di unit kerja terkait, dan lengkapi alamat \
        email pegawai pada data kepegawaian.

        Pesan ini dikirim secara otomatis oleh kinerjad ({instansi}).
        """
}
