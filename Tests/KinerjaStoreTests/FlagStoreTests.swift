import Foundation
import GRDB
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// Writing findings as flags on an in-memory database: new flags, idempotent re-runs, evidence
/// updates, escalation, cleared conditions, the life cycle, and the queries.
@Suite("Flag store")
struct FlagStoreTests {
    static func nip(_ n: Int) -> NIP { NIP(String(format: "198001012005011%03d", n))! }
    static func q(_ code: String) -> Period { try! Period(parsing: code) }
    static let t0 = Date(timeIntervalSince1970: 1_760_000_000)
    static let admin = FlagActor(uid: 1000, name: "rina")

    /// Subject 1: declining_trend (info); subject 2: disengaged (info); reviewer 3: perfunctory_reviewer.
    static func findings(thresholds: MotivationThresholds = MotivationThresholds()) -> [FlagFinding] {
        let rows = [
            SubjectPeriodRecord(subject: nip(1), period: q("2025-Q1"), perilakuMean: 4.6),
            SubjectPeriodRecord(subject: nip(1), period: q("2025-Q2"), perilakuMean: 4.4),
            SubjectPeriodRecord(subject: nip(1), period: q("2025-Q3"), perilakuMean: 4.2),
            SubjectPeriodRecord(subject: nip(2), period: q("2025-Q2"), selfAssessment: .missing),
            SubjectPeriodRecord(subject: nip(2), period: q("2025-Q3"), selfAssessment: .late(days: 4)),
        ]
        let reviewers = [ReviewerPeriodActivity(reviewer: nip(3), period: q("2025-Q3"), reviews: 6, uniformReviews: 6, commentedReviews: 1)]
        let context = MotivationContext(closedPeriods: [q("2025-Q1"), q("2025-Q2"), q("2025-Q3")], asOf: CalendarDate(iso: "2025-10-15")!)
        return MotivationAnalysis.analyze(subjectRows: rows, lastTraining: [:], reviewerRows: reviewers, context: context,
                                          thresholds: thresholds)
    }

    static let units = [nip(1): "DLHK", nip(2): "DLHK", nip(3): "BKPSDM"]

    func counts(_ db: AppDatabase) throws -> (flags: Int, events: Int) {
        try db.writer.read { d in
            (try Int.fetchOne(d, sql: "SELECT COUNT(*) FROM flag")!, try Int.fetchOne(d, sql: "SELECT COUNT(*) FROM flag_event")!)
        }
    }

    @Test("new findings become open flags with evidence, unit and a created event; the same findings again change nothing")
    func createAndRerun() throws {
        let db = try AppDatabase.inMemory()
        let findings = Self.findings()
        #expect(findings.map(\.rule) == [.decliningTrend, .disengaged, .perfunctoryReviewer])
        let first = try db.applyFindings(findings, units: Self.units, at: Self.t0)
        #expect(first.created.count == 3 && first.escalated.isEmpty && first.updated == 0 && first.cleared == 0)
        #expect(first.created.map(\.identity) == findings.map(\.identity.key))
        #expect(try counts(db) == (3, 3))

        let (rows, total, _) = try db.flags(FlagFilter())
        #expect(total == 3 && rows.allSatisfy { $0.status == .open && !$0.conditionCleared })
        let declining = try #require(rows.first { $0.rule == .decliningTrend })
        #expect(declining.nip == Self.nip(1) && declining.unit == "DLHK" && declining.window.description == "2025-Q1..2025-Q3")
        let detail = try db.flag(id: declining.id)
        #expect(detail.evidence == findings[0].evidence)
        #expect(detail.events.map(\.action) == ["created"] && detail.events[0].actor == "motivation-analysis")
        #expect(detail.events[0].actorUID == nil && detail.events[0].toSeverity == .info)

        let again = try db.applyFindings(findings, units: Self.units, at: Self.t0.addingTimeInterval(86_400))
        #expect(again.created.isEmpty && again.updated == 0 && again.escalated.isEmpty && again.cleared == 0)
        #expect(try counts(db) == (3, 3))
        #expect(try db.flag(id: declining.id).flag.updatedAt == Self.t0)
    }

