import Foundation
import GRDB
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// Follow-up tasks on a real SQLite database: created once per flag whatever is re-run or restarted,
/// the atasan found as the cycles find them, moved by the calendar, recorded, and told through the
/// outbox once per stage and at most once a day.
@Suite("Follow-up store")
struct FollowupStoreTests {
    static func nip(_ n: Int) -> NIP { NIP(String(format: "198001012005011%03d", n))! }
    static let t0 = Date(timeIntervalSince1970: 1_764_900_000)  // 2025-12-05 02:00 UTC
    static let today = CalendarDate(iso: "2025-12-05")!

    /// Unit DLHK headed by 10 (with an address). 1 reports to 10; 2 reports to 10 but has a Plt, 11;
    /// 3 has no atasan in the file and was appraised in the last cycle by 900 (an appraiser outside
    /// the file, no address); 4 reports to 12, who has left (inactive). Flags: 1 warning, 2 critical,
    /// 3 warning, 4 info (below the default min_severity), 5 warning but resolved.
    static func seed(_ db: AppDatabase) throws {
        try db.writer.write { d in
            try d.execute(sql: "INSERT INTO unit(code, name, head_nip) VALUES ('DLHK', 'Dinas Lingkungan Hidup', ?)", arguments: [nip(10).description])
            func employee(_ n: Int, _ name: String, supervisor: Int?, email: String?, acting: Int? = nil, aktif: Bool = true) throws {
                try d.execute(sql: """
                    INSERT INTO employee(nip, nama, jabatan, unit_code, supervisor_nip, email, status, aktif, updated_at, acting_nip, acting_kind)
                    VALUES (?, ?, 'Staf', 'DLHK', ?, ?, 'PNS', ?, ?, ?, ?)
                    """, arguments: [nip(n).description, name, supervisor.map { nip($0).description }, email, aktif, t0,
                                     acting.map { nip($0).description }, acting == nil ? nil : "Plt."])
            }
            try employee(10, "Kepala Dinas", supervisor: nil, email: "kadis@example.go.id")
            try employee(11, "Plt Kabid", supervisor: 10, email: "plt@example.go.id")
            try employee(12, "Mantan Kabid", supervisor: 10, email: "lama@example.go.id", aktif: false)
            try employee(1, "Ani", supervisor: 10, email: "ani@example.go.id")
            try employee(2, "Budi", supervisor: 10, email: nil, acting: 11)
            try employee(3, "Citra", supervisor: nil, email: nil)
            try employee(4, "Dedi", supervisor: 12, email: nil)
            try employee(5, "Eka", supervisor: 10, email: nil)
            try d.execute(sql: "INSERT INTO appraiser(nip, nama, jabatan, updated_at) VALUES (?, 'Sekda', 'Sekretaris Daerah', ?)",
                          arguments: [nip(900).description, t0])
            try d.execute(sql: """
                INSERT INTO cycle(id, period, kind, period_start, period_end, status, opened_at, opened_by, due_at, rekan_per_subject, rekan_cap, rekan_seed)
                VALUES (1, '2025-Q3', 'quarterly', '2025-07-01', '2025-09-30', 'closed', ?, 'test', ?, 3, 5, 1)
                """, arguments: [t0, t0])
            try AssignmentRows.insert(d, cycle: 1, subject: nip(3).description, role: "atasan", reviewer: nip(900).description,
                                      subjectUnit: "DLHK", reviewerUnit: "SETDA", due: t0, atasanSource: "external")
            for (n, severity, status) in [(1, "warning", "open"), (2, "critical", "acknowledged"), (3, "warning", "open"),
                                          (4, "info", "open"), (5, "warning", "resolved")] {
                try d.execute(sql: """
                    INSERT INTO flag(identity, rule, subject_nip, unit_code, window_start, window_end, window_start_date, window_end_date,
                                     severity, status, ratio, evidence, follow_up, created_at, updated_at)
                    VALUES (?, 'feedback_drop', ?, 'DLHK', '2025-Q2', '2025-Q3', '2025-04-01', '2025-09-30', ?, ?, 1.5, ?, 'mentoring', ?, ?)
                    """, arguments: ["feedback_drop/\(nip(n))/2025-Q2", nip(n).description, severity, status,
                                     #"{"penjelasan": "Rata-rata rekan turun dari 4,10 menjadi 3,20 (4 penilai)."}"#, t0, t0])
            }
        }
    }

    func count(_ db: AppDatabase, _ sql: String) throws -> Int { try db.writer.read { try Int.fetchOne($0, sql: sql)! } }

    @Test("one task per flag at or above min_severity, with the atasan the cycles would choose; re-running and reopening the database add none")
    func createOnce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("followup-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("k.sqlite").path
        var db: AppDatabase? = try AppDatabase.open(path: path)
        try Self.seed(db!)
        let created = try db!.createFollowups(FollowupPolicy(), today: Self.today, now: Self.t0)
        #expect(created.map(\.subject) == [Self.nip(1), Self.nip(2), Self.nip(3)])
        #expect(created.map(\.appraiser) == [Self.nip(10), Self.nip(11), Self.nip(900)])
        #expect(created.map(\.appraiserSource) == ["supervisor", "Plt.", "appraiser"])
        #expect(created.map(\.appraiserName) == ["Kepala Dinas", "Plt Kabid", "Sekda"])
        #expect(created.allSatisfy { $0.status == .open && $0.due == CalendarDate(iso: "2025-12-19")! && $0.recommendation == .mentoring })
        #expect(created[0].seen == "Rata-rata rekan turun dari 4,10 menjadi 3,20 (4 penilai).")
        #expect(try db!.createFollowups(FollowupPolicy(), today: Self.today.adding(days: 1), now: Self.t0 + 86_400).isEmpty)
        db = nil  // a restart: the same file opened again
        let reopened = try AppDatabase.open(path: path)
        #expect(try reopened.createFollowups(FollowupPolicy(), today: Self.today.adding(days: 2), now: Self.t0 + 2 * 86_400).isEmpty)
        #expect(try count(reopened, "SELECT COUNT(*) FROM followup") == 3)
        #expect(try count(reopened, "SELECT COUNT(*) FROM followup_event WHERE action = 'created'") == 3)
        // min_severity info takes the info flag too, once; the resolved flag never. 4's atasan left: nobody is known.
        let info = try reopened.createFollowups(FollowupPolicy(minSeverity: .info), today: Self.today, now: Self.t0)
        #expect(info.map(\.subject) == [Self.nip(4)] && info[0].appraiser == nil)
        // The unique key itself refuses a second task for a flag.
        #expect(throws: DatabaseError.self) {
            try reopened.writer.write { d in
                try d.execute(sql: "INSERT INTO followup(flag_id, subject_id, recommendation, status, created_at, created_on, due_date, updated_at) SELECT flag_id, subject_id, recommendation, status, created_at, created_on, due_date, updated_at FROM followup WHERE id = 1")
            }
        }
    }

    @Test("an appraiser outside the file: the one of the newest cycle, whatever order the cycles were opened in; found by key, not a scan of every assignment")
    func latestAppraiser() throws {
        let db = try AppDatabase.inMemory()
        try Self.seed(db)
        try db.writer.write { d in
            for (id, period, start, end, appraiser) in [(2, "2025-Q4", "2025-10-01", "2025-12-31", 901), (3, "2025-Q2", "2025-04-01", "2025-06-30", 902)] {
                try d.execute(sql: "INSERT INTO appraiser(nip, nama, jabatan, updated_at) VALUES (?, ?, 'Asisten', ?)",
                              arguments: [Self.nip(appraiser).description, "Asisten \(appraiser)", Self.t0])
                try d.execute(sql: """
                    INSERT INTO cycle(id, period, kind, period_start, period_end, status, opened_at, opened_by, due_at, rekan_per_subject, rekan_cap, rekan_seed)
                    VALUES (?, ?, 'quarterly', ?, ?, 'closed', ?, 'test', ?, 3, 5, 1)
                    """, arguments: [id, period, start, end, Self.t0, Self.t0])
                try AssignmentRows.insert(d, cycle: Int64(id), subject: Self.nip(3).description, role: "atasan",
                                          reviewer: Self.nip(appraiser).description, subjectUnit: "DLHK", reviewerUnit: "SETDA",
                                          due: Self.t0, atasanSource: "external")
            }
        }
        let created = try db.createFollowups(FollowupPolicy(), today: Self.today, now: Self.t0)
        #expect(created.map(\.appraiser) == [Self.nip(10), Self.nip(11), Self.nip(901)])
        #expect(created.map(\.appraiserSource) == ["supervisor", "Plt.", "appraiser"])
        let plan = try db.writer.read { d in
            try Row.fetchAll(d, sql: "EXPLAIN QUERY PLAN " + AppDatabase.createFollowupsSQL(FollowupPolicy().severities),
                             arguments: [Self.t0, "2025-12-05", "2025-12-19", Self.t0]).map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.contains { $0.contains("SEARCH a USING COVERING INDEX sqlite_autoindex_assignment_1 (cycle_id=? AND subject_id=? AND role=?)") },
                "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN a") || $0.contains("AUTOMATIC") }, "\(plan)")
    }

    @Test("the calendar: overdue after the due date, escalated escalate_after days later, held closes at its next check; each once")
    func advanceAndRecord() throws {
        let db = try AppDatabase.inMemory()
        try Self.seed(db)
        let policy = FollowupPolicy()
        let created = try db.createFollowups(policy, today: Self.today, now: Self.t0)
        #expect(try db.advanceFollowups(policy, today: Self.today.adding(days: 14), now: Self.t0).isEmpty)
        let outcome = FollowupOutcome(heldOn: Self.today.adding(days: 3), action: .mentoring, note: "mentor ditunjuk",
                                      nextCheck: Self.today.adding(days: 20))
        guard case .recorded(let held) = try db.recordFollowupOutcome(id: created[0].id, outcome, by: "rina", via: "admin", now: Self.t0) else {
            Issue.record("not recorded")
            return
        }
        #expect(held.status == .held && held.outcome == outcome && held.recordedVia == "admin")
        guard case .notAwaiting(.held) = try db.recordFollowupOutcome(id: created[0].id, outcome, by: "rina", via: "web", now: Self.t0) else {
            Issue.record("recorded twice")
            return
        }
        let overdue = try db.advanceFollowups(policy, today: Self.today.adding(days: 15), now: Self.t0)
        #expect(overdue.map { [$0.followup.id, Int64($0.from == .open ? 1 : 0)] } == [[created[1].id, 1], [created[2].id, 1]])
        #expect(overdue.allSatisfy { $0.to == .overdue })
        #expect(try db.advanceFollowups(policy, today: Self.today.adding(days: 15), now: Self.t0).isEmpty)
        // The held one closes on its next check day.
        #expect(try db.advanceFollowups(policy, today: Self.today.adding(days: 19), now: Self.t0).isEmpty)
        let closed = try db.advanceFollowups(policy, today: Self.today.adding(days: 20), now: Self.t0)
        #expect(closed.map(\.followup.id) == [created[0].id] && closed[0].to == .closed)
        let escalated = try db.advanceFollowups(policy, today: Self.today.adding(days: 22), now: Self.t0)
        #expect(escalated.map(\.to) == [.escalated, .escalated] && escalated.allSatisfy { $0.from == .overdue })
        #expect(try db.followup(id: created[1].id)?.1.map(\.action) == ["created", "overdue", "escalated"])
        guard case .notFound = try db.recordFollowupOutcome(id: 999, outcome, by: "rina", via: "admin", now: Self.t0) else {
            Issue.record("unknown id recorded")
            return
        }
    }

    @Test("telling: one message per atasan and day, each stage once; the nobody-to-tell ones wait in the digest; links stored at delivery as SHA-256")
    func tellOncePerStage() throws {
        let db = try AppDatabase.inMemory()
        try Self.seed(db)
        _ = try db.createFollowups(FollowupPolicy(), today: Self.today, now: Self.t0)
        let from = MailAddress(name: "BKPSDM", email: "kinerjad@example.go.id")
        var seen: [FollowupTellInput] = []
        func compose(_ input: FollowupTellInput) -> [FollowupTellMessage] {
            seen.append(input)
            return Dictionary(grouping: input.untold.filter { $0.appraiserEmail != nil && input.messagedToday[$0.followup.appraiser!] == nil },
                              by: { $0.followup.appraiser! }).sorted { $0.key.description < $1.key.description }.map { nip, rows in
                FollowupTellMessage(
                    draft: OutboxDraft(idempotencyKey: "followup/\(nip)/\(rows[0].stage)", kind: "followup", recipientNIP: nip.description, from: from,
                                       to: [MailAddress(name: "", email: rows[0].appraiserEmail!)], cc: [], subject: "s", body: "b", marks: []),
                    notices: rows.map { ($0.followup.id, $0.stage) })
            }
        }
        let first = try db.tellFollowups(startOfToday: Self.t0 - 3600, digestKey: "followup-digest/x", now: Self.t0, compose: compose)
        #expect(first.inserted == 2)
        #expect(seen[0].untold.count == 3 && seen[0].unreachable.map(\.followup.subject) == [Self.nip(3)])
        #expect(seen[0].untold.first { $0.followup.subject == Self.nip(1) }?.unitHeadEmail == "kadis@example.go.id")
        // The delivery stores a message's links: only for tasks that exist, never revoking earlier ones.
        #expect(try db.addFollowupLinks(tokens: [1: Data(repeating: 1, count: 32), 999: Data(repeating: 9, count: 32)], now: Self.t0) == [1])
        #expect(try db.addFollowupLinks(tokens: [1: Data(repeating: 2, count: 32)], now: Self.t0) == [1])
        #expect(try db.followupLink(tokenHash: Data(repeating: 1, count: 32))?.subject == Self.nip(1))
        #expect(try db.followupLink(tokenHash: Data(repeating: 2, count: 32))?.subject == Self.nip(1))
        #expect(try db.followupLink(tokenHash: Data(repeating: 9, count: 32)) == nil)
        let second = try db.tellFollowups(startOfToday: Self.t0 - 3600, digestKey: "followup-digest/x", now: Self.t0 + 60, compose: compose)
        #expect(second.inserted == 0)
        #expect(seen[1].untold.map(\.followup.subject) == [Self.nip(3)])
        #expect(Set(seen[1].messagedToday.keys) == [Self.nip(10), Self.nip(11)])
        // Overdue is a new stage: told again.
        _ = try db.advanceFollowups(FollowupPolicy(), today: Self.today.adding(days: 15), now: Self.t0 + 15 * 86_400)
        _ = try db.tellFollowups(startOfToday: Self.t0 + 15 * 86_400 - 3600, digestKey: "followup-digest/y", now: Self.t0 + 15 * 86_400,
                                 compose: compose)
        #expect(seen[2].untold.map(\.stage) == ["overdue", "overdue", "overdue"])
        #expect(try count(db, "SELECT COUNT(*) FROM followup_notice") == 4)
        #expect(try count(db, "SELECT COUNT(*) FROM followup_event WHERE action = 'told'") == 4)
    }

    @Test("effect rows: how each task went, when its flag cleared (in closed periods after the task), the change from the period judged at the task to the next closed one")
    func effectRows() throws {
        let db = try AppDatabase.inMemory()
        try Self.seed(db)
        let created = try db.createFollowups(FollowupPolicy(), today: Self.today, now: Self.t0)
        let outcome = FollowupOutcome(heldOn: Self.today.adding(days: 4), action: .mentoring, note: "", nextCheck: nil)
        _ = try db.recordFollowupOutcome(id: created[0].id, outcome, by: "rina", via: "admin", now: Self.t0)
        // Subject 1: 2025-Q2 (the flag's window end is Q3, cycle 1) → Q4 closes after the task; the flag clears after it.
        try db.writer.write { d in
            try d.execute(sql: """
                INSERT INTO cycle(id, period, kind, period_start, period_end, status, opened_at, opened_by, due_at, rekan_per_subject, rekan_cap, rekan_seed, closed_at)
                VALUES (2, '2025-Q4', 'quarterly', '2025-10-01', '2025-12-31', 'closed', ?, 'test', ?, 3, 5, 1, ?)
                """, arguments: [Self.t0, Self.t0, Self.t0 + 30 * 86_400])
            // Q3 closed the day before the tasks were made: it is the period they were made on.
            try d.execute(sql: "UPDATE cycle SET closed_at = ? WHERE id = 1", arguments: [Self.t0 - 86_400])
            for (subject, cycle, mean, predikat) in [(1, 1, 3.1, "butuh_perbaikan"), (1, 2, 3.6, "baik"),
                                                     (3, 1, 3.0, "butuh_perbaikan"), (3, 2, 2.8, "butuh_perbaikan")] {
                try AssignmentRows.insertResult(d, cycle: cycle, subject: Self.nip(subject).description, unit: "DLHK",
                                                ["rekan_count": 3, "bawahan_count": 0, "weighted_mean": mean, "predikat": predikat])
            }
            try d.execute(sql: "UPDATE flag SET condition_cleared = 1, cleared_at = ? WHERE subject_nip = ?",
                          arguments: [Self.t0 + 31 * 86_400, Self.nip(1).description])
            // Subject 3's condition goes on: Q4 re-detects it and moves the flag's window end to Q4. Its
            // change is still measured from Q3 (3.0) to Q4 (2.8), not left out for want of a period after Q4.
            try d.execute(sql: "UPDATE flag SET window_end = '2025-Q4', window_end_date = '2025-12-31' WHERE subject_nip = ?",
                          arguments: [Self.nip(3).description])
        }
        let rows = try db.followupEffectRows(since: nil)
        #expect(rows.count == 3)
        let held = try #require(rows.first { $0.action == .mentoring })
        #expect(held.unit == "DLHK" && held.heldOnTime && held.daysToDialog == 4 && held.clearedWithin == 1 && held.predikatChange == 1)
        #expect(abs(held.perilakuChange! - 0.5) < 1e-9)
        let neverHeld = rows.filter { $0.action == nil }
        #expect(neverHeld.count == 2 && neverHeld.allSatisfy { !$0.heldOnTime && $0.daysToDialog == nil && $0.clearedWithin == nil })
        #expect(neverHeld.compactMap(\.perilakuChange).count == 1 && abs(neverHeld.compactMap(\.perilakuChange)[0] + 0.2) < 1e-9)
        #expect(neverHeld.compactMap(\.predikatChange) == [0])
        #expect(try db.followupEffectRows(since: Self.today.adding(days: 1)).isEmpty)
    }

    @Test("training: the weakest values over the flag's window (rekan only from the anonymity minimum), courses stored, a later record linked")
    func trainingMatch() throws {
        let db = try AppDatabase.inMemory()
        try Self.seed(db)
        let created = try db.createFollowups(FollowupPolicy(), today: Self.today, now: Self.t0)
        // Subject 1 in 2025-Q3: the atasan gives 4 on every value but kolaboratif 2; two rekan give 3 everywhere.
        try db.writer.write { d in
            func review(_ reviewer: Int, _ role: String, _ scores: [Int]) throws {
                try AssignmentRows.insert(d, cycle: 1, subject: Self.nip(1).description, role: role,
                                          reviewer: Self.nip(reviewer).description, subjectUnit: "DLHK", reviewerUnit: "DLHK",
                                          due: Self.t0, submitted: Self.t0)
                try AssignmentRows.insertReview(d, assignment: d.lastInsertedRowID, scores: scores, at: Self.t0, source: "import")
            }
            try review(10, "atasan", [4, 4, 4, 4, 4, 4, 2])
            try review(2, "rekan", [3, 3, 3, 3, 3, 3, 3])
            try review(5, "rekan", [3, 3, 3, 3, 3, 3, 3])
        }
        let atasanOnly = try db.valueMeans(followup: created[0].id, anonymityMinimum: 3)
        #expect(atasanOnly.first { $0.value == .kolaboratif } == ValueMean(value: .kolaboratif, mean: 2, sources: ["atasan"]))
        let withRekan = try db.valueMeans(followup: created[0].id, anonymityMinimum: 2)
        #expect(abs(withRekan.first { $0.value == .kolaboratif }!.mean - 8.0 / 3) < 1e-9 && withRekan[0].sources == ["atasan", "rekan"])
        #expect(try db.valueMeans(followup: created[1].id, anonymityMinimum: 2).isEmpty)

        let course = TrainingCourse(code: "KOM-01", title: "Komunikasi Efektif", provider: "LAN", mode: .klasikal, hours: 16,
                                    values: [.kolaboratif], competencies: [])
        #expect(try db.replaceTrainingCatalogue([course], now: Self.t0) == 1)
        #expect(try db.trainingCatalogue() == [course])
        #expect(try db.followupsWantingTraining().isEmpty)  // feedback_drop recommending mentoring: no course wanted
        try db.writer.write { d in try d.execute(sql: "UPDATE followup SET recommendation = 'training' WHERE id = ?", arguments: [created[0].id]) }
        #expect(try db.followupsWantingTraining().map(\.id) == [created[0].id])
        let picked = TrainingCatalogue.recommend(atasanOnly, from: try db.trainingCatalogue())
        try db.setFollowupTrainings(created[0].id, picked)
        try db.setFollowupTrainings(created[0].id, picked)
        #expect(try db.followupsWantingTraining().isEmpty)
        #expect(try db.followupTrainings(created[0].id).map(\.reason) == ["nilai terendah: Kolaboratif 2,0 dari atasan"])
        #expect(try db.followupTrainings(created[0].id)[0].attendedOn == nil)
        // A training record from before the task does not count; one after it, by title, links itself.
        try db.writer.write { d in
            for day in ["2025-11-01", "2026-01-12"] {
                try d.execute(sql: "INSERT INTO training(nip, course, course_key, date, hours, imported_at) VALUES (?, 'Komunikasi Efektif', 'komunikasi efektif', ?, 16, ?)",
                              arguments: [Self.nip(1).description, day, Self.t0])
            }
        }
        #expect(try db.followupTrainings(created[0].id)[0].attendedOn == CalendarDate(iso: "2026-01-12"))
    }
}
