/// The words on the pages, in Bahasa Indonesia: the BerAKHLAK values with their meaning and behaviour
/// examples (SE MenPANRB 20/2021), the scales, the SKM questions and answer labels (PermenPANRB
/// 14/2017, its questionnaire), and the sentences that say whom a reviewer assesses.
enum PageTexts {
    struct Value {
        let field: String
        let name: String
        let meaning: String
        let examples: String
    }

    static let values: [Value] = [
        Value(field: "berorientasi_pelayanan", name: "Berorientasi Pelayanan",
              meaning: "komitmen memberikan pelayanan prima demi kepuasan masyarakat",
              examples: "memahami dan memenuhi kebutuhan masyarakat; ramah, cekatan, solutif dan dapat diandalkan; terus memperbaiki layanan"),
        Value(field: "akuntabel", name: "Akuntabel", meaning: "bertanggung jawab atas kepercayaan yang diberikan",
              examples: "jujur, cermat, disiplin dan berintegritas; memakai barang milik negara secara bertanggung jawab; tidak menyalahgunakan kewenangan"),
        Value(field: "kompeten", name: "Kompeten", meaning: "terus belajar dan mengembangkan kapabilitas",
              examples: "meningkatkan kompetensi diri; membantu orang lain belajar; melaksanakan tugas dengan kualitas terbaik"),
        Value(field: "harmonis", name: "Harmonis", meaning: "saling peduli dan menghargai perbedaan",
              examples: "menghargai setiap orang apa pun latar belakangnya; suka menolong; membangun lingkungan kerja yang kondusif"),
        Value(field: "loyal", name: "Loyal", meaning: "berdedikasi dan mengutamakan kepentingan bangsa dan negara",
              examples: "setia kepada Pancasila, UUD 1945, NKRI dan pemerintahan yang sah; menjaga nama baik instansi; menjaga rahasia jabatan"),
        Value(field: "adaptif", name: "Adaptif", meaning: "terus berinovasi dan antusias menghadapi perubahan",
              examples: "cepat menyesuaikan diri; terus berinovasi dan mengembangkan kreativitas; bertindak proaktif"),
        Value(field: "kolaboratif", name: "Kolaboratif", meaning: "membangun kerja sama yang sinergis",
              examples: "memberi kesempatan berbagai pihak berkontribusi; terbuka bekerja sama; menggerakkan sumber daya untuk tujuan bersama"),
    ]

    static let scale = ["Sangat kurang", "Kurang", "Cukup", "Baik", "Sangat baik"]

    static let hasilKerja: [(value: String, label: String)] = [
        ("di_atas", "Di atas ekspektasi"), ("sesuai", "Sesuai ekspektasi"), ("di_bawah", "Di bawah ekspektasi"),
    ]

    /// "Anda menilai Budi Santoso, atasan langsung Anda" — `role` is the reviewer's relation to the subject.
    static func sentence(role: String, subject: String) -> String {
        switch role {
        case "self": return "Anda menilai diri Anda sendiri (penilaian diri)"
        case "atasan": return "Anda menilai \(subject), bawahan langsung Anda (Anda atasannya)"
        case "bawahan": return "Anda menilai \(subject), atasan langsung Anda"
        default: return "Anda menilai \(subject), rekan kerja Anda"
        }
    }

    /// Who sees this review, per role.
    static func audience(role: String, minimum: Int) -> String {
        switch role {
        case "self": return "Penilaian diri dilihat oleh atasan Anda dan pengelola kepegawaian."
        case "atasan": return "Penilaian atasan, termasuk hasil kerja dan komentar, dilihat oleh pegawai yang dinilai dan pengelola kepegawaian."
        default:
            return "Nilai Anda hanya ditampilkan sebagai rata-rata gabungan dari sedikitnya \(minimum) penilai, tanpa nama Anda; "
                + "bila penilai kurang dari \(minimum), nilainya tidak ditampilkan."
        }
    }

    static func status(_ status: String) -> String {
        switch status {
        case "submitted": return "sudah dikirim"
        case "overdue": return "belum dikirim, melewati batas waktu"
        default: return "belum dikirim"
        }
    }

    static func daysLeft(_ days: Int) -> String {
        if days > 0 { return "\(days) hari lagi" }
        if days == 0 { return "hari ini" }
        return "lewat \(-days) hari"
    }

    struct SurveyElement {
        let field: String
        let name: String
        let question: String
        let labels: [String]
    }

    static let survey: [SurveyElement] = [
        SurveyElement(field: "u1", name: "Persyaratan",
                      question: "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
                      labels: ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"]),
        SurveyElement(field: "u2", name: "Sistem, mekanisme dan prosedur",
                      question: "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
                      labels: ["Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"]),
        SurveyElement(field: "u3", name: "Waktu penyelesaian",
                      question: "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
                      labels: ["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"]),
        SurveyElement(field: "u4", name: "Biaya/tarif", question: "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
                      labels: ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"]),
        SurveyElement(field: "u5", name: "Produk spesifikasi jenis pelayanan",
                      question: "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan dengan hasil yang diberikan?",
                      labels: ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"]),
        SurveyElement(field: "u6", name: "Kompetensi pelaksana",
                      question: "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
                      labels: ["Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"]),
        SurveyElement(field: "u7", name: "Perilaku pelaksana",
                      question: "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
                      labels: ["Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"]),
        SurveyElement(field: "u8", name: "Penanganan pengaduan, saran dan masukan",
                      question: "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
                      labels: ["Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"]),
        SurveyElement(field: "u9", name: "Sarana dan prasarana", question: "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
                      labels: ["Buruk", "Cukup", "Baik", "Sangat baik"]),
    ]
}
