import Foundation
import Testing
import KinerjaDemo
@testable import KinerjaDomain
import KinerjaStore

/// The demo generator: deterministic, importable, and with its planted patterns exact
/// (`planted.csv`; the low-motivation flag rules are checked against it).
@Suite("Demo data generator")
struct DemoGeneratorTests {
    static let spec = DemoSpec(employees: 400, periods: 4, seed: 11, firstPeriod: try! Period(parsing: "2025-Q1"))

    /// Every period's reviews, and the generator after it (training known).
    static func generate(_ spec: DemoSpec = spec) throws -> (DemoGenerator, [DemoPeriod]) {
        var g = try DemoGenerator(spec)
        let periods = (0..<spec.periods).map { g.period($0) }
        return (g, periods)
    }

    @Test("the same spec gives the same files; another seed gives others")
    func deterministic() throws {
        let (a, pa) = try Self.generate()
        let (b, pb) = try Self.generate()
        #expect(DemoCSV.employees(a.employees) == DemoCSV.employees(b.employees))
        #expect(DemoCSV.reviews(pa[2].reviews, timeZone: Self.spec.timeZone) == DemoCSV.reviews(pb[2].reviews, timeZone: Self.spec.timeZone))
        #expect(DemoCSV.skm(pa[1].skm) == DemoCSV.skm(pb[1].skm))
        #expect(DemoCSV.training(a.training()) == DemoCSV.training(b.training()))
        #expect(DemoCSV.planted(a.planted) == DemoCSV.planted(b.planted))
        #expect(DemoCSV.followups(a) == DemoCSV.followups(b))
        var other = Self.spec
        other.seed = 12
        let (c, _) = try Self.generate(other)
        #expect(DemoCSV.employees(c.employees) != DemoCSV.employees(a.employees))
    }

