import Foundation
import GRDB
import Testing
import KinerjaDemo
@testable import KinerjaDomain
@testable import KinerjaStore

/// The whole analysis (set-based load, the six rules, flags) on a generated demo data set that plants
/// each pattern, loaded through the store's real import, open, review and close paths.
@Suite("Motivation analysis on the demo data set", .serialized)
struct MotivationDemoTests {
    static let zone = TimeZone(identifier: "Asia/Jakarta")!

    static func spec(employees: Int = 300, seed: UInt64 = 11) throws -> DemoSpec {
        DemoSpec(employees: employees, periods: 4, seed: seed, firstPeriod: try Period(parsing: "2025-Q1"))
    }

    /// Runs the analysis as the job does: load, analyse, apply.
    @discardableResult
    static func analyse(_ db: AppDatabase, at now: Date) throws -> FlagUpdateOutcome {
        let thresholds = MotivationThresholds()
        let asOf = CalendarDate(now, in: zone)
        let history = try db.motivationHistory(periods: thresholds.historyPeriods)
        let findings = history.findings(thresholds: thresholds, asOf: asOf)
        // The daemon reads one person at a time (`motivationFindings`): the same findings, each
        // flagged person with the unit the whole history gives.
        let run = try db.motivationFindings(periods: thresholds.historyPeriods, thresholds: thresholds, asOf: asOf)
        #expect(run.findings == findings)
        #expect(run.units == history.units.filter { nip, _ in findings.contains { $0.subject == nip } })
        // And writes them as it finds them, a batch of people at a time (2,048 in the daemon; 7 here,
        // so the demo's people come in many batches).
        let (written, outcome) = try db.analyseAndApply(periods: thresholds.historyPeriods, thresholds: thresholds, asOf: asOf, at: now,
                                                        batchPeople: 7)
        #expect(written.kinds == run.kinds && outcome.findings == run.findings.count)
        return outcome
    }

    /// Flags whose condition holds now (not cleared), by rule.
    static func holding(_ db: AppDatabase) throws -> [MotivationRule: Set<NIP>] {
        var result: [MotivationRule: Set<NIP>] = [:]
        for f in try db.flags(FlagFilter(statuses: Set(FlagStatus.allCases), limit: 100_000)).rows where !f.conditionCleared {
            result[f.rule, default: []].insert(f.nip)
        }
        return result
    }

    /// Planted cases of another pattern that also show `rule`: the planted decline lowers every
    /// role's seven-score total by 4 a period, so the peer and subordinate means fall by 4/7 = 0.57
    /// in the last period too, past feedback_drop.margin (0.5). Every other employee never shows a rule.
    static func alsoShowing(_ rule: MotivationRule, _ planted: [MotivationRule: Set<NIP>]) -> Set<NIP> {
        rule == .feedbackDrop ? planted[.decliningTrend, default: []] : []
    }

    func counts(_ db: AppDatabase) throws -> [Int] {
        try db.writer.read { d in
            try ["flag", "flag_event", "flag WHERE condition_cleared"].map { try Int.fetchOne(d, sql: "SELECT COUNT(*) FROM \($0)")! }
        }
    }

