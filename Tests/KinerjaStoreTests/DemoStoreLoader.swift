import Foundation
import KinerjaDemo
@testable import KinerjaDomain
@testable import KinerjaStore

/// Loads a generated demo data set into a store in-process, the way `kinerjactl demo load` replays
/// it through the daemon: units, employees, then per period open the cycle, submit its reviews,
/// import the training dated up to the period's end (the last period takes the rest), close.
struct DemoStoreLoader {
    let generator: DemoGenerator
    let periods: [DemoPeriod]
    let training: [TrainingRecord]

    init(_ spec: DemoSpec) throws {
        var generator = try DemoGenerator(spec)
        periods = (0..<generator.periods.count).map { generator.period($0) }
        training = generator.training()
        self.generator = generator
    }

    static func accumulate<A>(_ text: String, _ schema: CSVSchema, _ make: (CSVColumnMap) throws -> A,
                              _ add: (inout A, [CSVRecord]) -> Void) throws -> A {
        let document = try CSVParser.parse(text)
        var accumulator = try make(try schema.bind(header: document.header).get())
        add(&accumulator, document.records)
        return accumulator
    }

    /// Loads everything; `afterClose` runs after each close with the period and its close time.
    func load(into db: AppDatabase, afterClose: (DemoPeriod) throws -> Void = { _ in }) throws {
        let spec = generator.spec
        let start = periods.first?.openedAt ?? Date()
        _ = try db.importUnits(try Self.accumulate(DemoCSV.units(generator.units), UnitImport.schema,
                                                   { UnitImport.Accumulator(columns: $0) }, { $0.add($1) }),
                               dryRun: false, now: start, source: "demo")
        _ = try db.importEmployees(try Self.accumulate(DemoCSV.employees(generator.employees), EmployeeImport.schema,
                                                       { try EmployeeSpool(columns: $0) }, { $0.add($1) }),
                                   dryRun: false, now: start, source: "demo")
        var from = CalendarDate(daysSinceEpoch: 0)
        for (index, p) in periods.enumerated() {
            _ = try db.openCycle(period: p.period, openedAt: p.openedAt, policy: spec.assignmentPolicy, by: "test")
            let submissions = p.reviews.enumerated().map { i, r in
                ReviewSubmission(line: i + 2, reference: AssignmentReference(key: r.key),
                                 review: Review(scores: r.scores, comment: r.comment, hasilKerja: r.hasilKerja), submittedAt: r.submittedAt)
            }
            _ = try db.submitReviews(submissions, cycle: .period(p.period), now: p.closeAt, dryRun: false, source: "demo")
            let last = index == periods.count - 1
            let window = training.filter { $0.date >= from && (last || $0.date <= p.period.end) }
            if !window.isEmpty {
                _ = try db.importTraining(try Self.accumulate(DemoCSV.training(window), TrainingImport.schema,
                                                              { TrainingImport.Accumulator(columns: $0) }, { $0.add($1) }),
                                          dryRun: false, now: p.closeAt, source: "demo")
            }
            from = p.period.end.adding(days: 1)
            _ = try db.closeCycle(.period(p.period), force: false, reason: nil, requiredRoles: [.atasan],
                                  policy: spec.resultPolicy, at: p.closeAt, by: "test")
            try afterClose(p)
        }
    }

    /// The planned follow-ups (`DemoFollowupCase`) by rule: those whose flag's condition still holds
    /// after the last period, and those whose condition has cleared. A recovery clears stalled
    /// development at the first close with the better scores; a recognition gap one close later (the
    /// default rule wants the gap in 2 of the last 3 periods).
    var followupsHoldingAtTheEnd: (holding: [MotivationRule: Set<NIP>], cleared: [MotivationRule: Set<NIP>]) {
        var holding: [MotivationRule: Set<NIP>] = [:], cleared: [MotivationRule: Set<NIP>] = [:]
        for f in generator.followups {
            let rule = MotivationRule(rawValue: f.pattern.rawValue)!
            let clearsAt = f.recoversFrom.map { $0 + (f.pattern == .recognitionGap ? 1 : 0) }
            if let clearsAt, clearsAt < periods.count {
                cleared[rule, default: []].insert(f.nip)
            } else {
                holding[rule, default: []].insert(f.nip)
            }
        }
        return (holding, cleared)
    }

    /// Planted NIPs per rule.
    var planted: [MotivationRule: Set<NIP>] {
        var result: [MotivationRule: Set<NIP>] = [:]
        for c in generator.planted { result[MotivationRule(rawValue: c.pattern.rawValue)!, default: []].insert(c.nip) }
        return result
    }
}