    @Test("a rise of severity is an escalation event and reported once; a fall is recorded without a report")
    func escalation() throws {
        let db = try AppDatabase.inMemory()
        var findings = Self.findings()
        _ = try db.applyFindings(findings, units: Self.units, at: Self.t0)
        findings[0].severity = .critical
        findings[0].followUp = .coaching
        let raised = try db.applyFindings(findings, units: Self.units, at: Self.t0.addingTimeInterval(60))
        #expect(raised.escalated.count == 1 && raised.updated == 1 && raised.created.isEmpty)
        #expect(raised.escalated[0].from == .info && raised.escalated[0].flag.severity == .critical)
        #expect(raised.escalated[0].flag.createdAt == Self.t0)
        let id = raised.escalated[0].flag.id
        var detail = try db.flag(id: id)
        #expect(detail.flag.severity == .critical && detail.flag.followUp == .coaching)
        #expect(detail.events.map(\.action) == ["created", "escalated"])
        #expect(detail.events[1].fromSeverity == .info && detail.events[1].toSeverity == .critical)
        // The same again: nothing.
        let same = try db.applyFindings(findings, units: Self.units, at: Self.t0.addingTimeInterval(120))
        #expect(same.escalated.isEmpty && same.updated == 0)

        findings[0].severity = .warning
        let lowered = try db.applyFindings(findings, units: Self.units, at: Self.t0.addingTimeInterval(180))
        #expect(lowered.escalated.isEmpty && lowered.deescalated == 1)
        detail = try db.flag(id: id)
        #expect(detail.flag.severity == .warning && detail.events.last?.action == "deescalated")
    }

    @Test("new evidence on an open flag replaces the old one without an event")
    func evidenceUpdate() throws {
        let db = try AppDatabase.inMemory()
        var findings = Self.findings()
        let first = try db.applyFindings(findings, units: Self.units, at: Self.t0)
        findings[1].evidence.explanation += " (updated)"
        findings[1].window.end = Self.q("2025-Q4")
        let second = try db.applyFindings(findings, units: Self.units, at: Self.t0.addingTimeInterval(60))
        #expect(second.updated == 1 && second.created.isEmpty && second.escalated.isEmpty)
        let detail = try db.flag(id: first.created[1].id)
        #expect(detail.evidence.explanation.hasSuffix("(updated)") && detail.flag.window.end == Self.q("2025-Q4"))
        #expect(detail.events.map(\.action) == ["created"])
    }

    @Test("evidence that alone changed (same window, ratio, severity) is written; unchanged evidence is not")
    func evidenceOnlyUpdate() throws {
        let db = try AppDatabase.inMemory()
        var findings = Self.findings()
        let first = try db.applyFindings(findings, units: Self.units, at: Self.t0)
        findings[0].evidence.explanation += " (recounted)"
        let second = try db.applyFindings(findings, units: Self.units, at: Self.t0.addingTimeInterval(60))
        #expect(second.updated == 1 && second.created.isEmpty)
        #expect(try db.flag(id: first.created[0].id).evidence.explanation.hasSuffix("(recounted)"))
        let third = try db.applyFindings(findings, units: Self.units, at: Self.t0.addingTimeInterval(120))
        #expect(third.updated == 0 && third.created.isEmpty)
    }

