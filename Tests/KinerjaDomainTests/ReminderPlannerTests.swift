import Foundation
import Testing
@testable import KinerjaDomain

@Suite("Reminder planner: digests, one a day, escalation, admin digest")
struct ReminderPlannerTests {
    typealias F = ReminderFixture

    // People: reviewer R (1) in DLHK with atasan A (50) and unit head H (90); reviewer N (2) without email;
    // reviewer B (3) whose atasan is the unit head H; subjects 100+.
    static let r = TestData.nip(1), n = TestData.nip(2), b = TestData.nip(3)
    static let atasan = TestData.nip(50), head = TestData.nip(90)

    static let contacts: [ReminderContact] = [
        ReminderContact(nip: r, name: "Rina Kusuma", email: "rina@bandung.go.id", unit: "DLHK", supervisor: atasan, unitHead: head),
        ReminderContact(nip: n, name: "Nanang", email: "  ", unit: "DLHK", supervisor: atasan, unitHead: head),
        ReminderContact(nip: b, name: "Bagus", email: "bagus@bandung.go.id", unit: "DLHK", supervisor: head, unitHead: head),
        ReminderContact(nip: atasan, name: "Asep Sunandar", email: "asep@bandung.go.id", unit: "DLHK", supervisor: head, unitHead: head),
        ReminderContact(nip: head, name: "Hana Pertiwi", email: "hana@bandung.go.id", unit: "DLHK", unitHead: head),
    ]

    static func owed(_ id: Int64, reviewer: NIP = r, subject: Int = 100, role: ReviewerRole = .rekan,
                     due: String = "2026-03-20T16:00", cycle: Int64 = 1, label: String = "2026-Q1") -> OwedReview {
        OwedReview(assignmentID: id, cycleID: cycle, cycleLabel: label, reviewer: reviewer,
                   subject: role == .selfAssessment ? reviewer : TestData.nip(subject),
                   subjectName: role == .selfAssessment ? "" : "Pegawai \(subject)", role: role, due: F.at(due))
    }

    static let admin = MailAddress(name: "Admin BKPSDM", email: "bkpsdm@bandung.go.id")

    static func planner(holidays: Set<CalendarDate> = []) -> ReminderPlanner {
        ReminderPlanner(policy: F.policy(holidays: holidays), adminAddress: admin)
    }

    static func plan(_ owed: [OwedReview], at now: String, sent: Set<ReminderStageKey> = [], markedAt: [Int64: Date] = [:],
                     last: [NIP: Date] = [:], lastAdmin: Date? = nil, contacts: [ReminderContact] = contacts) -> ReminderPlan {
        planner().plan(owed: owed, contacts: contacts, alreadySent: sent, lastMarkedAt: markedAt, lastMessagePerRecipient: last,
                       lastAdminDigest: lastAdmin, now: F.at(now))
    }

    /// The marks of overdue reminders already sent for `ids`, at `days` after the due date.
    static func overdueSent(_ ids: [Int64], days: [Int]) -> Set<ReminderStageKey> {
        Set(ids.flatMap { id in days.map { ReminderStageKey(assignmentID: id, stage: .after(days: $0)) } })
    }

    @Test func nothingOutsideWorkingHours() {
        let p = Self.plan([Self.owed(1)], at: "2026-03-21T10:00") // Saturday, after:1d
        #expect(!p.isWorkingTime)
        #expect(p.messages.isEmpty && p.deferred.isEmpty && p.marks.isEmpty)
        #expect(p.nextWorkingInstant == F.at("2026-03-23T08:00"))
        let holiday = Self.planner(holidays: IndonesianHolidays.dates).plan(
            owed: [Self.owed(1)], contacts: Self.contacts, alreadySent: [], lastMessagePerRecipient: [:],
            now: F.at("2026-03-18T10:00"))
        #expect(!holiday.isWorkingTime && holiday.messages.isEmpty)
        #expect(holiday.nextWorkingInstant == F.at("2026-03-25T08:00"))
    }

    @Test func nothingBeforeTheFirstStage() {
        let p = Self.plan([Self.owed(1)], at: "2026-03-16T09:00")
        #expect(p.isWorkingTime && p.messages.isEmpty && p.deferred.isEmpty)
    }