    @Test("every planted case is flagged with its rule, no unplanted employee by that rule; analysis after each close as the daemon does",
          arguments: [UInt64(11), 29])
    func plantedCasesAreFlagged(seed: UInt64) throws {
        let demo = try DemoStoreLoader(try Self.spec(seed: seed))
        let planted = demo.planted
        #expect(Set(planted.keys) == Set(MotivationRule.allCases), "the generator planted every pattern")
        let db = try AppDatabase.inMemory()
        var runs: [FlagUpdateOutcome] = []
        try demo.load(into: db) { period in runs.append(try Self.analyse(db, at: period.closeAt)) }
        let found = try Self.holding(db)
        let followups = demo.followupsHoldingAtTheEnd
        for rule in MotivationRule.allCases {
            let flagged = found[rule, default: []], expected = planted[rule, default: []].union(followups.holding[rule, default: []])
            #expect(flagged.isSuperset(of: expected), "\(rule.rawValue): planted \(expected.subtracting(flagged).sorted()) not flagged")
            #expect(flagged.subtracting(expected).isSubset(of: Self.alsoShowing(rule, planted)),
                    "\(rule.rawValue): \(flagged.subtracting(expected).sorted()) flagged without that pattern planted")
        }
        // The follow-ups that recover: flagged, and their flag's condition cleared by the end.
        let all = try db.flags(FlagFilter(statuses: Set(FlagStatus.allCases), includeCleared: true, limit: 100_000)).rows
        for (rule, nips) in followups.cleared {
            let theirs = all.filter { $0.rule == rule && nips.contains($0.nip) }
            #expect(Set(theirs.map(\.nip)) == nips, "\(rule.rawValue): recovering follow-ups never flagged")
            #expect(theirs.allSatisfy { $0.conditionCleared }, "\(rule.rawValue): \(theirs.filter { !$0.conditionCleared }.map(\.nip)) still hold")
        }
        #expect(!followups.cleared.isEmpty)
        // One entry per new flag: what the runs reported as created is what the table holds.
        #expect(runs.reduce(0) { $0 + $1.created.count } == (try counts(db))[0])
        // The evidence never carries an individual rekan or bawahan review: only means with their reviewer counts.
        for f in try db.flags(FlagFilter(rule: .feedbackDrop)).rows {
            let evidence = try db.flag(id: f.id).evidence
            let counts = evidence.measurements.filter { $0.name.hasSuffix("_reviewers") }.compactMap(\.value)
            #expect(!counts.isEmpty && counts.allSatisfy { $0 >= 3 })
        }
    }

    @Test("a stop asked between two batches rolls the whole run back; the next run writes everything")
    func stoppedRunRollsBack() throws {
        let demo = try DemoStoreLoader(try Self.spec(employees: 150, seed: 5))
        let db = try AppDatabase.inMemory()
        try demo.load(into: db) { _ in }
        let thresholds = MotivationThresholds(), at = demo.periods.last!.closeAt
        let asOf = CalendarDate(at, in: Self.zone)
        var asked = 0
        #expect(throws: CancellationError.self) {
            try db.analyseAndApply(periods: thresholds.historyPeriods, thresholds: thresholds, asOf: asOf, at: at, batchPeople: 7,
                                   stopped: { asked += 1; return asked > 2 })
        }
        #expect(asked == 3)
        #expect(try counts(db) == [0, 0, 0])
        let outcome = try db.analyseAndApply(periods: thresholds.historyPeriods, thresholds: thresholds, asOf: asOf, at: at, batchPeople: 7)
        let flags = try counts(db)[0]
        #expect(!outcome.outcome.created.isEmpty && outcome.outcome.created.count == flags)
    }

    @Test("running the analysis again, or after reopening the database, adds nothing")
    func idempotentAcrossRestart() throws {
        let demo = try DemoStoreLoader(try Self.spec(employees: 150, seed: 5))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinerja-flags-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("kinerja.sqlite").path
        let last = demo.periods.last!.closeAt
        do {
            let db = try AppDatabase.open(path: path)
            try demo.load(into: db) { period in try Self.analyse(db, at: period.closeAt) }
            let before = try counts(db)
            #expect(before[0] > 0)
            let again = try Self.analyse(db, at: last)
            #expect(again.created.isEmpty && again.escalated.isEmpty && again.updated == 0 && again.cleared == 0 && again.returned == 0)
            #expect(try counts(db) == before)
        }
        // A new process: the database opened again, the analysis run again.
        let reopened = try AppDatabase.open(path: path)
        let before = try counts(reopened)
        let outcome = try Self.analyse(reopened, at: last)
        #expect(outcome.created.isEmpty && outcome.escalated.isEmpty && outcome.cleared == 0 && outcome.updated == 0)
        #expect(try counts(reopened) == before)
    }
}
