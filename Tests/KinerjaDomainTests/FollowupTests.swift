import Foundation
import Testing
@testable import KinerjaDomain

/// Follow-up rules without a database: reading an outcome (each problem names its field), the
/// calendar's transitions, and the atasan's message text.
@Suite("Follow-up rules")
struct FollowupTests {
    static func day(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    @Test("an outcome is read from its fields; every problem names its field and nothing is returned")
    func parseOutcome() throws {
        let created = Self.day("2026-11-20"), today = Self.day("2026-12-04")
        let good = try FollowupOutcome.parse(heldOn: "2026-12-01", action: "Workload-Change", note: "  beban dibagi  ",
                                             nextCheck: "2027-03-01", createdOn: created, today: today).get()
        #expect(good == FollowupOutcome(heldOn: Self.day("2026-12-01"), action: .workloadChange, note: "beban dibagi",
                                        nextCheck: Self.day("2027-03-01")))
        #expect(try FollowupOutcome.parse(heldOn: "2026-12-04", action: "none_needed", note: "", nextCheck: "",
                                          createdOn: created, today: today).get().nextCheck == nil)

        func problems(_ heldOn: String, _ action: String, _ note: String = "", _ next: String? = nil) -> [String] {
            guard case .failure(let e) = FollowupOutcome.parse(heldOn: heldOn, action: action, note: note, nextCheck: next,
                                                               createdOn: created, today: today) else { return [] }
            return e.problems
        }
        #expect(problems("2026-12-05", "training") == ["held_on: 2026-12-05 is after today (2026-12-04)"])
        #expect(problems("2026-11-19", "training") == ["held_on: 2026-11-19 is before the follow-up was created (2026-11-20)"])
        #expect(problems("2026-02-30", "coaching").count == 2)
        #expect(problems("2026-02-30", "coaching")[0].hasPrefix("held_on: '2026-02-30' is not a date"))
        #expect(problems("2026-02-30", "coaching")[1] == "action: 'coaching' is not one of training, mentoring, workload_change, none_needed, other")
        #expect(problems("2026-12-01", "other", String(repeating: "x", count: 501)) == ["note: 501 characters, at most 500 allowed"])
        #expect(problems("2026-12-01", "other", "a\u{7}b") == ["note: contains control characters"])
        #expect(problems("2026-12-01", "other", "", "2026-12-01") == ["next_check: 2026-12-01 is not after held_on (2026-12-01)"])
        #expect(problems("2026-12-01", "other", "", "besok") == ["next_check: 'besok' is not a date of the form YYYY-MM-DD"])
    }

    @Test("the calendar moves a task: open → overdue after the due date → escalated escalate_after days later; held → closed at its next check")
    func timedTransitions() {
        let policy = FollowupPolicy(minSeverity: .warning, dueAfterDays: 14, escalateAfterDays: 7)
        let due = Self.day("2026-12-15")
        func step(_ s: FollowupStatus, _ today: String, next: String? = nil) -> FollowupStatus? {
            policy.timedTransition(status: s, due: due, nextCheck: next.map(Self.day), today: Self.day(today))
        }
        #expect(step(.open, "2026-12-15") == nil)
        #expect(step(.open, "2026-12-16") == .overdue)
        #expect(step(.overdue, "2026-12-22") == nil)
        #expect(step(.overdue, "2026-12-23") == .escalated)
        // A task first looked at long after its due date goes straight to escalated.
        #expect(step(.open, "2026-12-23") == .escalated)
        #expect(step(.held, "2026-12-01") == .closed)
        #expect(step(.held, "2027-02-28", next: "2027-03-01") == nil)
        #expect(step(.held, "2027-03-01", next: "2027-03-01") == .closed)
        #expect(step(.escalated, "2027-06-01") == nil && step(.closed, "2027-06-01") == nil)
        #expect(policy.severities == [.warning, .critical])
        #expect(FollowupPolicy(minSeverity: .info).severities == FlagSeverity.allCases)
    }

    @Test("the atasan's message: what was seen, the recommendation, the due date with days left, the personal link; no more")
    func mailText() {
        let item = FollowupMailItem(
            followupID: 7, subjectName: "Budi Santoso", subjectNIP: NIP("198001012005011001")!, rule: .feedbackDrop,
            seen: "Rata-rata rekan turun dari 4,10 menjadi 3,20 (4 penilai).", recommendation: .mentoring,
            due: Self.day("2026-12-18"), status: .open, link: "https://kinerja.example/f/TOKEN")
        let body = FollowupMail.body(atasanName: "Rina Wati", items: [item], sender: "BKPSDM Kota Bandung", today: Self.day("2026-12-04"))
        #expect(body.hasPrefix("Yth. Rina Wati,"))
        for part in ["1. Budi Santoso (NIP 198001012005011001)",
                     "Yang terlihat: Umpan balik rekan atau bawahan menurun. Rata-rata rekan turun dari 4,10 menjadi 3,20 (4 penilai).",
                     "Rekomendasi: Mentoring", "Batas waktu: Jumat, 18 Desember 2026 (14 hari lagi)",
                     "Catat hasil dialog: https://kinerja.example/f/TOKEN", "BKPSDM Kota Bandung"] {
            #expect(body.contains(part), "\(part)")
        }
        #expect(FollowupMail.subject(items: [item]) == "Tindak lanjut kinerja: Budi Santoso menunggu dialog Anda")
        var trained = item
        trained.trainings = ["Komunikasi Efektif (KOM-01, klasikal, 16 JP, LAN); nilai terendah: Kolaboratif 2,4 dari atasan dan rekan"]
        let withTraining = FollowupMail.body(atasanName: "Rina Wati", items: [trained], sender: "BKPSDM", today: Self.day("2026-12-04"))
        #expect(withTraining.contains("   Rekomendasi: Mentoring\n   Pelatihan yang sesuai: Komunikasi Efektif (KOM-01, klasikal, 16 JP, LAN); "
                                      + "nilai terendah: Kolaboratif 2,4 dari atasan dan rekan\n   Batas waktu:"))
        var late = item
        late.status = .escalated
        late.due = Self.day("2026-11-20")
        let lateBody = FollowupMail.body(atasanName: "Rina Wati", items: [late, item], sender: "BKPSDM", today: Self.day("2026-12-04"))
        #expect(lateBody.contains("(terlambat 14 hari); telah diteruskan ke kepala unit"))
        #expect(FollowupMail.subject(items: [late, item]) == "Tindak lanjut kinerja terlambat: 1 dari 2 pegawai menunggu dialog Anda")
    }
}