    @Test func aReminderAtEachStageOnce() {
        let due = Self.owed(1)
        var sent: Set<ReminderStageKey> = []
        let days = ["2026-03-17", "2026-03-20", "2026-03-23", "2026-03-24", "2026-03-27", "2026-04-03", "2026-04-06"]
        var markedAt: [Int64: Date] = [:]
        var stagesSent: [String] = []
        for day in days {
            let p = Self.plan([due], at: "\(day)T09:00", sent: sent, markedAt: markedAt)
            for m in p.messages where m.kind != .adminDigest {
                stagesSent += m.marks.map(\.stage.id)
                sent.formUnion(m.marks)
                for mark in m.marks { markedAt[mark.assignmentID] = F.at("\(day)T09:00") }
            }
            // Re-running the same sweep changes nothing.
            let again = Self.plan([due], at: "\(day)T09:00", sent: sent, markedAt: markedAt)
            #expect(again.messages.allSatisfy { $0.kind == .adminDigest })
        }
        // 2026-03-21/22 are a weekend: the first overdue reminder (after:1d) goes out on Monday 23,
        // and the next ones keep the policy's pace from it: after:3d two days later at the
        // earliest (Friday 27, the next sweep here), after:7d four days after that (April 3);
        // after:14d would need seven more days (April 10).
        #expect(stagesSent == ["before:3d", "due", "after:1d", "after:3d", "after:7d"])
    }

