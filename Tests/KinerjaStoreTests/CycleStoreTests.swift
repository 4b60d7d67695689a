import Foundation
import GRDB
import Testing
@testable import KinerjaDomain
@testable import KinerjaStore

/// The cycle store on an in-memory database: imports as merges, idempotent open, reviews all or
/// nothing, close with refusal and force, results against a hand calculation, reports.
@Suite("Cycle store")
struct CycleStoreTests {
    static let zone = TimeZone(identifier: "Asia/Jakarta")!
    static let opened = Date(timeIntervalSince1970: 1_743_469_200)  // 2025-04-01T08:00+07:00
    static let policy = AssignmentPolicy(rekanPerSubject: 2, rekanCapPerReviewer: 3, seed: 7, dueAfter: .seconds(14 * 86_400))

    static func nip(_ n: Int) -> NIP { NIP(String(format: "19800101200501100%d", n))! }

    static let employeeCSV = """
        nip,nama,jabatan,unit_kerja,nip_atasan,email,telepon,status,aktif
        \(nip(1)),Kepala DLHK,Kepala Dinas,DLHK,,,,PNS,true
        \(nip(2)),Staf Dua,Analis,DLHK,\(nip(1)),dua@bandung.go.id,,PNS,true
        \(nip(3)),Staf Tiga,Analis,DLHK,\(nip(1)),,,PPPK,true
        \(nip(4)),Staf Empat,Analis,DLHK,\(nip(1)),,,PNS,true
        \(nip(5)),Staf Lima,Analis,DLHK,\(nip(1)),,,PNS,true
        """

    func records(_ text: String, _ schema: CSVSchema) throws -> (CSVColumnMap, [CSVRecord]) {
        let doc = try CSVParser.parse(text)
        return (try schema.bind(header: doc.header).get(), doc.records)
    }

    func database() throws -> AppDatabase {
        let db = try AppDatabase.inMemory()
        let (umap, urecs) = try records("code,name\nDLHK,Dinas Lingkungan Hidup dan Kebersihan\nBKPSDM,Badan Kepegawaian\n", UnitImport.schema)
        var units = UnitImport.Accumulator(columns: umap)
        units.add(urecs)
        _ = try db.importUnits(units, dryRun: false, now: Self.opened, source: "test")
        let (map, recs) = try records(Self.employeeCSV, EmployeeImport.schema)
        let acc = try EmployeeSpool(columns: map)
        acc.add(recs)
        _ = try db.importEmployees(acc, dryRun: false, now: Self.opened, source: "test")
        return db
    }

    func tableCounts(_ db: AppDatabase) throws -> [String: Int] {
        try db.writer.read { d in
            var result: [String: Int] = [:]
            for t in ["unit", "employee", "cycle", "assignment", "review", "result", "skm_response", "training", "import_log"] {
                result[t] = try Int.fetchOne(d, sql: "SELECT COUNT(*) FROM \(t)")
            }
            return result
        }
    }

    func review(_ line: Int, _ reviewer: Int, _ subject: Int, _ role: ReviewerRole, _ scores: [Int], hasil: Rating? = nil,
                at: Date? = nil) throws -> ReviewSubmission {
        ReviewSubmission(line: line, reference: AssignmentReference(key: AssignmentKey(subject: Self.nip(subject), reviewer: Self.nip(reviewer), role: role)),
                         review: Review(scores: try BerAKHLAKScores(scores), hasilKerja: hasil), submittedAt: at)
    }

    @Test("employee import is a merge: new, changed, deactivated; a dry run writes nothing; unknown units refused")
    func employeeMerge() throws {
        let db = try database()
        let changed = Self.employeeCSV.replacingOccurrences(of: "Staf Dua,Analis", with: "Staf Dua,Perencana")
            .split(separator: "\n").filter { !$0.contains(Self.nip(5).description) }.joined(separator: "\n")
            + "\n\(Self.nip(6)),Staf Enam,Analis,BKPSDM,,,,PNS,true\n"
        let (map, recs) = try records(changed, EmployeeImport.schema)
        let acc = try EmployeeSpool(columns: map)
        acc.add(recs)
        let before = try tableCounts(db)
        let dry = try db.importEmployees(acc, dryRun: true, now: Self.opened, source: "test")
        #expect((dry.added, dry.changed, dry.deactivated, dry.unchanged) == (1, 1, 1, 3))
        #expect(dry.deactivatedByUnit == ["DLHK": 1])
        // 1 of 5 active is more than the default 5 %: a dry run warns, a real import is refused
        // unless the count is named (a wrong count is refused too).
        #expect(dry.warnings.first?.hasPrefix("a real import would be refused: the file would deactivate 1 of 5") == true)
        #expect(try tableCounts(db) == before)
        #expect(throws: CycleStoreError.self) { try db.importEmployees(acc, dryRun: false, now: Self.opened, source: "test") }
        #expect(throws: CycleStoreError.self) {
            try db.importEmployees(acc, dryRun: false, now: Self.opened, source: "test", options: EmployeeImportOptions(allowDeactivate: 2))
        }
        #expect(try tableCounts(db) == before)
        let applied = try db.importEmployees(acc, dryRun: false, now: Self.opened, source: "test",
                                             options: EmployeeImportOptions(allowDeactivate: 1))
        #expect((applied.added, applied.changed, applied.deactivated) == (1, 1, 1))
        #expect(try db.employee(Self.nip(5))?.aktif == false)
        #expect(try db.employee(Self.nip(2))?.jabatan == "Perencana")