@Suite("Follow-up effect report")
struct FollowupEffectTests {
    @Test("a hand-computed case: counts always, figures only from the minimum on, the never-held beside the held")
    func handComputed() {
        func row(_ unit: String, _ action: FollowupAgreedAction?, onTime: Bool = false, days: Int? = nil, cleared: Int? = nil,
                 perilaku: Double? = nil, predikat: Int? = nil) -> FollowupEffectRow {
            FollowupEffectRow(unit: unit, action: action, heldOnTime: onTime, daysToDialog: days, clearedWithin: cleared,
                              perilakuChange: perilaku, predikatChange: predikat)
        }
        // DLHK, mentoring (3 rows): on time 2 of 3; days 5, 9, 20 → median 9; cleared after 1, 2 and never
        //   → within one 1/3, within two 2/3; perilaku +0.4, +0.2, -0.3 → mean +0.1; predikat +1, 0 (one
        //   unknown) → mean 0.5.
        // DLHK, never held (3 rows): on time 0; no days → median none; cleared after 2, never, never →
        //   within one 0/3, within two 1/3; perilaku -0.2, -0.4 (one unknown) → mean -0.3; predikat -1 → -1.
        // DPMPTSP, training (1 row): under the minimum of 3 → only its count, 1.
        // All units, training: the same single row → suppressed. All units, mentoring and never held:
        //   equal to DLHK's (DPMPTSP has none of those).
        let rows = [
            row("DLHK", .mentoring, onTime: true, days: 5, cleared: 1, perilaku: 0.4, predikat: 1),
            row("DLHK", .mentoring, onTime: true, days: 9, cleared: 2, perilaku: 0.2, predikat: 0),
            row("DLHK", .mentoring, onTime: false, days: 20, cleared: nil, perilaku: -0.3, predikat: nil),
            row("DLHK", nil, cleared: 2, perilaku: -0.2, predikat: -1),
            row("DLHK", nil, perilaku: -0.4),
            row("DLHK", nil),
            row("DPMPTSP", .training, onTime: true, days: 3, cleared: 1, perilaku: 0.5, predikat: 1),
        ]
        let cells = FollowupEffect.cells(rows, minimum: 3)
        #expect(cells.map { "\($0.unit ?? "*")/\($0.group)" }
                == ["DLHK/mentoring", "DLHK/not_held", "DPMPTSP/training", "*/training", "*/mentoring", "*/not_held"])
        let mentoring = cells[0]
        #expect(mentoring.flags == 3 && !mentoring.suppressed && mentoring.heldOnTime == 2 && mentoring.medianDaysToDialog == 9)
        #expect(mentoring.clearedWithinOne == 1.0 / 3 && mentoring.clearedWithinTwo == 2.0 / 3)
        #expect(abs(mentoring.meanPerilakuChange! - 0.1) < 1e-9 && mentoring.meanPredikatChange == 0.5)
        let never = cells[1]
        #expect(never.flags == 3 && never.heldOnTime == 0 && never.medianDaysToDialog == nil)
        #expect(never.clearedWithinOne == 0 && never.clearedWithinTwo == 1.0 / 3)
        #expect(abs(never.meanPerilakuChange! + 0.3) < 1e-9 && never.meanPredikatChange == -1)
        for small in [cells[2], cells[3]] {
            #expect(small.flags == 1 && small.suppressed && small.heldOnTime == nil && small.clearedWithinTwo == nil
                    && small.meanPerilakuChange == nil && small.medianDaysToDialog == nil)
        }
        #expect(cells[4] == FollowupEffectCell(unit: nil, group: "mentoring", flags: 3, suppressed: false, heldOnTime: 2,
                                               medianDaysToDialog: 9, clearedWithinOne: mentoring.clearedWithinOne,
                                               clearedWithinTwo: mentoring.clearedWithinTwo,
                                               meanPerilakuChange: mentoring.meanPerilakuChange, meanPredikatChange: 0.5))
        #expect(FollowupEffect.median([4, 10]) == 7)
    }
}