    @Test func reminderMessageContents() throws {
        let p = Self.plan([Self.owed(1), Self.owed(2, role: .selfAssessment)], at: "2026-03-17T09:00")
        let m = try #require(p.messages.first)
        #expect(p.messages.count == 1)
        #expect(m.kind == .reminder && m.recipient == Self.r && m.cc.isEmpty && m.escalation == EscalationLevel.none)
        #expect(m.to == [MailAddress(name: "Rina Kusuma", email: "rina@bandung.go.id")])
        #expect(m.subject == "Pengingat: 2 penilaian perilaku kerja menunggu Anda")
        #expect(m.marks == [ReminderStageKey(assignmentID: 1, stage: .before(days: 3)),
                            ReminderStageKey(assignmentID: 2, stage: .before(days: 3))])
        #expect(m.dedupeKey == "reminder/\(Self.r)/2026-03-17")
        #expect(m.body.contains("Yth. Bapak/Ibu Rina Kusuma (NIP \(Self.r.formatted)),"))
        #expect(m.body.contains("Per Selasa, 17 Maret 2026, masih ada 2 penilaian"))
        #expect(m.body.contains("Siklus 2026-Q1:"))
        // Same due date: ordered by subject NIP, so the reviewer's own self-assessment comes first here.
        #expect(m.body.contains("1. Penilaian diri sendiri"))
        #expect(m.body.contains("2. Pegawai 100 (NIP \(TestData.nip(100).formatted)), sebagai rekan kerja"))
        #expect(m.body.contains("batas waktu Jumat, 20 Maret 2026, 3 hari lagi"))
        #expect(m.body.contains("batas terdekat: Jumat, 20 Maret 2026"))
        #expect(m.body.contains("BKPSDM Kota Bandung"))
        #expect(!m.body.contains("{") && !m.subject.contains("{"))
    }

    @Test func oneMessagePerRecipientPerDay() throws {
        // 09:00: cycle 1 reaches before:3d and is sent.
        let first = Self.plan([Self.owed(1)], at: "2026-03-17T09:00")
        let m1 = try #require(first.messages.first)
        // 11:00: a new cycle opened with a review already due today; the reviewer had a message today.
        let owed = [Self.owed(1), Self.owed(7, subject: 101, due: "2026-03-17T15:00", cycle: 2, label: "2026-03")]
        let second = Self.plan(owed, at: "2026-03-17T11:00", sent: Set(m1.marks), last: [Self.r: F.at("2026-03-17T09:00")])
        #expect(second.messages.isEmpty)
        #expect(second.deferred == [DeferredReminder(reviewer: Self.r, reason: .alreadyMessagedToday, pending: 1)])
        #expect(second.marks.isEmpty)
        // Next working day: one digest with both cycles; cycle 2 (its review is now after:1d) is listed first.
        let third = Self.plan(owed, at: "2026-03-18T08:00", sent: Set(m1.marks), last: [Self.r: F.at("2026-03-17T09:00")])
        let m3 = try #require(third.messages.first)
        #expect(third.messages.count == 1)
        #expect(m3.items.map(\.assignmentID) == [7, 1])
        #expect(m3.marks == [ReminderStageKey(assignmentID: 7, stage: .after(days: 1))])
        #expect(m3.body.contains("Siklus 2026-03:") && m3.body.contains("Siklus 2026-Q1:"))
        #expect(m3.body.range(of: "Siklus 2026-03:")!.lowerBound < m3.body.range(of: "Siklus 2026-Q1:")!.lowerBound)
        #expect(m3.body.contains("terlambat 1 hari"))
        // The day is the policy zone's: 23:30 UTC on the 17th is already the 18th in Jakarta.
        let lateUTC = Self.plan(owed, at: "2026-03-18T08:00", sent: Set(m1.marks), last: [Self.r: F.at("2026-03-17T23:30Z")])
        #expect(lateUTC.messages.isEmpty && lateUTC.deferred.map(\.reason) == [.alreadyMessagedToday])
    }

    @Test func escalationOrder() throws {
        // Due Thursday 2026-03-19; each overdue stage is checked on a working day.
        let due = Self.owed(1, due: "2026-03-19T16:00")
        // Friday, after:1d (1st overdue stage): the reviewer only.
        let a1 = try #require(Self.plan([due], at: "2026-03-20T09:00").messages.first)
        #expect(a1.marks.map(\.stage) == [.after(days: 1)] && a1.cc.isEmpty && a1.kind == .reminder)
        // Monday (+4), after:3d (2nd overdue stage): the atasan is copied.
        let a3 = try #require(Self.plan([due], at: "2026-03-23T09:00", sent: Set(a1.marks)).messages.first)
        #expect(a3.marks.map(\.stage) == [.after(days: 3)])
        #expect(a3.kind == .escalation && a3.escalation == .atasan)
        #expect(a3.cc.map(\.nip) == [Self.atasan] && a3.cc.map(\.reason) == [.atasan])
        #expect(a3.subject == "Penilaian perilaku kerja terlambat: 1 dari 1 penilaian melewati batas waktu")
        #expect(a3.body.contains("belum diisi setelah 1 kali pengingat sebelumnya, pesan ini disampaikan pula sebagai "
                                 + "tembusan kepada Asep Sunandar (atasan langsung)."))
        let sent3 = Set(a1.marks).union(a3.marks)
        // Thursday (+7), after:7d (3rd overdue stage): the atasan, then the unit head.
        let p7 = Self.plan([due], at: "2026-03-26T09:00", sent: sent3)
        let a7 = try #require(p7.messages.first { $0.kind != .adminDigest })
        #expect(a7.marks.map(\.stage) == [.after(days: 7)] && a7.escalation == .unitHead)
        #expect(a7.cc.map(\.nip) == [Self.atasan, Self.head] && a7.cc.map(\.reason) == [.atasan, .unitHead])
        #expect(a7.body.contains("Asep Sunandar (atasan langsung) dan Hana Pertiwi (kepala unit kerja)"))
        // The unit-head level also puts the reviewer in the admin digest.
        #expect(p7.escalated.listed.map(\.reviewer) == [Self.r] && p7.escalated.reviewers == 1)
        let digest = try #require(p7.messages.last)
        #expect(digest.kind == .adminDigest && digest.to == [Self.admin] && digest.marks.isEmpty)
        #expect(digest.body.contains("Rina Kusuma (NIP \(Self.r.formatted)): 1 penilaian terlambat, paling lama 7 hari"))
        #expect(digest.dedupeKey == "admin-digest/2026-03-26")
    }

    @Test("the admin digest names a unit's first ten reviewers at the unit-head escalation by NIP and counts the rest")
    func adminDigestNamesTenPerUnit() throws {
        // 25 reviewers in DLHK (in reverse NIP order, as a batch may give them) and one in DISDIK,
        // every review a week late with both overdue reminders before sent.
        let dlhk = (0..<25).map { TestData.nip(300 + $0) }.reversed()
        let disdik = TestData.nip(400)
        var contacts = Self.contacts
        for (i, nip) in dlhk.enumerated() {
            contacts.append(ReminderContact(nip: nip, name: "Penilai \(i)", email: "p\(i)@bandung.go.id", unit: "DLHK",
                                            supervisor: Self.atasan, unitHead: Self.head))
        }
        contacts.append(ReminderContact(nip: disdik, name: "Dewi", email: "dewi@bandung.go.id", unit: "DISDIK", supervisor: Self.atasan))
        var owed: [OwedReview] = []
        for (i, nip) in dlhk.enumerated() {
            owed.append(Self.owed(Int64(1000 + 2 * i), reviewer: nip, subject: 500 + i, due: "2026-03-19T16:00"))
            owed.append(Self.owed(Int64(1001 + 2 * i), reviewer: nip, subject: 600 + i, due: "2026-03-19T16:00"))
        }
        owed.append(Self.owed(2000, reviewer: disdik, subject: 700, due: "2026-03-19T16:00"))
        let p = Self.plan(owed, at: "2026-03-26T09:00", sent: Self.overdueSent(owed.map(\.assignmentID), days: [1, 3]),
                          contacts: contacts)
        #expect(p.escalated.reviewers == 26 && p.escalated.lateReviews == 51)
        let named = p.escalated.listed.map(\.reviewer)
        #expect(named == [disdik] + Array(dlhk.sorted().prefix(10)), "\(named)")
        #expect(p.escalated.byUnit.map(\.code) == ["DISDIK", "DLHK"])
        let digest = try #require(p.messages.last)
        #expect(digest.kind == .adminDigest)
        let lines = digest.body.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("  - Penilai ") }.count == 10, "\(digest.body)")
        #expect(lines.contains("  - dan 15 penilai lain di unit ini (30 penilaian terlambat); daftar lengkap: kinerjactl reviews overdue --unit DLHK"),
                "\(digest.body)")
        #expect(lines.contains { $0.hasPrefix("  - Dewi (NIP ") } && !lines.contains { $0.contains("penilai lain di unit ini (0") })
        #expect(digest.body.contains("26") && digest.body.contains("51"), "the totals count every reviewer: \(digest.body)")
    }

    @Test("a plan lists the first 200 reviewers deferred and counts every one waiting for tomorrow")
    func deferredListBounded() throws {
        let reviewers = (0..<250).map { TestData.nip(1000 + $0) }
        let contacts = Self.contacts + reviewers.enumerated().map { i, nip in
            ReminderContact(nip: nip, name: "Penilai \(i)", email: "p\(i)@bandung.go.id", unit: "DLHK", supervisor: Self.atasan, unitHead: Self.head)
        }
        let owed = reviewers.enumerated().map { i, nip in Self.owed(Int64(5000 + i), reviewer: nip, subject: 2000 + i) }
        // Every one already had a message this morning.
        let last = Dictionary(uniqueKeysWithValues: reviewers.map { ($0, F.at("2026-03-17T08:30")) })
        let p = Self.plan(owed, at: "2026-03-17T09:00", last: last, contacts: contacts)
        #expect(p.messages.isEmpty)
        #expect(p.waitingForTomorrow == 250)
        #expect(p.deferred.count == ReminderPlan.deferredListed)
        #expect(p.deferred.map(\.reviewer) == Array(reviewers.sorted().prefix(ReminderPlan.deferredListed)))
    }

    @Test("a plan lists the first 200 people without an address by NIP, counts every one, and the digest says how many more")
    func missingAddressesBounded() throws {
        // 260 reviewers without an address, planned in two batches (as the store reads them), each
        // also the atasan of a late reviewer with an address in the other batch (in reverse NIP
        // order, so the list fills with the last and drops them): their reasons and reviews from both
        // batches add up for the people listed.
        let silent = (0..<260).map { TestData.nip(3000 + $0) }
        let loud = (0..<260).map { TestData.nip(9000 + $0) }
        var contacts = Self.contacts
        for (i, nip) in silent.enumerated() {
            contacts.append(ReminderContact(nip: nip, name: "Tanpa Email \(i)", email: nil, unit: "DLHK", supervisor: Self.atasan, unitHead: Self.head))
            contacts.append(ReminderContact(nip: loud[i], name: "Penilai \(i)", email: "p\(i)@bandung.go.id", unit: "DISDIK",
                                            supervisor: silent[259 - i], unitHead: Self.head))
        }
        var owed: [OwedReview] = []
        for i in 0..<260 {
            owed.append(Self.owed(Int64(10_000 + i), reviewer: silent[i], subject: 20_000 + i))
            owed.append(Self.owed(Int64(30_000 + i), reviewer: loud[i], subject: 40_000 + i, due: "2026-03-13T16:00"))
        }
        let now = "2026-03-17T09:00"
        let sent = Self.overdueSent(owed.filter { loud.contains($0.reviewer) }.map(\.assignmentID), days: [1])
        let reference = Self.plan(owed, at: now, sent: sent, contacts: contacts)
        #expect(reference.peopleWithoutAddressCount == 260)
        #expect(reference.peopleWithoutAddress.map(\.nip) == Array(silent.prefix(ReminderPlan.missingListed)))
        #expect(reference.missingAddresses.count == 2 * ReminderPlan.missingListed)
        #expect(reference.missingAddresses.allSatisfy { $0.reviews == 1 }, "\(reference.missingAddresses.prefix(4))")

        // The loud reviewers first (their atasan noted in reverse NIP order), then the silent ones.
        let planner = Self.planner()
        var state = planner.begin(now: F.at(now))
        var messages: [PlannedMessage] = []
        for batch in [loud, silent] {
            let rows = owed.filter { batch.contains($0.reviewer) }
            planner.plan(batch: rows, contacts: contacts, alreadySent: sent, lastMessagePerRecipient: [:], into: &state) { messages.append($0) }
        }
        var plan = planner.finish(state) { messages.append($0) }
        plan.messages = messages
        #expect(plan == reference)

        let digest = try #require(plan.messages.last)
        #expect(digest.kind == .adminDigest)
        #expect(digest.body.contains("(260 orang)"), "\(digest.body.prefix(600))")
        let lines = digest.body.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("  - Tanpa Email ") }.count == ReminderPlan.missingListed)
        #expect(lines.contains("  - dan 60 orang lain (daftar ini memuat 200 orang pertama menurut NIP); "
                               + "selebihnya: pegawai tanpa email di berkas pegawai yang diimpor (kinerjactl import employees) dan atasan atau kepala unit yang tidak ada di berkas itu"),
                "\(digest.body.suffix(400))")
    }

    @Test func escalationNeverCopiesTheSamePersonTwiceOrTheReviewer() throws {
        // B's atasan is the unit head: one copy. The unit head reviewing: no copy to themselves.
        let owed = [Self.owed(1, reviewer: Self.b, due: "2026-03-19T16:00"),
                    Self.owed(2, reviewer: Self.head, subject: 101, due: "2026-03-19T16:00")]
        let p = Self.plan(owed, at: "2026-03-26T09:00", sent: Self.overdueSent([1, 2], days: [1, 3]))
        let forB = try #require(p.messages.first { $0.recipient == Self.b })
        #expect(forB.cc.map(\.nip) == [Self.head] && forB.cc.map(\.reason) == [.atasan])
        let forHead = try #require(p.messages.first { $0.recipient == Self.head })
        #expect(forHead.cc.isEmpty && forHead.kind == .reminder && forHead.escalation == .unitHead)
    }

    @Test func aReviewerWhoOwesFortyReviewsGetsOneDigest() throws {
        var owed: [OwedReview] = []
        for i in 0..<25 { owed.append(Self.owed(Int64(1000 + i), subject: 200 + i, due: "2026-03-20T16:00", cycle: 11, label: "2026-Q1")) }
        for i in 0..<15 { owed.append(Self.owed(Int64(2000 + i), subject: 300 + i, due: "2026-03-13T16:00", cycle: 12, label: "2026-02")) }
        let p = Self.plan(owed.shuffled(), at: "2026-03-17T09:00", sent: Self.overdueSent((0..<15).map { 2000 + $0 }, days: [1]))
        #expect(p.messages.count == 1)
        let m = try #require(p.messages.first)
        #expect(m.items.count == 40 && m.marks.count == 40)
        // The 15 late ones, reminded once after the due date, reach after:3d, their 2nd overdue
        // reminder: an escalation copied to the atasan.
        #expect(m.kind == .escalation && m.cc.map(\.nip) == [Self.atasan])
        #expect(m.subject == "Penilaian perilaku kerja terlambat: 15 dari 40 penilaian melewati batas waktu")
        #expect(m.body.contains("15 dari 40 penilaian perilaku kerja"))
        // Cycle 12 (due earlier) first, each cycle numbered from 1.
        #expect(m.items.prefix(15).allSatisfy { $0.cycleID == 12 } && m.items.suffix(25).allSatisfy { $0.cycleID == 11 })
        #expect(m.body.contains("  15. ") && m.body.contains("  25. ") && !m.body.contains("  26. "))
        #expect(m.body.contains("terlambat 4 hari"))
        #expect(m.body.contains("3 hari lagi"))
        #expect(m.marks.filter { $0.stage == .after(days: 3) }.count == 15)
        #expect(m.marks.filter { $0.stage == .before(days: 3) }.count == 25)
    }

    @Test func digestListsEveryOwedReviewEvenThoseNotYetAtAStage() throws {
        let owed = [Self.owed(1), Self.owed(2, subject: 101, due: "2026-04-10T16:00", cycle: 2, label: "2026-Q2")]
        let m = try #require(Self.plan(owed, at: "2026-03-17T09:00").messages.first)
        #expect(m.items.map(\.assignmentID) == [1, 2])
        #expect(m.items.map(\.isNewStage) == [true, false])
        #expect(m.marks == [ReminderStageKey(assignmentID: 1, stage: .before(days: 3))])
        #expect(m.body.contains("24 hari lagi"))
    }

    @Test func outputIsDeterministic() {
        var owed: [OwedReview] = []
        for reviewer in [1, 3, 50] {
            for i in 0..<6 {
                owed.append(Self.owed(Int64(reviewer * 100 + i), reviewer: TestData.nip(reviewer), subject: 400 + i,
                                      due: ["2026-03-13T16:00", "2026-03-19T16:00", "2026-03-20T10:00"][i % 3],
                                      cycle: Int64(i % 2 + 1), label: i % 2 == 0 ? "2026-Q1" : "2026-03"))
            }
        }
        owed.append(Self.owed(9, reviewer: Self.n))
        let reference = Self.plan(owed, at: "2026-03-26T09:00")
        #expect(reference.messages.map(\.recipient) == [Self.r, Self.b, Self.atasan, nil])
        for _ in 0..<5 {
            let again = Self.plan(owed.shuffled(), at: "2026-03-26T09:00", contacts: Self.contacts.shuffled())
            #expect(again == reference)
        }
    }

    /// The store plans a city in batches of reviewers (each with its reviewers' rows and contacts);
    /// the messages, their order and the admin digest's lists are those of one plan over everything.
    @Test func aPlanInBatchesOfReviewersIsThePlanAtOnce() {
        var owed: [OwedReview] = []
        for reviewer in [1, 2, 3, 50] {
            for i in 0..<4 {
                owed.append(Self.owed(Int64(reviewer * 100 + i), reviewer: TestData.nip(reviewer), subject: 400 + i,
                                      due: ["2026-03-13T16:00", "2026-03-19T16:00", "2026-03-20T10:00"][i % 3]))
            }
        }
        let now = "2026-03-26T09:00"
        let last = [Self.b: F.at("2026-03-26T08:30")]
        // Two overdue reminders each already: the third escalates to the unit head.
        let sent = Self.overdueSent(owed.map(\.assignmentID), days: [1, 3])
        let reference = Self.plan(owed, at: now, sent: sent, last: last)
        #expect(reference.messages.count >= 3 && !reference.deferred.isEmpty && !reference.escalated.isEmpty)

        let planner = Self.planner()
        var state = planner.begin(now: F.at(now))
        var messages: [PlannedMessage] = []
        for batch in [[1, 2], [3], [50]].map({ $0.map { TestData.nip($0) } }) {
            // Only the batch's rows, and only the contacts the batch needs.
            let rows = owed.filter { batch.contains($0.reviewer) }
            let needed = Set(batch + [Self.atasan, Self.head])
            planner.plan(batch: rows, contacts: Self.contacts.filter { needed.contains($0.nip) }, alreadySent: sent,
                         lastMessagePerRecipient: last, into: &state) { messages.append($0) }
        }
        var plan = planner.finish(state) { messages.append($0) }
        plan.messages = messages
        #expect(plan == reference)
    }

    @Test func reviewersWithoutAddressGoToTheAdminDigest() throws {
        let owed = [Self.owed(1, reviewer: Self.n), Self.owed(2, reviewer: Self.n, subject: 101)]
        let p = Self.plan(owed, at: "2026-03-17T09:00")
        #expect(p.deferred == [DeferredReminder(reviewer: Self.n, reason: .noAddress, pending: 2)])
        #expect(p.missingAddresses == [MissingAddress(nip: Self.n, name: "Nanang", unit: "DLHK", role: .reviewer, reviews: 2)])
        #expect(p.marks.isEmpty)
        let digest = try #require(p.messages.first)
        #expect(p.messages.count == 1 && digest.kind == .adminDigest)
        #expect(digest.subject == "Rekap harian penilaian kinerja yang terlambat, Selasa, 17 Maret 2026")
        #expect(digest.body.contains("Nanang (NIP \(Self.n.formatted)), DLHK: penilai dengan 2 penilaian yang perlu diingatkan"))
        #expect(digest.body.contains("(1 orang)") && digest.body.contains("(0 penilai, 0 penilaian terlambat)"))
        #expect(digest.body.contains("  (tidak ada)"))
        // At most one admin digest a day.
        let later = Self.plan(owed, at: "2026-03-17T13:00", lastAdmin: F.at("2026-03-17T09:00"))
        #expect(later.messages.isEmpty && later.missingAddresses.count == 1)
        // Without an admin address the lists stay in the plan but no message is written.
        let noAdmin = ReminderPlanner(policy: F.policy()).plan(
            owed: owed, contacts: Self.contacts, alreadySent: [], lastMessagePerRecipient: [:], now: F.at("2026-03-17T09:00"))
        #expect(noAdmin.messages.isEmpty && noAdmin.missingAddresses.count == 1)
    }

    @Test func aCopyTargetWithoutAddressIsReported() throws {
        var contacts = Self.contacts
        contacts[3].email = nil // the atasan
        let p = Self.plan([Self.owed(1, due: "2026-03-19T16:00")], at: "2026-03-23T09:00",
                          sent: Self.overdueSent([1], days: [1]), contacts: contacts)
        let m = try #require(p.messages.first { $0.kind != .adminDigest })
        #expect(m.cc.isEmpty && m.kind == .reminder && m.escalation == .atasan)
        #expect(p.missingAddresses.map(\.role) == [.atasan] && p.missingAddresses.first?.nip == Self.atasan)
        #expect(p.messages.last?.body.contains("atasan langsung yang perlu menerima tembusan (1 penilaian terlambat)") == true)
    }

    @Test func unknownContactsAreReportedNotDropped() {
        let stranger = TestData.nip(777)
        let p = Self.plan([Self.owed(1, reviewer: stranger)], at: "2026-03-17T09:00")
        #expect(p.deferred.map(\.reason) == [.noAddress])
        #expect(p.missingAddresses == [MissingAddress(nip: stranger, name: "", unit: "", role: .reviewer, reviews: 1)])
        #expect(p.messages.last?.body.contains("(tidak ada di data pegawai)") == true)
    }

    @Test func repeatedRowsCountOnce() throws {
        let p = Self.plan([Self.owed(1), Self.owed(1)], at: "2026-03-17T09:00")
        #expect(try #require(p.messages.first).items.count == 1)
    }
}

