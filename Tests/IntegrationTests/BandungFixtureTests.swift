import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// A Bandung-shaped organisation through the real daemon and kinerjactl, over three quarters:
/// Tests/Fixtures/bandung holds a hand-written SIMPEG-style file of 57 employees in 4 units (SETDA,
/// BKPSDM, DLHK, DISKOMINFO) with the Sekda, kepala dinas, kepala bidang, fungsional and pelaksana
/// staff, PNS and 10 PPPK (NI PPPK numbers such as 199408112022211001), a vacant kepala bidang post
/// in BKPSDM whose four staff have the Sekretaris as Plt., a person without e-mail, and for the
/// second quarter a transfer (Budi Santoso, DLHK → DISKOMINFO) and a retirement (Herman Suherman,
/// kepala bidang Statistik, whose staff get the kepala bidang TIK as Plt.). The Wali Kota, outside
/// the file, appraises the Sekda (config `appraisers:`); a DLHK-only export and a city file that
/// lost BKPSDM's rows test partial imports. Expected values are worked out by hand in
/// the comments.
@Suite("Bandung fixture end to end", .serialized)
struct BandungFixtureTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/bandung").path

    static func fixture(_ name: String) -> String { fixtures + "/" + name }

    static let appraisers = """
        appraisers:
          walikota:
            number: 1
            nama: Muhammad Farhan
            jabatan: Wali Kota Bandung
            email: walikota@bandung.go.id
            unit_heads_of: [SETDA]
        """

    static let sekda = "196805121994031001", walikota = "000000000000000001"
    static let hendra = "197612122002122010"  // Sekretaris BKPSDM, Plt. Kepala Bidang Pengembangan
    static let agus = "199001052015031012"  // BKPSDM staff: only a self review in 2026-Q1
    static let budi = "199207192018011041", ade = "197809152005011026", galih = "198106062006041044"
    static let herman = "196603152000121045", yayan = "197212121998031042"
    static let statistik = ["198802172013022053", "199004252014031054", "199511112020122055", "199809092023212056"]

    func json(_ r: Subprocess.Completed) throws -> JSONValue { try JSONValue(parsing: r.standardOutputText) }

    @Test("import, open, reviews, close, report over three quarters: PPPK, Plt, outside appraiser, transfer, retirement, partial exports")
    func threeQuarters() async throws {
        var options = DaemonHarness.Options()
        options.extraConfig = Self.appraisers
        let daemon = try await DaemonHarness.start(options)
        let kit = CyclesKit(daemon: daemon)

        // --- Import. 57 rows, 10 of them PPPK with NI PPPK numbers (digits 13–14 "21"), all accepted.
        #expect(try await kit.ctl(["import", "units", Self.fixture("units.csv")]).status == .exited(0))
        let imported = try await kit.ctl(["--json", "import", "employees", Self.fixture("employees-q1.csv")])
        #expect(imported.status == .exited(0), "\(imported.standardErrorText)")
        #expect(try json(imported)["added"]?.intValue == 57)
        #expect(try await kit.scalar("SELECT COUNT(*) FROM employee WHERE status = 'PPPK'") == "10")

        // --- 2026-Q1 opens. self 57. atasan 57: 51 by their supervisor, 4 (Bidang Pengembangan) by the
        // Plt., the Sekda by the Wali Kota: nobody without one. bawahan: 57 − the Sekda − the 4 whose
        // post is vacant = 52.
        let q1 = try await kit.call("OpenCycle", ["period": .string("2026-Q1")])
        #expect(q1["by_role"]?["self"]?.intValue == 57)
        #expect(q1["by_role"]?["atasan"]?.intValue == 57)
        #expect(q1["by_role"]?["bawahan"]?.intValue == 52)
        #expect(q1["without_atasan"]?.intValue == 0)
        let notes = q1["notes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(notes.contains("4 atasan reviews are written by an acting appraiser (Plt./Plh.)"), "\(notes)")
        #expect(notes.contains("1 atasan reviews are written by appraisers outside the employee file"), "\(notes)")
        // Unit heads (everyone in their unit is below them) have no rekan; the kepala dinas is never a rekan.
        #expect(notes.first { $0.contains("got fewer rekan") }?.contains(Self.yayan) == true, "\(notes)")
        #expect(try await kit.scalar("SELECT COUNT(*) FROM assignment WHERE role = 'rekan' AND (reviewer_nip = '\(Self.yayan)' OR subject_nip = '\(Self.yayan)')") == "0")

        // The Plt. and the Wali Kota are shown as such.
        let plt = try await kit.call("ListReviews", ["reviewer": .string(Self.hendra), "role": .string("atasan")])
        let pltNames = Set(plt["assignments"]?.arrayValue?.compactMap { $0["reviewer_name"]?.stringValue } ?? [])
        #expect(pltNames == ["Hendra Gunawan", "Plt. Hendra Gunawan"], "\(pltNames)")
        let wali = try await kit.call("ListReviews", ["subject": .string(Self.sekda), "role": .string("atasan")])
        #expect(wali["assignments"]?[0]?["reviewer"]?.stringValue == Self.walikota)
        #expect(wali["assignments"]?[0]?["reviewer_name"]?.stringValue == "Muhammad Farhan")

        // --- Reviews: the 18 atasan reviews of DLHK (17 × 4 with sesuai, Mira Lestari 5 with di_atas), the
        // Wali Kota's of the Sekda (4, sesuai), and Agus Setiawan's self review alone (3).
        let reviews = try await kit.ctl(["--json", "reviews", "import", Self.fixture("reviews-2026-Q1.csv"), "--cycle", "2026-Q1"])
        #expect(reviews.status == .exited(0), "\(reviews.standardErrorText)")
        #expect(try json(reviews)["added"]?.intValue == 20)
        let closed = try await kit.ctl(["cycles", "close", "2026-Q1", "--force", "--reason", "akhir triwulan"])
        #expect(closed.status == .exited(0), "\(closed.standardErrorText)")

        // Results: atasan only (self absent) → mean 4.0 → sesuai, with sesuai → Baik for 18; Mira 5.0 with di_atas
        // → Sangat Baik. 57 − 19 = 38 without a predikat, all because the atasan review was not submitted,
        // Agus too: his self review alone (3.00) gives no perilaku rating.
        let report = try await kit.ctl(["--json", "report", "cycle", "2026-Q1"])
        let r = try json(report)
        #expect(r["total"]?["predikat"]?.arrayValue?.first { $0["predikat"]?.stringValue == "baik" }?["count"]?.intValue == 18)
        #expect(r["total"]?["predikat"]?.arrayValue?.first { $0["predikat"]?.stringValue == "sangat_baik" }?["count"]?.intValue == 1)
        #expect(r["without_predikat"]?.intValue == 38)
        #expect(r["without_predikat_reasons"]?["atasan_not_submitted"]?.intValue == 38)
        let agus = r["without_predikat_list"]?.arrayValue?.first { $0["nip"]?.stringValue == Self.agus }
        #expect(agus?["reason"]?.stringValue?.contains("atasan review by \(Self.hendra) Hendra Gunawan was not submitted") == true)
        #expect(try await kit.scalar("SELECT perilaku_rating IS NULL AND self_mean = 3 FROM result WHERE subject_nip = '\(Self.agus)'") == "1")
        // Caps: DLHK (18 rated, 1 Sangat Baik = 5.6 % ≤ 10 %) is checked and within; SETDA (1 rated),
        // BKPSDM and DISKOMINFO (0) are not checked, each with the reason.
        #expect(r["caps_checked"]?.intValue == 1 && r["breaches"]?.arrayValue?.isEmpty == true)
        let unchecked = r["caps_unchecked"]?.arrayValue?.compactMap { $0["unit"]?.stringValue } ?? []
        #expect(unchecked == ["BKPSDM", "DISKOMINFO", "SETDA"])
        let table = try await kit.ctl(["report", "cycle", "2026-Q1"])
        #expect(table.standardOutputText.contains("Distribution: none of the 1 checked unit exceeds its caps."))
        #expect(table.standardOutputText.contains("SETDA: only 1 employee with a predikat, fewer than results.distribution.minimum_unit_size (10)"))

        // --- 2026-Q2 opens, then the SIMPEG file of the quarter arrives: Budi moves DLHK → DISKOMINFO
        // (under Galih), Herman retires and his 4 staff get Galih as Plt.
        let q2 = try await kit.call("OpenCycle", ["period": .string("2026-Q2")])
        #expect(q2["by_role"]?["self"]?.intValue == 57)
        func count(_ sql: String) async throws -> Int { Int(try await kit.scalar(sql)) ?? -1 }
        let budiRekan = try await count("SELECT COUNT(*) FROM assignment a JOIN cycle c ON c.id = a.cycle_id WHERE c.period = '2026-Q2' AND a.role = 'rekan' AND '\(Self.budi)' IN (a.subject_nip, a.reviewer_nip)")
        let hermanRekan = try await count("SELECT COUNT(*) FROM assignment a JOIN cycle c ON c.id = a.cycle_id WHERE c.period = '2026-Q2' AND a.role = 'rekan' AND '\(Self.herman)' IN (a.subject_nip, a.reviewer_nip)")
        let update = try await kit.ctl(["--json", "import", "employees", Self.fixture("employees-q2.csv")])
        #expect(update.status == .exited(0), "\(update.standardErrorText)")
        let u = try json(update)
        // Changed: Budi and Herman's 4 staff; Herman (aktif false) is counted as deactivated.
        #expect(u["changed"]?.intValue == 5 && u["deactivated"]?.intValue == 1)
        #expect(u["deactivated_by_unit"]?["DISKOMINFO"]?.intValue == 1)
        let changes = u["cycle_changes"]?.arrayValue ?? []
        // Budi: his atasan review goes from Ade to Galih (1 reassigned); his bawahan review of Ade and his
        // rekan reviews (both ways, counted before) are cancelled.
        let b = changes.first { $0["nip"]?.stringValue == Self.budi }
        #expect(b?["event"]?.stringValue == "transfer" && b?["detail"]?.stringValue == "moved from DLHK to DISKOMINFO")
        let budiCancelled = Int64(1 + budiRekan)
        #expect(b?["reassigned"]?.intValue == 1 && b?["cancelled"]?.intValue == budiCancelled)
        // Herman: the 4 atasan reviews he owed go to the Plt.; cancelled: his self review, his atasan
        // review (by Yayan), the 4 bawahan reviews of him, his bawahan review of Yayan, his rekan reviews.
        let h = changes.first { $0["nip"]?.stringValue == Self.herman }
        #expect(h?["event"]?.stringValue == "left" && h?["detail"]?.stringValue == "left (pensiun)")
        let hermanCancelled = Int64(1 + 1 + 4 + 1 + hermanRekan)
        #expect(h?["reassigned"]?.intValue == 4 && h?["cancelled"]?.intValue == hermanCancelled)
        #expect(changes.count == 2, "\(changes)")
        #expect(try await count("SELECT COUNT(*) FROM assignment a JOIN cycle c ON c.id = a.cycle_id WHERE c.period = '2026-Q2' AND a.role = 'atasan' AND a.reviewer_nip = '\(Self.galih)' AND a.atasan_source = 'Plt.'") == 4)
        #expect(try await count("SELECT COUNT(*) FROM assignment a JOIN cycle c ON c.id = a.cycle_id WHERE c.period = '2026-Q2' AND a.role = 'rekan' AND '\(Self.budi)' IN (a.subject_nip, a.reviewer_nip)") == 0)
        // One journal entry per employee, with its MESSAGE_ID.
        let log = daemon.log
        #expect(log.contains("2026-Q2: \(Self.budi) Budi Santoso moved from DLHK to DISKOMINFO: 1 review reassigned"))

        // --- Partial exports. A city file that lost BKPSDM's rows (41 rows) would deactivate its 16 active
        // employees: 16 of 56 (28.6 %) > 5 %: refused, naming the unit, and so is a wrong expected count.
        // The DLHK export (17 rows, its kepala's atasan the stored Sekda) with --scope DLHK changes
        // nothing outside DLHK and deactivates nobody.
        let whole = try await kit.ctl(["import", "employees", Self.fixture("without-bkpsdm-q2.csv")])
        #expect(whole.status == .exited(1))
        #expect(whole.standardErrorText.contains("would deactivate 16 of 56 active employees (28.6%"), "\(whole.standardErrorText)")
        #expect(whole.standardErrorText.contains("BKPSDM 16"), "\(whole.standardErrorText)")
        let wrong = try await kit.ctl(["import", "employees", Self.fixture("without-bkpsdm-q2.csv"), "--allow-deactivate", "15"])
        #expect(wrong.status == .exited(1) && wrong.standardErrorText.contains("--allow-deactivate 15 does not match"))
        let dlhkWhole = try await kit.ctl(["import", "employees", Self.fixture("dlhk-q2.csv")])
        #expect(dlhkWhole.standardErrorText.contains("supervisor NIP \(Self.sekda) is not in the file"))
        let scoped = try await kit.ctl(["--json", "import", "employees", Self.fixture("dlhk-q2.csv"), "--scope", "DLHK"])
        #expect(scoped.status == .exited(0), "\(scoped.standardErrorText)")
        #expect(try json(scoped)["deactivated"]?.intValue == 0 && json(scoped)["unchanged"]?.intValue == 17)
        #expect(try await count("SELECT COUNT(*) FROM employee WHERE aktif") == 56)
        let outside = try await kit.ctl(["import", "employees", Self.fixture("employees-q2.csv"), "--scope", "DLHK"])
        #expect(outside.standardErrorText.contains("is outside the import's scope (DLHK)"))

        // --- Q2 reviews: the Plt. reviews Sinta, Galih reviews the newcomer Budi; close; report lines.
        let q2reviews = try await kit.ctl(["reviews", "import", Self.fixture("reviews-2026-Q2.csv"), "--cycle", "2026-Q2"])
        #expect(q2reviews.status == .exited(0), "\(q2reviews.standardErrorText)")
        #expect(try await kit.ctl(["cycles", "close", "2026-Q2", "--force", "--reason", "akhir triwulan"]).status == .exited(0))
        let r2 = try json(try await kit.ctl(["--json", "report", "cycle", "2026-Q2"]))
        // Results: 56 (Herman left: no result); Sinta and Budi Baik; 54 without, all not submitted.
        #expect(r2["total"]?["results"]?.intValue == 56)
        #expect(r2["without_predikat"]?.intValue == 54)
        let lines = r2["changes"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
        #expect(lines.count == 2 && lines.contains { $0.contains("Herman Suherman left (pensiun): 4 reviews reassigned") }, "\(lines)")

        // --- 2026-Q3: 56 active; Budi is in DISKOMINFO, Herman's staff are appraised by the Plt.
        let q3 = try await kit.call("OpenCycle", ["period": .string("2026-Q3")])
        #expect(q3["by_role"]?["self"]?.intValue == 56)
        #expect(try await kit.scalar("SELECT subject_unit FROM assignment a JOIN cycle c ON c.id = a.cycle_id WHERE c.period = '2026-Q3' AND a.role = 'self' AND a.subject_nip = '\(Self.budi)'") == "DISKOMINFO")
        for s in Self.statistik {
            #expect(try await kit.scalar("SELECT reviewer_nip || ' ' || atasan_source FROM assignment a JOIN cycle c ON c.id = a.cycle_id WHERE c.period = '2026-Q3' AND a.role = 'atasan' AND a.subject_nip = '\(s)'") == "\(Self.galih) Plt.")
        }
        try await daemon.stop()
    }
}
