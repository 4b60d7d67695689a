import Foundation
import Testing
import KinerjaDemo
@testable import KinerjaDomain

/// Who reviews whom is confidential: a message copied to an atasan or unit head must not show them
/// that this reviewer owes a review about them (as bawahan or as rekan). Checked over a whole demo
/// organisation with every review overdue, so every reviewer's message is copied.
@Suite("Escalation copies: no review about a copied person is listed")
struct EscalationCopyPrivacyTests {
    static let jakarta = TimeZone(identifier: "Asia/Jakarta")!

    static func demoPlan() throws -> ReminderPlan {
        let spec = DemoSpec(employees: 300, periods: 1, seed: 5, firstPeriod: try Period(parsing: "2026-Q1"))
        let generator = try DemoGenerator(spec)
        let period = try Period(parsing: "2026-Q2")
        let opened = try #require(Timestamp.parse("2026-04-01T08:00", defaultTimeZone: jakarta))
        let plan = try AssignmentPlanner.plan(employees: generator.employees, period: period, openedAt: opened,
                                              policy: spec.assignmentPolicy)
        let names = Dictionary(generator.employees.map { ($0.nip, $0.nama) }, uniquingKeysWith: { a, _ in a })
        let heads = Dictionary(generator.units.compactMap { u in u.head.map { (u.code, $0) } }, uniquingKeysWith: { a, _ in a })
        let owed = plan.assignments.enumerated().map { index, a in
            OwedReview(assignmentID: Int64(index + 1), cycleID: 1, cycleLabel: period.code, reviewer: a.reviewer,
                       subject: a.subject, subjectName: names[a.subject] ?? "", role: a.role, due: a.due)
        }
        let contacts = generator.employees.map { e in
            ReminderContact(nip: e.nip, name: e.nama, email: e.email, unit: e.unit, supervisor: e.supervisor, unitHead: heads[e.unit])
        }
        let policy = ReminderPolicy(escalation: EscalationPolicy(), workingHours: WorkingHours(timeZone: jakarta), holidays: [])
        let now = try #require(Timestamp.parse("2026-06-15T10:00", defaultTimeZone: jakarta)) // a Monday, weeks late
        // Escalation follows the reminders sent: every review already had its first two overdue
        // reminders, so this one is the third, copied to the atasan and the unit head.
        let sent = Set(owed.flatMap { o in [1, 3].map { ReminderStageKey(assignmentID: o.assignmentID, stage: .after(days: $0)) } })
        return ReminderPlanner(policy: policy).plan(owed: owed, contacts: contacts, alreadySent: sent,
                                                    lastMessagePerRecipient: [:], now: now)
    }

    @Test("no copy recipient is the subject of a listed item; the rest is counted; counts agree")
    func copiesWithholdReviewsAboutTheCopied() throws {
        let plan = try Self.demoPlan()
        let copied = plan.messages.filter { !$0.cc.isEmpty }
        #expect(copied.count > 50, "the demo should escalate most reviewers (\(copied.count))")
        var withheldSomewhere = 0
        for message in copied {
            let listed = Self.listedNIPs(message.body)
            for copy in message.cc {
                #expect(!listed.contains(ReminderTextCache.grouped(copy.nip)),
                        "\(copy.nip) is copied on a message listing a review about them:\n\(message.body)")
            }
            let aboutCopied = message.items.filter { item in message.cc.contains { $0.nip == item.subject } }.count
            withheldSomewhere += aboutCopied
            // Listed + withheld = every item, and the subject line and body give the same totals.
            let numbered = message.body.split(separator: "\n").filter { $0.range(of: #"^  \d+\. "#, options: .regularExpression) != nil }.count
            #expect(numbered + aboutCopied == message.items.count)
            if aboutCopied > 0 {
                #expect(message.body.contains("Selain itu, \(aboutCopied) penilaian lain tidak dirinci"), "\(message.body)")
            }
            let late = message.items.filter { $0.daysLate > 0 }.count
            #expect(message.subject.contains("\(late) dari \(message.items.count) penilaian"), "\(message.subject)")
            #expect(message.body.contains("\(late) dari \(message.items.count) penilaian"), "\(message.body)")
        }
        #expect(withheldSomewhere > 0, "the demo should have reviews about atasan or unit heads")
        // A message without copies still lists everything.
        for message in plan.messages where message.cc.isEmpty && message.kind != .adminDigest {
            #expect(!message.body.contains("tidak dirinci"))
        }
    }

    /// The grouped NIPs that appear in numbered digest lines.
    static func listedNIPs(_ body: String) -> Set<String> {
        var found = Set<String>()
        for line in body.split(separator: "\n") where line.range(of: #"^  \d+\. "#, options: .regularExpression) != nil {
            if let range = line.range(of: #"NIP [0-9 ]{21}"#, options: .regularExpression) {
                found.insert(String(line[range].dropFirst(4)))
            }
        }
        return found
    }

    @Test("a name or unit with line breaks or control characters cannot start a line of a mail body")
    func interpolatedValuesStayOnTheirLine() {
        #expect(ReminderPlanner.inline("Budi\r\nBcc: x@evil") == "Budi  Bcc: x@evil")
        #expect(ReminderPlanner.inline("A\u{2028}B\u{1B}[2J\u{0}") == "A B [2J ")
        #expect(ReminderPlanner.inline("Siti Aminah") == "Siti Aminah")
        var cache = ReminderTextCache()
        let item = DigestItem(assignmentID: 1, cycleID: 1, cycleLabel: "2026-Q1", subject: NIP("198001012005011001")!,
                              subjectName: "Evil\nBcc: spy@example.org", role: .rekan, due: Date(timeIntervalSince1970: 0),
                              dueDay: CalendarDate(iso: "2026-01-01")!, daysLate: 1, daysLeft: 0, stage: nil, isNewStage: false)
        let list = ReminderPlanner.digestList([item], cache: &cache)
        #expect(!list.split(separator: "\n").contains { $0.hasPrefix("Bcc:") }, "\(list)")
    }
}