@Suite("Reminder planner: stages and wording follow the reminders actually sent")
struct ReminderHistoryTests {
    typealias F = ReminderFixture
    typealias T = ReminderPlannerTests

    @Test("a backdated cycle far past due: the first message is the first overdue reminder, copies nobody, and never speaks of earlier reminders")
    func firstMessageOfABackdatedCycle() throws {
        // Due 20 days ago; nothing was ever sent about it.
        let owed = [T.owed(1, due: "2026-03-02T16:00"), T.owed(2, subject: 101, due: "2026-03-02T16:00")]
        let p = T.plan(owed, at: "2026-03-23T09:00")
        let m = try #require(p.messages.first { $0.kind != .adminDigest })
        #expect(m.marks.map(\.stage) == [.after(days: 1), .after(days: 1)])
        #expect(m.cc.isEmpty && m.kind == .reminder && m.escalation == EscalationLevel.none)
        #expect(!m.body.contains("pengingat sebelumnya") && !m.body.contains("beberapa kali"))
        #expect(m.body.contains("terlambat 21 hari"))
        #expect(p.escalated.isEmpty)
        // Monday's sweep again, and Tuesday's: one day since the reminder, after:3d needs two.
        var markedAt: [Int64: Date] = [1: F.at("2026-03-23T09:00"), 2: F.at("2026-03-23T09:00")]
        let tuesday = T.plan(owed, at: "2026-03-24T09:00", sent: Set(m.marks), markedAt: markedAt)
        #expect(tuesday.messages.allSatisfy { $0.kind == .adminDigest } && tuesday.marks.isEmpty)
        // Wednesday: the second overdue reminder, copied to the atasan, saying how often it was sent.
        let wednesday = T.plan(owed, at: "2026-03-25T09:00", sent: Set(m.marks), markedAt: markedAt)
        let e = try #require(wednesday.messages.first { $0.kind != .adminDigest })
        #expect(e.marks.map(\.stage) == [.after(days: 3), .after(days: 3)])
        #expect(e.kind == .escalation && e.cc.map(\.nip) == [T.atasan])
        #expect(e.body.contains("belum diisi setelah 1 kali pengingat sebelumnya"))
        markedAt = [1: F.at("2026-03-25T09:00"), 2: F.at("2026-03-25T09:00")]
        // The third (after:7d) comes four days later, with the unit head.
        let sent = Set(m.marks).union(e.marks)
        #expect(T.plan(owed, at: "2026-03-27T09:00", sent: sent, markedAt: markedAt).marks.isEmpty)
        let third = try #require(T.plan(owed, at: "2026-03-30T09:00", sent: sent, markedAt: markedAt).messages.first)
        #expect(third.marks.map(\.stage) == [.after(days: 7), .after(days: 7)] && third.escalation == .unitHead)
        #expect(third.body.contains("setelah 2 kali pengingat sebelumnya"))
    }

