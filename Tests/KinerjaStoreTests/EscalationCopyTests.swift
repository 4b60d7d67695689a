import Foundation
import GRDB
import KinerjaDemo
@testable import KinerjaDomain
@testable import KinerjaStore
import Testing

/// The reviewer's personal link (`{tautan}`) goes to the reviewer alone: an escalation that copies the
/// atasan is written as the reviewer's message (no Cc, the link's slot) and a separate copy to the
/// people copied, whose `{tautan}` says the link went to the reviewer only.
@Suite("Escalations with the reviewer's link: the copy goes separately, without the link")
struct EscalationCopyTests {
    static let jakarta = TimeZone(identifier: "Asia/Jakarta")!
    static let from = MailAddress(name: "BKPSDM Kota Bandung", email: "kinerjad@bandung.go.id")

    /// A demo organisation with 2026-Q2 open since April, all reviews weeks overdue.
    static func database() throws -> AppDatabase {
        let loader = try DemoStoreLoader(DemoSpec(employees: 60, periods: 1, seed: 3, firstPeriod: try Period(parsing: "2026-Q1")))
        let db = try AppDatabase.inMemory()
        let start = try #require(Timestamp.parse("2026-04-01T08:00", defaultTimeZone: jakarta))
        _ = try db.importUnits(try DemoStoreLoader.accumulate(DemoCSV.units(loader.generator.units), UnitImport.schema,
                                                              { UnitImport.Accumulator(columns: $0) }, { $0.add($1) }),
                               dryRun: false, now: start, source: "test")
        _ = try db.importEmployees(try DemoStoreLoader.accumulate(DemoCSV.employees(loader.generator.employees), EmployeeImport.schema,
                                                                  { try EmployeeSpool(columns: $0) }, { $0.add($1) }),
                                   dryRun: false, now: start, source: "test")
        _ = try db.openCycle(period: try Period(parsing: "2026-Q2"), openedAt: start, policy: loader.generator.spec.assignmentPolicy, by: "test")
        return db
    }

    @Test("an escalation is two messages: the reviewer's with the link's slot and no Cc, the copy without it; a rerun writes nothing")
    func copyWithoutLink() throws {
        let db = try Self.database()
        // The first overdue reminder already copies the atasan.
        let policy = ReminderPolicy(escalation: EscalationPolicy(ccAtasanFrom: 1, ccUnitHeadFrom: nil),
                                    workingHours: WorkingHours(timeZone: Self.jakarta), holidays: [])
        let planner = ReminderPlanner(policy: policy)
        let now = try #require(Timestamp.parse("2026-06-15T10:00", defaultTimeZone: Self.jakarta))
        var messages: [PlannedMessage] = []
        let (plan, summary) = try db.sweepReminders(planner, from: Self.from, now: now) { messages.append($0) }
        #expect(plan.messages.isEmpty, "the sweep keeps no message")
        let escalations = messages.filter { !$0.cc.isEmpty }
        #expect(escalations.count >= 5, "\(messages.count) messages")
        #expect(summary.inserted == messages.count + escalations.count)

        let rows = try db.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.idempotency_key, o.kind, o.recipient_nip, o.mail_to, o.mail_cc, o.subject, t.body,
                       (SELECT COUNT(*) FROM outbox_stage s WHERE s.outbox_id = o.id) AS marks
                FROM outbox o JOIN outbox_text t ON t.outbox_id = o.id
                """)
        }
        let byKey = Dictionary(uniqueKeysWithValues: rows.map { ($0["idempotency_key"] as String, $0) })
        for message in escalations {
            let own = try #require(byKey[message.dedupeKey])
            #expect(own["kind"] as String == "escalation" && own["mail_cc"] as String == "[]")
            #expect(ReviewLinkSlot.hasSlot(own["body"]), "the reviewer's escalation has no link slot")
            #expect(own["marks"] as Int == message.marks.count)
            let copy = try #require(byKey[message.dedupeKey + "/tembusan"], "no copy of \(message.dedupeKey)")
            #expect(copy["kind"] as String == "escalation_copy" && (copy["recipient_nip"] as String?) == nil)
            #expect(copy["marks"] as Int == 0)
            for address in message.cc.map(\.address.email) { #expect((copy["mail_to"] as String).contains(address)) }
            #expect(!(copy["mail_to"] as String).contains(message.to[0].email), "the copy goes to the reviewer too")
            let body: String = copy["body"]
            #expect(!ReviewLinkSlot.hasSlot(body) && body.contains(ReviewLinkSlot.copyText), "\(body)")
            #expect((copy["subject"] as String).hasPrefix("Tembusan: "))
        }
        // A reminder without copies stays one message, with its slot.
        for message in messages where message.cc.isEmpty && message.kind != .adminDigest {
            #expect(byKey[message.dedupeKey + "/tembusan"] == nil)
            #expect(ReviewLinkSlot.hasSlot(try #require(byKey[message.dedupeKey])["body"]))
        }
        // Everything is marked: a second sweep the same day writes no message and no copy.
        let (_, again) = try db.sweepReminders(planner, from: Self.from, now: now.addingTimeInterval(60))
        #expect(again.inserted == 0)
    }
}
