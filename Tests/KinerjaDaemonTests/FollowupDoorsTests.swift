import Foundation
import GRDB
import KinerjaDomain
import KinerjaStore
import Logging
import NIOCore
import Synchronization
import Testing
import Varlink
@testable import KinerjaDaemon

/// Follow-up tasks in-process with a manual clock: flags become tasks, the `followup-pass` job mails
/// the atasan a personal link, the outcome is recorded through the atasan's door (io.kinerjad.Review)
/// and the admin's (io.kinerjad.Admin) by the same use case; an unheld task goes overdue, then is
/// escalated to the unit head and the BKPSDM digest, each with its journal entry.
@Suite("Follow-up doors", .serialized)
struct FollowupDoorsTests {
    /// Monday 1 December 2025, 09:00 in Jakarta.
    static func fixture() throws -> ControlFixture {
        try ControlFixture(at: "2025-12-01T02:00:00Z") { config in
            config.reminders.policy.workingHours = try! WorkingHours.parse("Mon..Fri 08:00..16:00 Asia/Jakarta")
            config.reminders.policy.holidays = []
            config.mail.adminAddress = "bkpsdm@example.go.id"
            config.web.publicBaseURL = "https://kinerja.example.go.id"
        }
    }

    /// Two subjects of the demo organisation whose atasan has an address get a warning flag each; the
    /// flags' evidence is an aggregate.
    static func plantFlags(_ f: ControlFixture) throws -> [(subject: String, atasan: String)] {
        try f.runtime.database.writer.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT e.nip, e.supervisor_nip, e.unit_code FROM employee e JOIN employee s ON s.nip = e.supervisor_nip
                WHERE e.aktif AND s.aktif AND s.email IS NOT NULL AND e.acting_nip IS NULL
                  AND s.nip <> (SELECT head_nip FROM unit WHERE code = e.unit_code)
                ORDER BY e.nip LIMIT 2
                """)
            for row in rows {
                let nip: String = row[0]
                try db.execute(sql: """
                    INSERT INTO flag(identity, rule, subject_nip, unit_code, window_start, window_end, window_start_date, window_end_date,
                                     severity, status, ratio, evidence, follow_up, created_at, updated_at)
                    VALUES (?, 'recognition_gap', ?, ?, '2025-Q2', '2025-Q3', '2025-04-01', '2025-09-30', 'warning', 'open', 1.4, ?,
                            'dialog_kinerja', ?, ?)
                    """, arguments: ["recognition_gap/\(nip)/2025-Q2", nip, row[2] as String,
                                     #"{"penjelasan": "Penilaian diri 4,6 melebihi penilaian atasan 3,4 pada 2 dari 2 periode."}"#,
                                     f.clock.now, f.clock.now])
            }
            return rows.map { ($0[0], $0[1]) }
        }
    }

    static func review(_ runtime: DaemonRuntime, _ method: String, _ parameters: [String: JSONValue]) async throws -> VarlinkReplyMessage {
        let dispatcher = try VarlinkDispatcher(
            info: VarlinkServiceInfo(vendor: "test", product: "kinerjad", version: "0", url: "file:///"),
            services: [ReviewService(runtime: runtime)], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let message = JSONValue.object(["method": .string("io.kinerjad.Review.\(method)"), "parameters": .object(parameters)])
        let replies = Mutex<[VarlinkReplyMessage]>([])
        _ = await dispatcher.handle(message: ByteBuffer(string: message.serializedString()), peer: ControlFixture.peer, accessLevel: .full,
                                    send: { reply in replies.withLock { $0.append(reply) } })
        return replies.withLock { $0.last } ?? VarlinkReplyMessage(parameters: [:], error: "no reply")
    }

    static func outbox(_ f: ControlFixture, kind: String) throws -> [Row] {
        try f.runtime.database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, recipient_nip, mail_to, mail_cc, subject, body FROM outbox JOIN outbox_text ON outbox_id = id WHERE kind = ? ORDER BY id
                """, arguments: [kind])
        }
    }

    @Test("flag → task → mail with a personal link → outcome through the web door and the admin door; bad input names the field")
    func taskMailOutcome() async throws {
        let f = try Self.fixture()
        defer { f.remove() }
        try await f.loadOrganisation()
        let planted = try Self.plantFlags(f)
        try #require(planted.count == 2)
        let run = try await f.runJob("followup-pass")
        #expect(run.outcome == "ok", "\(run)")
        #expect(run.message?.hasPrefix("2 follow-up(s) created; 0 overdue, 0 escalated, 0 closed;") == true, "\(run)")
        #expect(f.log.with(messageID: MessageIDs.followupCreated).map { $0.metadata["nip"] } == planted.map(\.subject))

        let mails = try Self.outbox(f, kind: "followup")
        #expect(mails.count == Set(planted.map(\.atasan)).count)
        let mail = try #require(mails.first { ($0["recipient_nip"] as String) == planted[0].atasan })
        // The outbox holds a slot, never a link: the delivery makes it (its SHA-256 stored first).
        let stored: String = mail["body"]
        #expect(!stored.contains("/f/") && ReviewLinkSlot.ids(.followup, in: stored).count == 1, "\(stored)")
        #expect(try await f.runtime.database.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM followup_link") } == 0)
        let message = try #require(try f.runtime.database.outboxMessage(id: mail["id"]))
        let body = try await FollowupLinks(runtime: f.runtime).fill(message.body, of: message)
        #expect(try await f.runtime.database.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM followup_link") } == 1)
        #expect(body.contains("Yang terlihat: Upaya belum tercermin dalam penilaian. Penilaian diri 4,6 melebihi penilaian atasan 3,4"))
        #expect(body.contains("Rekomendasi: Dialog kinerja") && body.contains("Batas waktu: Senin, 15 Desember 2025 (14 hari lagi)"))
        let link = try #require(body.split(separator: "\n").first { $0.contains("Catat hasil dialog: ") })
        let token = String(link.split(separator: "/").last!)
        #expect(link.contains("https://kinerja.example.go.id/f/") && WebToken(parsing: token) != nil)
        // Only its SHA-256 is stored.
        #expect(try await f.runtime.database.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox_text o, followup_link l WHERE instr(o.body, hex(l.token_sha256)) > 0") } == 0)
        // The same day again: nothing new (each stage told once, one message a day).
        _ = try await f.runJob("followup-pass")
        #expect(try Self.outbox(f, kind: "followup").count == mails.count)

        // The atasan's door.
        let page = try await Self.review(f.runtime, "GetFollowupPage", ["token": .string(token)])
        #expect(page.error == nil, "\(page)")
        // A delivery attempt again (as after a kill during the hand-off) makes a new link; the first
        // copy's still opens.
        let resent = try await FollowupLinks(runtime: f.runtime).fill(message.body, of: message)
        let token2 = String(try #require(resent.split(separator: "\n").first { $0.contains("Catat hasil dialog: ") }).split(separator: "/").last!)
        #expect(token2 != token)
        for t in [token, token2] {
            #expect(try await Self.review(f.runtime, "GetFollowupPage", ["token": .string(t)]).error == nil)
        }
        #expect(page.parameters["status"]?.stringValue == "open" && page.parameters["editable"]?.boolValue == true)
        #expect(page.parameters["recommendation"]?.stringValue == "Dialog kinerja" && page.parameters["due_date"]?.stringValue == "2025-12-15")
        let bad = try await Self.review(f.runtime, "RecordFollowup", ["token": .string(token), "held_on": "2025-12-09", "action": "coaching"])
        #expect(bad.error == "io.kinerjad.Review.InvalidInput")
        #expect(bad.parameters["problems"]?.arrayValue?.compactMap(\.stringValue)
                == ["held_on: 2025-12-09 is after today (2025-12-01)",
                    "action: 'coaching' is not one of training, mentoring, workload_change, none_needed, other"])
        let good = try await Self.review(f.runtime, "RecordFollowup", ["token": .string(token), "held_on": "2025-12-01", "action": "training",
                                                                       "note": "Pelatihan komunikasi", "next_check": "2026-03-02"])
        #expect(good.error == nil && good.parameters["status"]?.stringValue == "held", "\(good)")
        let again = try await Self.review(f.runtime, "RecordFollowup", ["token": .string(token), "held_on": "2025-12-01", "action": "other"])
        #expect(again.error == "io.kinerjad.Review.ReadOnly")
        #expect(try await Self.review(f.runtime, "GetFollowupPage", ["token": .string(String(repeating: "A", count: 43))]).error
                == "io.kinerjad.Review.InvalidToken")

        // The admin's door: list and show are admin (personal data), record names bad fields.
        #expect(await f.reply("ListFollowups", [:], access: .restricted).error == VarlinkError.Name.permissionDenied)
        let listed = try await f.call("ListFollowups", ["status": "all"])
        let rows = listed["followups"]?.arrayValue ?? []
        #expect(rows.count == 2 && rows.compactMap { $0["nip"]?.stringValue }.sorted() == planted.map(\.subject).sorted())
        let web = try #require(rows.first { $0["nip"]?.stringValue == planted[0].subject })
        #expect(web["status"]?.stringValue == "held" && web["recorded_via"]?.stringValue == "web" && web["action"]?.stringValue == "training")
        let other = try #require(rows.first { $0["nip"]?.stringValue == planted[1].subject }?["id"])
        let refused = await f.reply("RecordFollowup", ["id": other, "held_on": "1 Des", "action": "training"])
        #expect(refused.error == "io.kinerjad.Admin.InvalidInput")
        #expect(refused.parameters["problems"]?.arrayValue?.first?.stringValue?.hasPrefix("held_on: '1 Des' is not a date") == true)
        #expect(await f.reply("RecordFollowup", ["id": 999, "held_on": "2025-12-01", "action": "other"]).error == "io.kinerjad.Admin.NotFound")
        let recorded = try await f.call("RecordFollowup", ["id": other, "held_on": "2025-12-01", "action": "none_needed"])
        #expect(recorded["followup"]?["status"]?.stringValue == "held" && recorded["followup"]?["recorded_via"]?.stringValue == "admin")
        let shown = try await f.call("ShowFollowup", ["id": other])
        #expect(shown["events"]?.arrayValue?.compactMap { $0["action"]?.stringValue } == ["created", "told", "held"])
        #expect(f.log.with(messageID: MessageIDs.followupHeld).map { $0.metadata["via"] } == ["web", "admin"])

        // The report: two follow-ups, each its own group, both under followup.report_minimum (5): counts only.
        let report = try await f.call("FollowupReport", ["since": "2025-Q4"])
        let cells = report["cells"]?.arrayValue ?? []
        #expect(report["minimum"]?.intValue == 5 && report["since"]?.stringValue == "2025-Q4")
        #expect(cells.map { "\($0["unit"]?.stringValue ?? "*")/\($0["group"]?.stringValue ?? "")" }.filter { $0.hasPrefix("*/") }
                == ["*/training", "*/none_needed"])
        #expect(cells.allSatisfy { $0["flags"]?.intValue == 1 && $0["suppressed"]?.boolValue == true && $0["held_on_time"] == .null })
        #expect(try await f.call("FollowupReport", ["since": "2026-Q1"])["cells"]?.arrayValue?.isEmpty == true)
        #expect(await f.reply("FollowupReport", ["since": "Q4"]).parameters["problems"]?.arrayValue?.first?.stringValue?
                    .hasPrefix("since: 'Q4' is not a period") == true)
        #expect(await f.reply("FollowupReport", [:], access: .restricted).error == VarlinkError.Name.permissionDenied)
    }

    @Test("an unheld task: overdue after its due date (the atasan told once more), escalated a week later to the unit head and the BKPSDM digest")
    func overdueEscalation() async throws {
        let f = try Self.fixture()
        defer { f.remove() }
        try await f.loadOrganisation()
        let planted = try Self.plantFlags(f)
        _ = try await f.runJob("followup-pass")
        let told = try Self.outbox(f, kind: "followup").count
        f.clock.advance(15 * 86_400)  // Tuesday 16 December, past the due date of the 15th
        let overdue = try await f.runJob("followup-pass")
        #expect(overdue.message?.contains("0 follow-up(s) created; 2 overdue, 0 escalated") == true, "\(overdue)")
        #expect(f.log.with(messageID: MessageIDs.followupOverdue).count == 2)
        #expect(try Self.outbox(f, kind: "followup").count == 2 * told)
        #expect(try Self.outbox(f, kind: "followup_digest").isEmpty)
        f.clock.advance(7 * 86_400)  // Tuesday 23 December: more than escalate_after (7 days) past the due date
        let escalated = try await f.runJob("followup-pass")
        #expect(escalated.message?.contains("2 escalated") == true, "\(escalated)")
        #expect(f.log.with(messageID: MessageIDs.followupEscalated).map { $0.metadata["nip"] } == planted.map(\.subject))
        let mails = try Self.outbox(f, kind: "followup")
        #expect(mails.count == 3 * told)
        let head = try await f.runtime.database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT h.email FROM employee e JOIN unit u ON u.code = e.unit_code JOIN employee h ON h.nip = u.head_nip WHERE e.nip = ?",
                                arguments: [planted[0].subject])
        }
        let last = try #require(mails.last { ($0["recipient_nip"] as String) == planted[0].atasan })
        #expect(!(last["mail_cc"] as String).contains(try #require(head)))
        #expect((last["body"] as String).contains("telah diteruskan ke kepala unit"))
        // The unit head gets a copy of its own, without the atasan's recording link.
        let copies = try Self.outbox(f, kind: "followup_copy")
        let headEmail = try #require(head)
        let copy = try #require(copies.first { ($0["mail_to"] as String).contains(headEmail) })
        #expect(!(copy["body"] as String).contains("/f/") && !ReviewLinkSlot.hasSlot(copy["body"] as String))
        #expect((copy["body"] as String).contains("tautan pencatatan hanya dikirim kepada"))
        let digest = try Self.outbox(f, kind: "followup_digest")
        #expect(digest.count == 1 && (digest[0]["mail_to"] as String).contains("bkpsdm@example.go.id"))
        #expect((digest[0]["body"] as String).contains("diteruskan ke kepala unit (2)"))
        // The digest is written once a day.
        f.clock.advance(3600)
        _ = try await f.runJob("followup-pass")
        #expect(try Self.outbox(f, kind: "followup_digest").count == 1)
    }

    @Test("the training catalogue: a bad file is refused naming line and field and changes nothing; dry run checks only; a good one replaces it")
    func catalogueImport() async throws {
        let f = try Self.fixture()
        defer { f.remove() }
        func file(_ text: String) throws -> [String: JSONValue] {
            let document = try CSVParser.parse(text)
            return ["header": f.record(document.header), "records": .array(document.records.map(f.record))]
        }
        let good = try file("code,title,provider,mode,hours,builds\nKOM-01,Komunikasi Efektif,LAN,klasikal,16,Kolaboratif\n")
        let bad = await f.reply("ImportTrainingCatalogue", try file("code,title,provider,mode,hours,builds\nX,Y,Z,tatap muka,2,Loyal\n"))
        #expect(bad.error == "io.kinerjad.Admin.InvalidInput")
        #expect(bad.parameters["problems"]?.arrayValue?.compactMap(\.stringValue) == ["line 2, field mode: 'tatap muka' is not one of klasikal, e-learning, coaching"])
        #expect(try await f.call("ImportTrainingCatalogue", good.merging(["dry_run": true]) { a, _ in a })["courses"]?.intValue == 1)
        #expect(try f.runtime.database.trainingCatalogue().isEmpty)
        #expect(try await f.call("ImportTrainingCatalogue", good)["dry_run"]?.boolValue == false)
        #expect(try f.runtime.database.trainingCatalogue().map(\.code) == ["KOM-01"])
        #expect(await f.reply("ImportTrainingCatalogue", good, access: .restricted).error == VarlinkError.Name.permissionDenied)
    }
}