    @Test("an escalation configured at the first overdue reminder says the due date passed, not 'after reminders'")
    func escalationAtTheFirstReminder() throws {
        let planner = ReminderPlanner(policy: F.policy(escalation: EscalationPolicy(ccAtasanFrom: 1, ccUnitHeadFrom: nil)))
        let p = planner.plan(owed: [T.owed(1, due: "2026-03-19T16:00")], contacts: T.contacts, alreadySent: [],
                             lastMessagePerRecipient: [:], now: F.at("2026-03-20T09:00"))
        let m = try #require(p.messages.first)
        #expect(m.kind == .escalation)
        #expect(m.body.contains("belum diisi hingga melewati batas waktunya, pesan ini"))
    }

    @Test("subject and body give the same counts")
    func subjectAndBodyAgree() throws {
        // 2 late (reminded once before), 3 not yet due.
        var owed = (0..<2).map { T.owed(Int64(10 + $0), subject: 300 + $0, due: "2026-03-13T16:00") }
        owed += (0..<3).map { T.owed(Int64(20 + $0), subject: 400 + $0, due: "2026-03-20T16:00", cycle: 2, label: "2026-03") }
        let m = try #require(T.plan(owed, at: "2026-03-17T09:00", sent: T.overdueSent([10, 11], days: [1])).messages.first)
        #expect(m.kind == .escalation)
        #expect(m.subject.contains("2 dari 5 penilaian"))
        #expect(m.body.contains("2 dari 5 penilaian perilaku kerja"))
        let plain = try #require(T.plan(Array(owed.suffix(3)), at: "2026-03-17T09:00").messages.first)
        #expect(plain.subject.contains("3 penilaian") && plain.body.contains("masih ada 3 penilaian"))
    }