    @Test("a condition that no longer holds is marked cleared once, the flag stays open; when it holds again it returns")
    func clearedAndReturned() throws {
        let db = try AppDatabase.inMemory()
        let findings = Self.findings()
        let created = try db.applyFindings(findings, units: Self.units, at: Self.t0).created
        let later = Self.t0.addingTimeInterval(86_400)
        let cleared = try db.applyFindings(Array(findings.dropFirst()), units: Self.units, at: later)
        #expect(cleared.cleared == 1 && cleared.created.isEmpty)
        var flag = try db.flag(id: created[0].id)
        #expect(flag.flag.status == .open && flag.flag.conditionCleared && flag.flag.clearedAt == later)
        #expect(flag.events.map(\.action) == ["created", "condition_cleared"])
        // Still open, but the default list shows only flags whose pattern holds and counts this one
        // as left out; asked for, it is listed. Another run without it changes nothing.
        let listed = try db.flags(FlagFilter())
        #expect(listed.total == 2 && listed.hiddenCleared == 1)
        #expect(try db.flags(FlagFilter(includeCleared: true)).total == 3)
        let still = try db.applyFindings(Array(findings.dropFirst()), units: Self.units, at: later.addingTimeInterval(60))
        #expect(still.cleared == 0 && still.updated == 0)

        let back = try db.applyFindings(findings, units: Self.units, at: later.addingTimeInterval(120))
        #expect(back.returned == 1 && back.updated == 1 && back.created.isEmpty)
        flag = try db.flag(id: created[0].id)
        #expect(!flag.flag.conditionCleared && flag.flag.clearedAt == nil)
        #expect(flag.events.map(\.action) == ["created", "condition_cleared", "condition_returned"])
    }

    @Test("a resolved or dismissed flag is final: the continuing pattern is not raised again nor updated")
    func closedFlagsAreLeftAlone() throws {
        let db = try AppDatabase.inMemory()
        var findings = Self.findings()
        let created = try db.applyFindings(findings, units: Self.units, at: Self.t0).created
        _ = try db.changeFlag(id: created[0].id, action: .resolve, resolution: .dialogKinerja, note: "dialog held", by: Self.admin,
                              at: Self.t0.addingTimeInterval(10))
        _ = try db.changeFlag(id: created[1].id, action: .dismiss, note: "on long leave", by: Self.admin, at: Self.t0.addingTimeInterval(20))
        findings[0].severity = .critical
        let outcome = try db.applyFindings(findings, units: Self.units, at: Self.t0.addingTimeInterval(60))
        #expect(outcome.closedAlready == 2 && outcome.created.isEmpty && outcome.escalated.isEmpty && outcome.updated == 0)
        #expect(try db.flag(id: created[0].id).flag.severity == .info)
        // Gone from the findings: a closed flag is not marked cleared either.
        let gone = try db.applyFindings([], units: Self.units, at: Self.t0.addingTimeInterval(120))
        #expect(gone.cleared == 1)
        #expect(try db.flag(id: created[0].id).flag.conditionCleared == false)
    }