@Suite("Training catalogue")
struct TrainingCatalogueTests {
    static let file = """
        code,title,provider,mode,hours,builds
        KOM-01,Komunikasi Efektif,BPSDM Jabar,klasikal,16,Kolaboratif;harmonis
        TIM-02,Kerja Sama Tim,LAN,e-learning,8,kolaboratif;Manajemen konflik
        PEL-03,Pelayanan Prima,BKPSDM,coaching,4,Berorientasi Pelayanan
        """

    @Test("a catalogue file is read with its values and competencies; every problem names its line and field, and nothing is returned")
    func parse() throws {
        let courses = try TrainingCatalogue.parse(csv: Self.file).get()
        #expect(courses.map(\.code) == ["KOM-01", "TIM-02", "PEL-03"])
        #expect(courses[0].values == [.kolaboratif, .harmonis] && courses[0].mode == .klasikal && courses[0].hours == 16)
        #expect(courses[1].values == [.kolaboratif] && courses[1].competencies == ["Manajemen konflik"] && courses[1].mode == .eLearning)
        #expect(courses[2].values == [.berorientasiPelayanan])
        guard case .failure(let bad) = TrainingCatalogue.parse(csv: """
            code,judul,penyelenggara,mode,jp,nilai
            A1,Satu,LAN,daring,0,
            A1,,LAN,klasikal,2,Loyal
            """) else {
            Issue.record("a bad file was accepted")
            return
        }
        #expect(bad.problems == [
            "line 2, field mode: 'daring' is not one of klasikal, e-learning, coaching",
            "line 2, field hours: '0' is not a number above 0 and at most 1000",
            "line 2, field builds: name at least one BerAKHLAK value or competency (separated by ;)",
            "line 3, field code: A1 is also on line 2",
            "line 3, field title: 1 to 255 characters required",
        ])
        guard case .failure(let header) = TrainingCatalogue.parse(csv: "code,title\nA,B\n") else { return }
        #expect(header.problems.first == "line 1: the header has no column provider")
    }

    @Test("courses that build the weakest value first, shorter first, explained with the value's mean and its sources")
    func recommend() throws {
        let courses = try TrainingCatalogue.parse(csv: Self.file).get()
        let means = [ValueMean(value: .akuntabel, mean: 3.9, sources: ["atasan", "rekan"]),
                     ValueMean(value: .kolaboratif, mean: 2.4, sources: ["atasan", "rekan"]),
                     ValueMean(value: .berorientasiPelayanan, mean: 3.1, sources: ["atasan", "rekan"])]
        let picked = TrainingCatalogue.recommend(means, from: courses)
        #expect(picked.map(\.course.code) == ["TIM-02", "KOM-01", "PEL-03"])
        #expect(picked[0].reason == "nilai terendah: Kolaboratif 2,4 dari atasan dan rekan")
        #expect(picked[2].reason == "nilai terendah: Berorientasi Pelayanan 3,1 dari atasan dan rekan")
        #expect(TrainingCatalogue.recommend(means, from: courses, limit: 1).map(\.course.code) == ["TIM-02"])
        #expect(TrainingCatalogue.recommend([], from: courses).isEmpty)
    }
}
