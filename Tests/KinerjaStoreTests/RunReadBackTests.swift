import Foundation
import GRDB
import KinerjaDemo
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// What an analysis run created and escalated, and the follow-up tasks made after it, read back from
/// the database a page at a time after the run (the daemon's journal entries come from there): the
/// same flags and tasks, in the same order, as the records a run keeps when asked; and each read is an
/// id range walked in key order.
@Suite("An analysis run's flags and tasks read back a page at a time", .serialized)
struct RunReadBackTests {
    static let zone = TimeZone(identifier: "Asia/Jakarta")!

    /// Two databases given the same demo history, each close analysed and its tasks created in both:
    /// one keeps the records, the other reads them back in pages of `page`.
    @Test("pages of created flags, then of escalations, and of new tasks equal the records, in order", arguments: [1, 7])
    func pagesEqualRecords(page: Int) throws {
        let demo = try DemoStoreLoader(DemoSpec(employees: 150, periods: 4, seed: 5, firstPeriod: try Period(parsing: "2025-Q1")))
        let thresholds = MotivationThresholds(), policy = FollowupPolicy()
        var kept: [(flags: FlagUpdateOutcome, tasks: [FollowupRecord])] = []
        let recorded = try AppDatabase.inMemory()
        try demo.load(into: recorded) { period in
            let asOf = CalendarDate(period.closeAt, in: Self.zone)
            let run = try recorded.analyseAndApply(periods: thresholds.historyPeriods, thresholds: thresholds, asOf: asOf, at: period.closeAt)
            kept.append((run.outcome, try recorded.createFollowups(policy, today: asOf, now: period.closeAt)))
        }
        var index = 0, flags = 0, escalations = 0, tasks = 0
        let paged = try AppDatabase.inMemory()
        try demo.load(into: paged) { period in
            let asOf = CalendarDate(period.closeAt, in: Self.zone)
            let outcome = try paged.analyseAndApply(periods: thresholds.historyPeriods, thresholds: thresholds, asOf: asOf,
                                                    at: period.closeAt, records: false).outcome
            let expected = kept[index]
            index += 1
            #expect(outcome.created.isEmpty && outcome.escalated.isEmpty, "no records asked for")
            #expect(outcome.summary == expected.flags.summary)
            #expect(outcome.createdCount == expected.flags.created.count && outcome.escalatedCount == expected.flags.escalated.count)
            let created = try Self.pages(page, \.eventID) { after in try paged.flagRunEvents(outcome, .created, after: after, limit: page) }
            #expect(created.map(\.flag) == expected.flags.created)
            // Read another way: each as `flags show` reads it, and as many as the run counted while writing.
            #expect(created.count == outcome.createdCount)
            for record in created {
                let stored = try paged.flag(id: record.flag.id).flag
                #expect(stored.identity == record.flag.identity && stored.rule == record.flag.rule && stored.nip == record.flag.nip
                        && stored.unit == record.flag.unit && stored.window == record.flag.window
                        && stored.followUp == record.flag.followUp && stored.createdAt == record.flag.createdAt, "\(record)")
            }
            let escalated = try Self.pages(page, \.eventID) { after in try paged.flagRunEvents(outcome, .escalated, after: after, limit: page) }
            #expect(escalated.map { FlagEscalation(flag: $0.flag, from: $0.from!) } == expected.flags.escalated)

            let ids = try paged.createFollowupTasks(policy, today: asOf, now: period.closeAt)
            let read = try Self.pages(page, \.id) { after in try paged.followups(created: ids, after: after, limit: page) }
            #expect(ids.count == read.count && read == expected.tasks)
            flags += created.count
            escalations += escalated.count
            tasks += read.count
        }
        #expect(index == kept.count)
        #expect(flags > 0 && escalations > 0 && tasks > 0, "flags \(flags), escalations \(escalations), tasks \(tasks)")
        // Each task's `created` event, in id order, as before.
        let events = try paged.writer.read { d in try Int64.fetchAll(d, sql: "SELECT followup_id FROM followup_event WHERE action = 'created' ORDER BY id") }
        #expect(events == events.sorted() && events.count == tasks)
    }

    /// Every page until an empty one, each at most `page` long, each starting after the last one's key.
    static func pages<T>(_ page: Int, _ key: KeyPath<T, Int64>, _ next: (Int64?) throws -> [T]) throws -> [T] {
        var all: [T] = [], after: Int64?
        while true {
            let got = try next(after)
            #expect(got.count <= page)
            guard let last = got.last else { return all }
            all += got
            after = last[keyPath: key]
        }
    }

    @Test("a page is a range of the primary key walked in order, each flag found by its id; no sort")
    func plans() throws {
        let db = try AppDatabase.inMemory()
        func plan(_ sql: String, _ arguments: StatementArguments) throws -> [String] {
            try db.writer.read { d in
                try Row.fetchAll(d, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String? ?? "" }
            }
        }
        let flags = try plan(AppDatabase.flagRunEventsSQL, [0, 10, "created", 500])
        #expect(flags.contains { $0.hasPrefix("SEARCH ev USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)") }, "\(flags)")
        #expect(flags.contains { $0.hasPrefix("SEARCH f USING INTEGER PRIMARY KEY (rowid=?)") }, "\(flags)")
        #expect(!flags.contains { $0.contains("TEMP B-TREE") || $0.hasPrefix("SCAN") }, "\(flags)")
        let tasks = try plan(AppDatabase.followupsPageSQL, [0, 10, 500])
        #expect(tasks.contains { $0.hasPrefix("SEARCH fu USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)") }, "\(tasks)")
        #expect(!tasks.contains { $0.contains("TEMP B-TREE") || $0.hasPrefix("SCAN") }, "\(tasks)")
    }
}