    @Test("life cycle: acknowledge, resolve with the action taken, dismiss; refusals name why; who, when and note are kept")
    func lifeCycle() throws {
        let db = try AppDatabase.inMemory()
        let ids = try db.applyFindings(Self.findings(), units: Self.units, at: Self.t0).created.map(\.id)
        let at = Self.t0.addingTimeInterval(3600)

        let acked = try db.changeFlag(id: ids[0], action: .acknowledge, note: "  dialog kinerja dijadwalkan  ", by: Self.admin, at: at)
        #expect(acked.flag.status == .acknowledged && acked.flag.updatedAt == at)
        let event = try #require(acked.events.last)
        #expect(event.action == "acknowledged" && event.actor == "rina" && event.actorUID == 1000 && event.at == at)
        #expect(event.note == "dialog kinerja dijadwalkan" && event.fromStatus == .open && event.toStatus == .acknowledged)

        #expect(throws: FlagStoreError.invalidTransition(id: ids[0], FlagTransitionError(action: .acknowledge, status: .acknowledged))) {
            try db.changeFlag(id: ids[0], action: .acknowledge, note: "again", by: Self.admin, at: at)
        }
        #expect(throws: FlagStoreError.self) { try db.changeFlag(id: ids[0], action: .resolve, note: "done", by: Self.admin, at: at) }
        #expect(throws: FlagStoreError.invalidInput("note: a note is required (what was seen, decided or done)")) {
            try db.changeFlag(id: ids[0], action: .dismiss, note: "   ", by: Self.admin, at: at)
        }
        #expect(throws: FlagStoreError.notFound(id: 999)) {
            try db.changeFlag(id: 999, action: .acknowledge, note: "x", by: Self.admin, at: at)
        }

        let resolved = try db.changeFlag(id: ids[0], action: .resolve, resolution: .coaching, note: "coaching 2x", by: Self.admin, at: at)
        #expect(resolved.flag.status == .resolved && resolved.flag.resolution == .coaching)
        #expect(resolved.events.map(\.action) == ["created", "acknowledged", "resolved"])
        #expect(throws: FlagStoreError.invalidTransition(id: ids[0], FlagTransitionError(action: .dismiss, status: .resolved))) {
            try db.changeFlag(id: ids[0], action: .dismiss, note: "x", by: Self.admin, at: at)
        }
        let dismissed = try db.changeFlag(id: ids[1], action: .dismiss, note: "cuti besar", by: FlagActor(uid: 0, name: "root"), at: at)
        #expect(dismissed.flag.status == .dismissed && dismissed.events.last?.actorUID == 0)
        // A refused change wrote nothing.
        #expect(try db.flag(id: ids[0]).events.count == 3)
    }

    @Test("list filters, work list default, summary per unit and rule, counts by period overlap")
    func queries() throws {
        let db = try AppDatabase.inMemory()
        let ids = try db.applyFindings(Self.findings(), units: Self.units, at: Self.t0).created.map(\.id)
        _ = try db.changeFlag(id: ids[1], action: .dismiss, note: "x", by: Self.admin, at: Self.t0)
        // Both info: ordered by unit (BKPSDM before DLHK).
        #expect(try db.flags(FlagFilter()).rows.map(\.id) == [ids[2], ids[0]])
        #expect(try db.flags(FlagFilter(statuses: Set(FlagStatus.allCases))).total == 3)
        #expect(try db.flags(FlagFilter(statuses: [.dismissed])).rows.map(\.id) == [ids[1]])
        #expect(try db.flags(FlagFilter(unit: "dlhk")).rows.map(\.id) == [ids[0]])
        #expect(try db.flags(FlagFilter(rule: .perfunctoryReviewer)).rows.map(\.nip) == [Self.nip(3)])
        #expect(try db.flags(FlagFilter(severity: .critical)).total == 0)
        #expect(try db.flags(FlagFilter(nip: Self.nip(1))).total == 1)
        #expect(try db.flags(FlagFilter(statuses: Set(FlagStatus.allCases), limit: 1)).rows.count == 1)

        let summary = try db.flagSummary()
        #expect(summary.map { "\($0.unit)/\($0.rule.rawValue)" } == ["BKPSDM/perfunctory_reviewer", "DLHK/declining_trend", "DLHK/disengaged"])
        #expect(summary[2].dismissed == 1 && summary[2].active == 0 && summary[1].open == 1)
        #expect(try db.statusCounts(now: Self.t0).openFlags == 2)

        // Windows: declining 2025-Q1..Q3, disengaged Q2..Q3 (dismissed), perfunctory Q3.
        #expect(try db.flagCounts(overlapping: Self.q("2025-Q1")) == ["DLHK": [.decliningTrend: 1]])
        #expect(try db.flagCounts(overlapping: Self.q("2025-Q3")) == ["DLHK": [.decliningTrend: 1], "BKPSDM": [.perfunctoryReviewer: 1]])
        #expect(try db.flagCounts(overlapping: Self.q("2025"), unit: "bkpsdm") == ["BKPSDM": [.perfunctoryReviewer: 1]])
        #expect(try db.flagCounts(overlapping: Self.q("2025-Q4")).isEmpty)
    }
}