    @Test("a person without an address is counted once, as such, and not as waiting for tomorrow")
    func withoutAddressCountedOnce() throws {
        // Nanang (no address) owes reviews and is also the atasan of a late reviewer.
        var contacts = T.contacts
        contacts[0].supervisor = T.n
        let owed = [T.owed(1, reviewer: T.n), T.owed(2, reviewer: T.r, due: "2026-03-13T16:00")]
        let p = T.plan(owed, at: "2026-03-17T09:00", sent: T.overdueSent([2], days: [1]), contacts: contacts)
        #expect(Set(p.missingAddresses.map(\.role)) == [.reviewer, .atasan])
        #expect(p.peopleWithoutAddress.count == 1)
        #expect(p.peopleWithoutAddress.first?.nip == T.n)
        #expect(p.waitingForTomorrow == 0)
        // The admin digest counts and lists Nanang once, with both reasons.
        let digest = try #require(p.messages.last)
        #expect(digest.kind == .adminDigest && digest.body.contains("(1 orang)"), "\(digest.body)")
        #expect(digest.body.contains("Nanang (NIP \(T.n.formatted)), DLHK: penilai dengan 1 penilaian yang perlu diingatkan; "
                                     + "atasan langsung yang perlu menerima tembusan (1 penilaian terlambat)"), "\(digest.body)")
        let tomorrow = T.plan(owed, at: "2026-03-17T11:00", last: [T.r: F.at("2026-03-17T09:00")], contacts: contacts)
        #expect(tomorrow.waitingForTomorrow == 1 && tomorrow.peopleWithoutAddress.count == 1)
    }
}
