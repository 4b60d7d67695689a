import Foundation
import Testing
@testable import KinerjaDomain

/// `{tautan}`: the stored message holds a slot naming its cycles; the delivery fills it.
@Suite("The reviewer's link slot in stored messages")
struct ReviewLinkSlotTests {
    @Test("a slot names its cycles, is shown as text where no link is made, and is filled where it is")
    func slotRoundTrip() {
        let text = "Isi melalui tautan berikut:\n\n" + ReviewLinkSlot.slot(cycles: [7, 3]) + "\n\nTerima kasih."
        #expect(ReviewLinkSlot.hasSlot(text))
        #expect(ReviewLinkSlot.cycles(in: text) == [7, 3])
        #expect(ReviewLinkSlot.display(text) == "Isi melalui tautan berikut:\n\n\(ReviewLinkSlot.displayText)\n\nTerima kasih.")
        let filled = ReviewLinkSlot.fill(text) { ids in ReviewLinkSlot.linkText(ids.map { ("C\($0)", "https://k.test/r/\($0)") }) }
        #expect(filled == "Isi melalui tautan berikut:\n\n\n  - Siklus C7: https://k.test/r/7\n  - Siklus C3: https://k.test/r/3\n\nTerima kasih.")
        #expect(ReviewLinkSlot.fill(ReviewLinkSlot.slot(cycles: [1])) { _ in ReviewLinkSlot.linkText([("C1", "https://k.test/r/1")]) }
                == "https://k.test/r/1")
        #expect(ReviewLinkSlot.fill("no slot here, {tautan} is literal text") { _ in "X" } == "no slot here, {tautan} is literal text")
    }

    @Test("a follow-up slot names its tasks, is filled only as a follow-up slot, and reads as its own text where no link is made")
    func followupSlot() {
        let text = "Catat hasil dialog: " + ReviewLinkSlot.slot(followups: [12]) + "\nIsi: " + ReviewLinkSlot.slot(cycles: [3])
        #expect(ReviewLinkSlot.ids(.followup, in: text) == [12] && ReviewLinkSlot.cycles(in: text) == [3])
        #expect(ReviewLinkSlot.display(text) == "Catat hasil dialog: \(ReviewLinkSlot.Kind.followup.displayText)\nIsi: \(ReviewLinkSlot.displayText)")
        // Filling one kind keeps the other's slot as it was.
        let reviews = ReviewLinkSlot.fill(text) { ids in "R\(ids)" }
        #expect(reviews == "Catat hasil dialog: " + ReviewLinkSlot.slot(followups: [12]) + "\nIsi: R[3]")
        #expect(ReviewLinkSlot.fill(reviews, .followup) { ids in "F\(ids)" } == "Catat hasil dialog: F[12]\nIsi: R[3]")
        // A frame with an unknown tag is dropped, never shown.
        #expect(ReviewLinkSlot.display("a\u{1}other:1\u{1}b") == "ab")
    }

    @Test("the planner writes one slot with the message's cycles; a name cannot imitate one")
    func plannerWritesSlot() throws {
        let zone = TimeZone(identifier: "Asia/Jakarta")!
        let now = try #require(Timestamp.parse("2026-06-15T10:00", defaultTimeZone: zone))
        let reviewer = try #require(NIP("198503152010011001")), subject = try #require(NIP("199001012015011002"))
        let owed = [5, 9].map { cycle in
            OwedReview(assignmentID: Int64(cycle), cycleID: Int64(cycle), cycleLabel: "2026-Q\(cycle == 5 ? 1 : 2)", reviewer: reviewer,
                       subject: subject, subjectName: "Budi \u{1}tautan:99\u{1}", role: .rekan, due: now.addingTimeInterval(86_400))
        }
        let contacts = [ReminderContact(nip: reviewer, name: "Siti", email: "siti@bandung.go.id", unit: "DLH", supervisor: nil, unitHead: nil)]
        let policy = ReminderPolicy(workingHours: WorkingHours(timeZone: zone), holidays: [])
        let plan = ReminderPlanner(policy: policy).plan(owed: owed, contacts: contacts, alreadySent: [], lastMessagePerRecipient: [:], now: now)
        let body = try #require(plan.messages.first?.body)
        #expect(ReviewLinkSlot.cycles(in: body) == [5, 9], "\(body)")
        #expect(body.components(separatedBy: "\u{1}").count == 3, "a name brought a slot frame into the body")
    }
}