        let (m2, r2) = try records("nip,nama,jabatan,unit_kerja,nip_atasan,email,telepon,status,aktif\n\(Self.nip(7)),X,Y,DLHX,,,,PNS,true\n",
                                   EmployeeImport.schema)
        let bad = try EmployeeSpool(columns: m2)
        bad.add(r2)
        let counts = try tableCounts(db)
        #expect(throws: ImportFailure.self) { try db.importEmployees(bad, dryRun: false, now: Self.opened, source: "test") }
        do {
            _ = try db.importEmployees(bad, dryRun: false, now: Self.opened, source: "test")
        } catch let failure as ImportFailure {
            #expect(failure.problems.first?.code == .unknownUnit && failure.problems.first?.line == 2 && failure.problems.first?.column == 4)
        }
        #expect(try tableCounts(db) == counts)
    }

    @Test("opening is one transaction of the planner's assignments; opening again changes nothing and says so")
    func openIdempotent() throws {
        let db = try database()
        let period = try Period(parsing: "2025-Q1")
        let first = try db.openCycle(period: period, openedAt: Self.opened, policy: Self.policy, by: "test")
        #expect(first.created)
        let employees = try EmployeeFile.stored(db)
        let plan = try AssignmentPlanner.plan(employees: employees, period: period, openedAt: Self.opened, policy: Self.policy)
        #expect(first.cycle.assignments == plan.assignments.count)
        let stored = try db.writer.read { d in
            try Row.fetchAll(d, sql: "SELECT subject_nip, reviewer_nip, role FROM assignment_named ORDER BY id").map {
                AssignmentKey(subject: NIP($0[0] as String)!, reviewer: NIP($0[1] as String)!, role: ReviewerRole(rawValue: $0[2])!)
            }
        }
        #expect(stored.sorted() == plan.assignments.map(\.key))
        #expect(first.cycle.dueAt == Self.opened.addingTimeInterval(14 * 86_400))
        let counts = try tableCounts(db)
        let again = try db.openCycle(period: period, openedAt: Self.opened.addingTimeInterval(99), policy: Self.policy, by: "test")
        #expect(!again.created && again.message.contains("already exists") && again.cycle.id == first.cycle.id)
        #expect(try tableCounts(db) == counts)
    }

    @Test("reviews: every problem with its line, nothing written; then applied, revisions keep the first time")
    func reviewsAllOrNothing() throws {
        let db = try database()
        let cycle = try db.openCycle(period: try Period(parsing: "2025-Q1"), openedAt: Self.opened, policy: Self.policy, by: "test")
        let columns = CSVColumnMap(canonical: ReviewImport.schema)
        let selfID = try #require(try db.assignments(.init(subject: Self.nip(2), role: .selfAssessment, at: Self.opened)).rows.first?.id)
        let bad = [
            try review(2, 2, 2, .selfAssessment, [4, 4, 4, 4, 4, 4, 5]),
            try review(3, 3, 2, .atasan, [4, 4, 4, 4, 4, 4, 4], hasil: .sesuai),  // 3 is not 2's atasan
            ReviewSubmission(line: 4, reference: AssignmentReference(id: selfID), review: Review(scores: try BerAKHLAKScores(uniform: 3))),
            try review(5, 1, 2, .atasan, [4, 4, 4, 4, 4, 4, 4], hasil: .sesuai, at: Self.opened.addingTimeInterval(-60)),
            ReviewSubmission(line: 6, reference: AssignmentReference(id: 999_999), review: Review(scores: try BerAKHLAKScores(uniform: 3))),
        ]
        let before = try tableCounts(db)
        do {
            _ = try db.submitReviews(bad, cycle: nil, now: Self.opened.addingTimeInterval(3600), dryRun: false, source: "t", columns: columns)
            Issue.record("expected problems")
        } catch let failure as ImportFailure {
            #expect(failure.problems.map(\.line) == [3, 4, 5, 6])
            #expect(failure.problems[0].column == columns.number("reviewer_nip"))
            #expect(failure.problems[1].message.contains("lines 2 and 4"))
            #expect(failure.problems[2].code == .badTimestamp)
        }
        #expect(try tableCounts(db) == before)

        let t1 = Self.opened.addingTimeInterval(3600), t2 = Self.opened.addingTimeInterval(20 * 86_400)
        let first = try db.submitReviews([try review(2, 2, 2, .selfAssessment, [4, 4, 4, 4, 4, 4, 5], at: t1)], cycle: nil, now: t1,
                                         dryRun: false, source: "t")
        #expect(first.added == 1 && first.late == 0)
        let revised = try db.submitReviews([try review(2, 2, 2, .selfAssessment, [5, 5, 5, 5, 5, 5, 5], at: t2)], cycle: .id(cycle.cycle.id),
                                           now: t2, dryRun: false, source: "t")
        #expect(revised.replaced == 1)
        var byID = AppDatabase.AssignmentFilter(at: t2)
        byID.id = selfID
        let row = try #require(try db.assignments(byID).rows.first)
        #expect(row.submittedAt == t1 && !row.late && row.mean == 5)
    }

    @Test("close: refused with the open atasan reviews; force needs a reason; results match a hand calculation")
    func closeAndResults() throws {
        let db = try database()
        let open = try db.openCycle(period: try Period(parsing: "2025-Q1"), openedAt: Self.opened, policy: Self.policy, by: "test")
        let at = Self.opened.addingTimeInterval(86_400)
        // Subject 2: self all 5, atasan all 4 (hasil di_atas), two rekan (below the anonymity minimum 3).
        let peers = try db.assignments(.init(subject: Self.nip(2), role: .rekan, at: at)).rows.map(\.reviewer)
        #expect(peers.count == 2)
        var subs = [try review(1, 2, 2, .selfAssessment, [5, 5, 5, 5, 5, 5, 5], at: at),
                    try review(2, 1, 2, .atasan, [4, 4, 4, 4, 4, 4, 4], hasil: .diAtas, at: at)]
        for (i, p) in peers.enumerated() {
            subs.append(ReviewSubmission(line: 3 + i, reference: AssignmentReference(key: AssignmentKey(subject: Self.nip(2), reviewer: p, role: .rekan)),
                                         review: Review(scores: try BerAKHLAKScores(uniform: 1)), submittedAt: at))
        }
        _ = try db.submitReviews(subs, cycle: nil, now: at, dryRun: false, source: "t")
        let required: Set<ReviewerRole> = [.atasan]
        do {
            _ = try db.closeCycle(.period(try Period(parsing: "2025-Q1")), force: false, reason: nil, requiredRoles: required,
                                  policy: ResultPolicy(), at: at, by: "t")
            Issue.record("expected a refusal")
        } catch CycleStoreError.notClosable(_, let n, let sample) {
            #expect(n == 3 && sample.count == 3 && sample.allSatisfy { $0.role == .atasan && $0.reviewer == Self.nip(1) })
        }
        #expect(throws: CycleStoreError.self) {
            try db.closeCycle(.id(open.cycle.id), force: true, reason: "  ", requiredRoles: required, policy: ResultPolicy(), at: at, by: "t")
        }
        let closed = try db.closeCycle(.id(open.cycle.id), force: true, reason: "end of quarter", requiredRoles: required,
                                       policy: ResultPolicy(), at: at, by: "t")
        #expect(closed.closed && closed.cycle.forced && closed.cycle.closeReason == "end of quarter" && closed.results == 5)
        // By hand: rekan hidden (2 < 3); weights self 0.1, atasan 0.5 renormalised: (0.5 + 2.0) / 0.6.
        let history = try db.history(of: Self.nip(2))
        let h = try #require(history.first)
        #expect(abs(h.weightedMean! - 2.5 / 0.6) < 1e-12)
        #expect(h.rekanMean == nil && h.rekanCount == 2)
        #expect(h.perilakuRating == .sesuai && h.hasilKerja == .diAtas && h.predikat == .baik)
        // The atasan overrides to di_atas after the close: Sangat Baik.
        _ = try db.setPerilakuOverride(cycle: .id(open.cycle.id), subject: Self.nip(2),
                                       override: try PerilakuOverride(rating: .diAtas, reason: "kinerja luar biasa"), by: "t", at: at)
        #expect(try db.history(of: Self.nip(2)).first?.predikat == .sangatBaik)
        let again = try db.closeCycle(.id(open.cycle.id), force: false, reason: nil, requiredRoles: required, policy: ResultPolicy(), at: at, by: "t")
        #expect(!again.closed && again.message.contains("already closed"))
        // Reviews of a closed cycle are refused.
        #expect(throws: ImportFailure.self) {
            try db.submitReviews([try review(1, 3, 3, .selfAssessment, [3, 3, 3, 3, 3, 3, 3])], cycle: .id(open.cycle.id), now: at,
                                 dryRun: false, source: "t")
        }
    }

    @Test("status counts: open cycles, and overdue at the given time")
    func statusCounts() throws {
        let db = try database()
        let open = try db.openCycle(period: try Period(parsing: "2025-Q1"), openedAt: Self.opened, policy: Self.policy, by: "test")
        #expect(try db.statusCounts(now: Self.opened).overdueAssignments == 0)
        let late = Self.opened.addingTimeInterval(15 * 86_400)
        let counts = try db.statusCounts(now: late)
        #expect(counts.openCycles == 1 && counts.overdueAssignments == open.cycle.assignments && counts.activeEmployees == 5)
        _ = try db.submitReviews([try review(1, 2, 2, .selfAssessment, [4, 4, 4, 4, 4, 4, 4], at: late)], cycle: nil, now: late,
                                 dryRun: false, source: "t")
        #expect(try db.statusCounts(now: late).overdueAssignments == open.cycle.assignments - 1)
        let overdue = try db.assignments(.init(unit: "dlhk", status: .overdue, at: late, limit: 3))
        #expect(overdue.total == open.cycle.assignments - 1 && overdue.rows.count == 3)
    }

    @Test("SKM re-import replaces a unit's period; training skips what is stored; the report pools IKM")
    func surveysAndReport() throws {
        let db = try database()
        _ = try db.openCycle(period: try Period(parsing: "2025-Q1"), openedAt: Self.opened, policy: Self.policy, by: "test")
        let skm = "unit,period,u1,u2,u3,u4,u5,u6,u7,u8,u9\nDLHK,2025-Q1,4,4,4,4,4,4,4,4,4\nDLHK,2025-Q1,2,2,2,2,2,2,2,2,2\nDLHK,2025-01,3,3,3,3,3,3,3,3,3\n"
        let (smap, srecs) = try records(skm, SKMImport.schema)
        var sacc = SKMImport.Accumulator(columns: smap, knownUnits: ["DLHK", "BKPSDM"])
        sacc.add(srecs)
        #expect(try db.importSKM(sacc, dryRun: false, now: Self.opened, source: "t").replaced == 0)
        #expect(try db.importSKM(sacc, dryRun: false, now: Self.opened, source: "t").replaced == 3)
        let report = try db.cycleReport(.period(try Period(parsing: "2025-Q1")), unit: nil)
        let dlhk = try #require(report.units.first { $0.unit == "DLHK" })
        // (4 + 2 + 3) × 9 answers / 27 × 25 = 75.0: pooled over 2025-Q1 and the month 2025-01 inside it.
        #expect(dlhk.ikm?.respondents == 3 && abs(dlhk.ikm!.ikm - 75) < 1e-9 && dlhk.ikm?.mutu == .c)
        #expect(dlhk.employees == 5)

        let training = "nip,course,date,hours\n\(Self.nip(2)),Bimtek SAKIP,2025-02-01,8\n\(Self.nip(3)),Latsar,2025-02-02,2,5\n"
        let (tmap, trecs) = try records(training.replacingOccurrences(of: ",2,5", with: ",\"2,5\""), TrainingImport.schema)
        var tacc = TrainingImport.Accumulator(columns: tmap, knownEmployees: Set((1...5).map(Self.nip)))
        tacc.add(trecs)
        #expect(try db.importTraining(tacc, dryRun: false, now: Self.opened, source: "t").added == 2)
        let second = try db.importTraining(tacc, dryRun: false, now: Self.opened, source: "t")
        #expect(second.added == 0 && second.replaced == 2)
        #expect(try db.training(of: Self.nip(3)).first?.hours == 2.5)
    }
}
