import Testing
@testable import KinerjaDomain

@Suite("Message templates")
struct MessageTemplateTests {
    /// An acting appraiser is reminded with the title of the acting post, an outside appraiser as the
    /// pejabat penilai kinerja; the supervisor in the file as before.
    @Test func actingAndOutsideAppraisersAreNamedInReminders() {
        #expect(ReminderPlanner.rolePhrase(.atasan) == "sebagai atasan langsung")
        #expect(ReminderPlanner.rolePhrase(.atasan, source: .plt) == "sebagai Plt. atasan langsung")
        #expect(ReminderPlanner.rolePhrase(.atasan, source: .plh) == "sebagai Plh. atasan langsung")
        #expect(ReminderPlanner.rolePhrase(.atasan, source: .external) == "sebagai pejabat penilai kinerja")
        #expect(ReminderPlanner.rolePhrase(.rekan, source: nil) == "sebagai rekan kerja")
    }

    @Test func renderSubstitutesAndEscapes() throws {
        let t = try TemplateText(parsing: "Yth. {nama}, {{bukan}} {jumlah}}}", allowed: ["nama", "jumlah"])
        #expect(t.render(["nama": "Dewi {Sari}", "jumlah": "3"]) == "Yth. Dewi {Sari}, {bukan} 3}")
        #expect(t.placeholders.map(\.name) == ["nama", "jumlah"])
        // A missing value stays visible.
        #expect(t.render(["nama": "Dewi"]) == "Yth. Dewi, {bukan} {jumlah}}")
    }

    @Test func unknownPlaceholdersAreNamedWithLineAndColumn() {
        let text = "Yth. {nama},\n\nAnda punya {jumlah} penilaian, {tenggat} dan {nama_lengkap}."
        let problems = TemplateText.validate(text, allowed: ["nama", "jumlah"], name: "reminder.body")
        #expect(problems.map(\.placeholder) == ["tenggat", "nama_lengkap"])
        #expect(problems.map(\.line) == [3, 3])
        #expect(problems.map(\.column) == [32, 46])
        #expect(problems[0].description.hasPrefix("reminder.body, line 3, column 32: unknown placeholder {tenggat}; allowed: {jumlah}, {nama}"))
    }

    @Test(arguments: [
        ("Yth. {nama", 1, 6, "not closed"),
        ("a }", 1, 3, "lone '}'"),
        ("x\n{ nama }", 2, 1, "not a placeholder"),
        ("{1abc}", 1, 1, "not a placeholder"),
        ("{}", 1, 1, "not a placeholder"),
        ("{na{ma}", 1, 1, "not closed"),
    ])
    func syntaxProblems(text: String, line: Int, column: Int, reason: String) {
        let problems = TemplateText.validate(text, allowed: ["nama", "ma"])
        #expect(problems.first?.line == line)
        #expect(problems.first?.column == column)
        #expect(problems.first?.reason.contains(reason) == true)
        #expect(throws: TemplateError.self) { try TemplateText(parsing: text, allowed: ["nama", "ma"]) }
    }

    @Test func windowsLineEndsCountAsOneLine() {
        let problems = TemplateText.validate("a\r\nb\r\n{x}", allowed: [])
        #expect(problems.map(\.line) == [3] && problems.map(\.column) == [1])
    }

    @Test func standardTemplatesUseOnlyAllowedPlaceholders() {
        let s = ReminderTemplates.standard
        #expect(Set((s.reminder.subject.placeholders + s.reminder.body.placeholders).map(\.name))
            == ReminderTemplates.reminderPlaceholders.subtracting(["jumlah_terlambat"]))
        #expect(Set(s.escalation.body.placeholders.map(\.name)).isSubset(of: ReminderTemplates.escalationPlaceholders))
        #expect(s.escalation.body.placeholders.contains { $0.name == "tembusan" })
        #expect(Set(s.adminDigest.body.placeholders.map(\.name)) == ReminderTemplates.adminDigestPlaceholders)
        for (subject, body, allowed) in [
            (ReminderTemplates.defaultReminderSubject, ReminderTemplates.defaultReminderBody, ReminderTemplates.reminderPlaceholders),
            (ReminderTemplates.defaultEscalationSubject, ReminderTemplates.defaultEscalationBody, ReminderTemplates.escalationPlaceholders),
            (ReminderTemplates.defaultAdminDigestSubject, ReminderTemplates.defaultAdminDigestBody, ReminderTemplates.adminDigestPlaceholders),
        ] {
            #expect(TemplateText.validate(subject, allowed: allowed).isEmpty)
            #expect(TemplateText.validate(body, allowed: allowed).isEmpty)
        }
    }

    @Test func tembusanIsNotAllowedInThePlainReminder() {
        #expect {
            _ = try ReminderTemplates(
                reminder: ("Pengingat {jumlah}", "Tembusan: {tembusan}"),
                escalation: ("{jumlah_terlambat} terlambat {", ReminderTemplates.defaultEscalationBody),
                adminDigest: ("Rekap {tanggal}", "{daftar}"))
        } throws: { error in
            guard let e = error as? TemplateError else { return false }
            return e.problems.map(\.template) == ["reminder.body", "escalation.subject", "admin_digest.body"]
                && e.problems[0].placeholder == "tembusan" && e.problems[2].placeholder == "daftar"
        }
    }
}