    /// The generator's employee file imported the daemon's way (staged, checked and merged by the store)
    /// after `units`: the stored employees in file order.
    static func importEmployees(_ g: DemoGenerator, units: [KinerjaDomain.Unit]) throws -> [Employee] {
        let db = try AppDatabase.inMemory()
        var unitFile = UnitImport.Accumulator(columns: CSVColumnMap(canonical: UnitImport.schema))
        unitFile.add(units.enumerated().map { CSVRecord(line: $0 + 2, fields: [$1.code, $1.name, ""]) })
        let now = Date(timeIntervalSince1970: 1_735_689_600)
        _ = try db.importUnits(unitFile, dryRun: false, now: now, source: "test")
        let document = try CSVParser.parse(DemoCSV.employees(g.employees))
        let staged = try EmployeeSpool(columns: try EmployeeImport.schema.bind(header: document.header).get())
        staged.add(document.records)
        _ = try db.importEmployees(staged, dryRun: false, now: now, source: "test")
        return try g.employees.map { try #require(try db.employee($0.nip)) }
    }

    @Test("every file passes its importer; NIPs are valid and unique; the org has no loop")
    func filesImport() throws {
        let (g, periods) = try Self.generate()
        let units = try #require(try? UnitImport.validate(csv: DemoCSV.units(g.units)).get())
        #expect(units.count == g.units.count)
        let employees = try Self.importEmployees(g, units: units)
        #expect(employees.count == 400)
        #expect(Set(g.employees.map(\.nip)).count == 400)
        #expect(OrgTree(employees: g.employees).loops().isEmpty)
        for p in periods {
            let reviews = try ReviewImport.validate(csv: DemoCSV.reviews(p.reviews, timeZone: Self.spec.timeZone),
                                                    timeZone: Self.spec.timeZone).get()
            #expect(reviews.count == p.reviews.count)
            #expect(reviews.allSatisfy { $0.submittedAt != nil && $0.submittedAt! >= p.openedAt && $0.submittedAt! < p.closeAt })
            let skm = try SKMImport.validate(csv: DemoCSV.skm(p.skm), knownUnits: g.units.map(\.code)).get()
            #expect(skm.count == p.skm.count)
        }
        let training = try TrainingImport.validate(csv: DemoCSV.training(g.training()), knownEmployees: Set(g.employees.map(\.nip))).get()
        #expect(!training.isEmpty)
    }

    @Test("the employee file carries the rank columns: the importer reads a jenis jabatan for everyone, staff share their supervisor's sub-unit")
    func ranksImport() throws {
        let (g, _) = try Self.generate()
        let units = try #require(try? UnitImport.validate(csv: DemoCSV.units(g.units)).get())
        let employees = try Self.importEmployees(g, units: units)
        let byNIP = Dictionary(uniqueKeysWithValues: employees.map { ($0.nip, $0) })
        #expect(employees.allSatisfy { $0.rank.jenisJabatan != nil && $0.rank.level != nil })
        // The Sekda II.a, unit heads II.b, sekretaris III.a, kepala bidang III.b, kepala seksi IV.a: all struktural.
        #expect(employees.filter { $0.rank.eselon != nil }.allSatisfy { $0.rank.jenisJabatan == .struktural })
        #expect(employees.filter { $0.rank.eselon == .iiA }.map(\.jabatan) == ["Sekretaris Daerah"])
        // Below a sekretaris or kepala bidang, everyone is in their supervisor's sub-unit; sub-units repeat
        // inside a unit, so peers can be drawn from one.
        let staff = employees.filter { e in e.supervisor.flatMap { byNIP[$0]?.rank.subUnit } != nil }
        #expect(!staff.isEmpty && staff.allSatisfy { $0.rank.subUnit == byNIP[$0.supervisor!]!.rank.subUnit })
        #expect(Set(staff.map { $0.unit + "/" + ($0.rank.subUnit ?? "") }).count < staff.count / 3)
        #expect(employees.contains { $0.rank.jenisJabatan == .fungsional } && employees.contains { $0.rank.jenisJabatan == .pelaksana })
    }

    @Test("planted cases: every pattern, disjoint, listed once, sorted")
    func plantedList() throws {
        let (g, _) = try Self.generate()
        for pattern in DemoPattern.allCases {
            #expect(g.planted.filter { $0.pattern == pattern }.count == 4, "\(pattern)")
        }
        #expect(Set(g.planted.map(\.nip)).count == g.planted.count)
        let csv = DemoCSV.planted(g.planted)
        #expect(csv.hasPrefix("nip,rule\n"))
        #expect(csv.split(separator: "\n").count == g.planted.count + 1)
    }

    /// Per subject and period: the role means and who is late/missing, from the generated reviews.
    struct Facts {
        var roleSums: [ReviewerRole: [Int]] = [:]
        var selfLateOrMissing = true
    }

    static func facts(_ periods: [DemoPeriod], generator g: DemoGenerator) -> [[NIP: Facts]] {
        periods.map { p in
            var result: [NIP: Facts] = [:]
            for r in p.reviews {
                result[r.key.subject, default: Facts()].roleSums[r.key.role, default: []].append(r.scores.total)
                if r.key.role == .selfAssessment { result[r.key.subject]!.selfLateOrMissing = r.submittedAt > p.dueAt }
            }
            return result
        }
    }

    @Test("unplanted employees: the same level from every role in every period, self on time")
    func unplantedAreSteady() throws {
        let (g, periods) = try Self.generate()
        let planted = Set(g.planted.filter { $0.pattern != .perfunctoryReviewer }.map(\.nip)).union(g.followups.map(\.nip))
        let facts = Self.facts(periods, generator: g)
        for e in g.employees where e.aktif && !planted.contains(e.nip) {
            var levels = Set<Int>()
            for f in facts { for sums in f[e.nip]?.roleSums.values ?? [:].values { levels.formUnion(sums) } }
            #expect(levels.count == 1, "\(e.nip): \(levels)")
            #expect(facts.allSatisfy { $0[e.nip]?.selfLateOrMissing == false }, "\(e.nip) self late")
        }
    }

    @Test("planted subjects show their pattern clearly")
    func plantedPatterns() throws {
        let (g, periods) = try Self.generate()
        let facts = Self.facts(periods, generator: g)
        func mean(_ f: Facts?, _ role: ReviewerRole) -> Double? {
            guard let sums = f?.roleSums[role], !sums.isEmpty else { return nil }
            return Double(sums.reduce(0, +)) / Double(7 * sums.count)
        }
        for c in g.planted {
            switch c.pattern {
            case .decliningTrend:
                let means = facts.map { mean($0[c.nip], .atasan)! }
                for (a, b) in zip(means, means.dropFirst()) { #expect(a - b >= 0.5, "\(c.nip) \(means)") }
                // Peer feedback stays: the decline is not also a feedback_drop.
                #expect(Set(facts.compactMap { mean($0[c.nip], .rekan) }).count <= 1)
            case .recognitionGap:
                for f in facts { #expect(mean(f[c.nip], .selfAssessment)! - mean(f[c.nip], .atasan)! >= 1.0) }
            case .disengaged:
                #expect(facts.allSatisfy { $0[c.nip]?.selfLateOrMissing ?? true })
                #expect(facts.contains { $0[c.nip]?.roleSums[.selfAssessment] == nil }, "some self-assessments missing")
            case .feedbackDrop:
                let before = facts[facts.count - 2][c.nip], last = facts[facts.count - 1][c.nip]
                #expect(before?.roleSums[.rekan]?.count ?? 0 >= 3 && last?.roleSums[.rekan]?.count ?? 0 >= 3)
                #expect(mean(before, .rekan)! - mean(last, .rekan)! >= 1.0)
                #expect(mean(before, .atasan) == mean(last, .atasan))
            case .stalledDevelopment:
                for p in periods {
                    let atasan = p.reviews.first { $0.key.subject == c.nip && $0.key.role == .atasan }
                    #expect(atasan?.hasilKerja == .diBawah)
                }
            case .perfunctoryReviewer:
                let theirs = periods.flatMap(\.reviews).filter { $0.key.reviewer == c.nip }
                #expect(theirs.filter { $0.key.role != .selfAssessment }.count >= 6)
                #expect(theirs.allSatisfy { $0.scores.isUniform && $0.comment == nil })
            }
        }
    }

    @Test("no unplanted reviewer looks perfunctory: never uniform, a comment on someone else every period")
    func reviewersComment() throws {
        let (g, periods) = try Self.generate()
        let perfunctory = Set(g.planted.filter { $0.pattern == .perfunctoryReviewer }.map(\.nip))
        for p in periods {
            var others: [NIP: (reviews: Int, comments: Int)] = [:]
            for r in p.reviews where !perfunctory.contains(r.key.reviewer) {
                #expect(!r.scores.isUniform)
                guard r.key.role != .selfAssessment else { continue }
                others[r.key.reviewer, default: (0, 0)].reviews += 1
                if r.comment != nil { others[r.key.reviewer]!.comments += 1 }
            }
            #expect(others.values.allSatisfy { $0.comments >= 1 })
        }
    }

    @Test("training: none for stalled_development; in the period for everyone else with a low predikat in it")
    func training() throws {
        let (g, periods) = try Self.generate()
        let records = g.training()
        let stalled = Set(g.planted.filter { $0.pattern == .stalledDevelopment }.map(\.nip))
        #expect(records.allSatisfy { !stalled.contains($0.nip) })
        // The follow-ups' stalled development: no training until a dialog agrees one (checked in followups()).
        let stalledFollowups = Set(g.followups.filter { $0.pattern == .stalledDevelopment }.map(\.nip))
        // Low predikat, recomputed from the reviews with the spec's result policy.
        for p in periods {
            let end = p.period.end
            var bySubject: [NIP: [DemoReview]] = [:]
            for r in p.reviews { bySubject[r.key.subject, default: []].append(r) }
            for (nip, reviews) in bySubject where !stalled.contains(nip) && !stalledFollowups.contains(nip) {
                let result = PerformanceEvaluation.evaluate(
                    subject: nip, reviews: reviews.map { RoleScores(role: $0.key.role, scores: $0.scores) },
                    hasilKerja: reviews.first { $0.key.role == .atasan }?.hasilKerja, policy: Self.spec.resultPolicy)
                guard let predikat = result.predikat, predikat < .baik else { continue }
                #expect(records.contains { $0.nip == nip && $0.date <= end && $0.date > end.adding(days: -60) },
                        "\(nip) \(predikat) in \(p.period) without recent training")
            }
        }
    }

    @Test("follow-ups: the planned shares, apart from the planted cases, the pattern until the recovery, training after the dialog")
    func followups() throws {
        let (g, periods) = try Self.generate()
        let zone = Self.spec.timeZone
        // 12 % of 400; the fixed cycle of 20 gives 14 held and 6 never held per 20.
        #expect(g.followups.count == 48)
        #expect(Set(g.followups.map(\.nip)).isDisjoint(with: g.planted.map(\.nip)))
        #expect(Set(g.followups.map(\.nip)).count == g.followups.count)
        let held = g.followups.filter { $0.action != nil }, never = g.followups.filter { $0.action == nil }
        #expect(held.count > 2 * never.count && !never.isEmpty)
        #expect(held.allSatisfy { ($0.heldAfterDays ?? -1) >= 2 && ($0.heldAfterDays ?? 99) <= 34 })
        #expect(held.contains { $0.heldAfterDays! > 14 } && held.contains { $0.heldAfterDays! <= 14 }, "on time and late")
        #expect(Set(held.compactMap(\.action)) == Set(FollowupAgreedAction.allCases))
        func share(_ list: [DemoFollowupCase]) -> Double { Double(list.filter { $0.recoversFrom != nil }.count) / Double(list.count) }
        #expect(share(held) >= 0.6 && share(never) <= 0.25, "held \(share(held)), never held \(share(never))")
        #expect(Set(g.followups.map(\.pattern)) == [.recognitionGap, .stalledDevelopment])
        // Half of them in the largest unit, so that its cells of the report are shown.
        let unitOf = Dictionary(uniqueKeysWithValues: g.employees.map { ($0.nip, $0.unit) })
        let byUnit = Dictionary(grouping: g.followups, by: { unitOf[$0.nip]! })
        #expect(byUnit.values.map(\.count).max() ?? 0 >= 20)

        let facts = Self.facts(periods, generator: g)
        func mean(_ t: Int, _ nip: NIP, _ role: ReviewerRole) -> Double {
            let sums = facts[t][nip]?.roleSums[role] ?? []
            return Double(sums.reduce(0, +)) / Double(7 * max(1, sums.count))
        }
        func hasil(_ t: Int, _ nip: NIP) -> Rating? {
            periods[t].reviews.first { $0.key.subject == nip && $0.key.role == .atasan }?.hasilKerja
        }
        let records = g.training()
        for f in g.followups {
            #expect(f.taskPeriod == 1)
            for t in periods.indices {
                let recovered = f.recoversFrom.map { t >= $0 } ?? false
                switch f.pattern {
                case .recognitionGap:
                    let gap = mean(t, f.nip, .selfAssessment) - mean(t, f.nip, .atasan)
                    #expect(recovered ? gap < 0.75 : gap >= 1.0, "\(f.nip) period \(t): gap \(gap)")
                case .stalledDevelopment:
                    #expect(hasil(t, f.nip) == (recovered ? .sesuai : .diBawah), "\(f.nip) period \(t)")
                default:
                    Issue.record("unexpected pattern \(f)")
                }
            }
            if let r = f.recoversFrom {
                #expect(mean(r, f.nip, .atasan) > mean(r - 1, f.nip, .atasan), "\(f.nip): better scores from the recovery")
                if f.pattern == .recognitionGap, r + 1 < periods.count {
                    #expect(mean(r + 1, f.nip, .atasan) > mean(r, f.nip, .atasan), "\(f.nip): the gap closes a period later")
                }
            }
            guard f.pattern == .stalledDevelopment else { continue }
            let created = CalendarDate(try #require(g.closeAt(period: f.taskPeriod)), in: zone)
            let theirs = records.filter { $0.nip == f.nip }
            if f.action == .training, let r = f.recoversFrom {
                let heldOn = try #require(f.heldOn(createdOn: created))
                #expect(theirs.count == 1 && theirs.allSatisfy { $0.date > heldOn && $0.date <= periods[r].period.end }, "\(f.nip): \(theirs)")
            } else {
                #expect(theirs.isEmpty, "\(f.nip): \(theirs)")
            }
        }
        // followups.csv: a line each, dated at the second period's close.
        let csv = DemoCSV.followups(g).split(separator: "\n")
        #expect(csv.first == Substring(DemoCSV.followupHeader) && csv.count == g.followups.count + 1)
        let createdOn = CalendarDate(periods[1].closeAt, in: zone).description
        #expect(csv.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false)[3] == Substring(createdOn) })
    }

    @Test("no follow-ups with fewer than three periods (no period to recover in)")
    func noFollowupsInShortDataSets() throws {
        var spec = Self.spec
        spec.periods = 2
        #expect(try DemoGenerator(spec).followups.isEmpty)
    }

    @Test("a spec out of range is refused with the reason")
    func badSpec() {
        #expect(throws: DemoSpecError.self) {
            _ = try DemoGenerator(DemoSpec(employees: 5, periods: 1, seed: 1, firstPeriod: try Period(parsing: "2025")))
        }
    }
}
