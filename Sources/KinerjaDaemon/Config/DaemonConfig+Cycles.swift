import Foundation
import KinerjaDomain

extension DaemonConfig {
    /// `cycles:` — which evaluation periods run and how assignments are made.
    public struct Cycles: Sendable, Equatable {
        /// Period kinds that may be opened (by command or schedule): monthly, quarterly, semester, annual.
        public var kinds: [PeriodKind] = [.quarterly, .annual]
        /// From opening a cycle to the due date of its assignments (systemd time span).
        public var dueAfter: Duration = .seconds(14 * 86_400)
        /// A due date on a weekend or a holiday (the reminders' working weekdays and holiday list)
        /// moves to the next working day, same time of day.
        public var dueOnWorkingDay = true
        /// The `cycle-close` job closes an open cycle once its due date plus this has passed (forced,
        /// with the reason recorded, when required reviews are still open).
        public var closeGrace: Duration = .seconds(7 * 86_400)
        /// Peers (rekan) per subject; 0 disables peer review.
        public var rekanPerSubject = 3
        /// Most rekan reviews one reviewer gets in a cycle.
        public var rekanCapPerReviewer = 4
        /// Seed of the deterministic peer choice (mixed with the period and unit).
        public var rekanSeed: UInt64 = 0
        /// Peers are first sought at most this many kelas jabatan apart.
        public var rekanLevelWindow = 2
        /// Roles whose open assignments stop `cycles close` (unless forced with a reason).
        public var requiredRoles: [ReviewerRole] = [.atasan]
        /// Zone of times written without an offset in import files, and of times shown.
        public var timeZone = "Asia/Jakarta"

        /// The assignment policy these settings make.
        public var assignmentPolicy: AssignmentPolicy {
            AssignmentPolicy(rekanPerSubject: rekanPerSubject, rekanCapPerReviewer: rekanCapPerReviewer,
                             seed: rekanSeed, dueAfter: dueAfter, rekanLevelWindow: rekanLevelWindow)
        }

        /// The configured zone (validated when the file is read).
        public var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")! }
    }

    /// `results:` — how results are computed at close and how the distribution is checked.
    public struct Results: Sendable, Equatable {
        public var weights = RoleWeights()
        public var thresholds = PerilakuThresholds()
        /// Rekan and bawahan aggregates of fewer reviewers are hidden and not used.
        public var anonymityMinimum = 3
        /// The organisation's own predikat (predikat kinerja organisasi), which selects the caps.
        public var organisationPredikat: OrganisationPredikat = .baik
        /// Units whose own predikat differs from `organisationPredikat`, by unit code.
        public var unitPredikat: [String: OrganisationPredikat] = [:]
        /// Units with fewer rated employees are not checked against the caps.
        public var minimumUnitSize = 10
        /// Largest share of each employee predikat per organisation predikat.
        public var caps = Results.defaultCaps

        /// A conservative starting point, to be set from the organisation's own policy (SE MenPANRB
        /// 3/2023 lets the caps follow the organisation's predikat); not quoted from the regulation.
        public static let defaultCaps = DistributionCaps([
            .istimewa: [.sangatBaik: 0.20],
            .baik: [.sangatBaik: 0.10],
            .butuhPerbaikan: [.sangatBaik: 0.05, .baik: 0.70],
            .kurang: [.sangatBaik: 0.02, .baik: 0.50],
            .sangatKurang: [.sangatBaik: 0.01, .baik: 0.30],
        ])

        public var policy: ResultPolicy {
            ResultPolicy(weights: weights, thresholds: thresholds, anonymityMinimum: anonymityMinimum)
        }

        /// The predikat of the organisation a unit belongs to (its own entry, else the default).
        public func organisation(of unit: String) -> OrganisationPredikat {
            unitPredikat[unit] ?? unitPredikat.first { $0.key.lowercased() == unit.lowercased() }?.value ?? organisationPredikat
        }
    }

    /// `imports:` — limits of streamed imports.
    public struct Imports: Sendable, Equatable {
        /// Problems reported per import (the count of all is always given).
        public var problemCap = 100
        /// Records one import may have.
        public var maxRecords = 1_000_000
        /// Imports staged at once (each holds its records in memory until committed).
        public var maxStaged = 4
        /// A staged import untouched for this long is dropped.
        public var stagingTimeout: Duration = .seconds(600)
        /// An employee import that would deactivate more than this share of the active employees it
        /// covers is refused unless the admin names the count (`--allow-deactivate N`).
        public var maxDeactivateShare = 0.05
    }

    mutating func readCycles(from root: ConfigReader) {
        let c = root.section("cycles")
        let kindChoices = PeriodKind.allCases.map { ($0.rawValue, $0) }
        cycles.kinds = c.list("kinds", default: cycles.kinds, expected: "one of monthly, quarterly, semester, annual") { text in
            kindChoices.first { $0.0 == text.lowercased() }?.1
        }
        if cycles.kinds.isEmpty { c.problem("kinds", "at least one period kind is needed") }
        cycles.dueAfter = c.duration("due_after", default: cycles.dueAfter)
        cycles.dueOnWorkingDay = c.bool("due_on_working_day", default: cycles.dueOnWorkingDay)
        cycles.closeGrace = c.duration("close_grace", default: cycles.closeGrace)
        cycles.rekanPerSubject = c.int("rekan_per_subject", default: cycles.rekanPerSubject, range: 0...20)
        cycles.rekanCapPerReviewer = c.int("rekan_cap_per_reviewer", default: cycles.rekanCapPerReviewer, range: 1...50)
        cycles.rekanSeed = UInt64(c.int("rekan_seed", default: Int(cycles.rekanSeed), range: 0...Int(Int32.max)))
        cycles.rekanLevelWindow = c.int("rekan_level_window", default: cycles.rekanLevelWindow, range: 0...16)
        if cycles.rekanPerSubject > cycles.rekanCapPerReviewer {
            c.problem("rekan_cap_per_reviewer",
                      "must be at least rekan_per_subject (\(cycles.rekanPerSubject)), or peers run short in every unit")
        }
        cycles.requiredRoles = c.list("required_roles", default: cycles.requiredRoles,
                                      expected: "one of self, atasan, rekan, bawahan") { ReviewerRole(parsing: $0) }
        cycles.timeZone = c.value("time_zone", default: cycles.timeZone, expected: "an IANA time zone such as Asia/Jakarta") { text in
            TimeZone(identifier: text) != nil ? text : nil
        }

        let r = root.section("results")
        let w = r.section("weights")
        results.weights = RoleWeights(
            selfAssessment: w.double("self", default: results.weights.selfAssessment, range: 0...100),
            atasan: w.double("atasan", default: results.weights.atasan, range: 0...100),
            rekan: w.double("rekan", default: results.weights.rekan, range: 0...100),
            bawahan: w.double("bawahan", default: results.weights.bawahan, range: 0...100))
        for problem in results.weights.problems { r.problem("weights", problem) }
        let t = r.section("thresholds")
        results.thresholds = PerilakuThresholds(
            diAtasFrom: t.double("di_atas_from", default: results.thresholds.diAtasFrom, range: 1...5),
            sesuaiFrom: t.double("sesuai_from", default: results.thresholds.sesuaiFrom, range: 1...5))
        for problem in results.thresholds.problems { r.problem("thresholds", problem) }
        results.anonymityMinimum = r.int("anonymity_minimum", default: results.anonymityMinimum, range: 1...20)

        let d = r.section("distribution")
        let orgChoices = OrganisationPredikat.allCases.map { ($0.rawValue, $0) }
        results.organisationPredikat = d.choice("organisation_predikat", default: results.organisationPredikat, orgChoices)
        if let entries = d.entries("unit_predikat") {
            var map: [String: OrganisationPredikat] = [:]
            for entry in entries {
                if let p = orgChoices.first(where: { $0.0 == entry.value.lowercased() })?.1 {
                    map[entry.key] = p
                } else {
                    d.sink.add("invalid value \"\(entry.value)\": expected one of \(orgChoices.map(\.0).joined(separator: ", "))",
                               keyPath: d.keyPath("unit_predikat") + "." + entry.key, mark: entry.mark)
                }
            }
            results.unitPredikat = map
        }
        results.minimumUnitSize = d.int("minimum_unit_size", default: results.minimumUnitSize, range: 1...100_000)
        let capsReader = d.section("caps")
        var table = results.caps.table
        let predikatChoices = Predikat.allCases.map { ($0.rawValue, $0) }
        for org in OrganisationPredikat.allCases {
            guard let entries = capsReader.entries(org.rawValue) else { continue }
            var row: [Predikat: Double] = [:]
            for entry in entries {
                let keyPath = capsReader.keyPath(org.rawValue) + "." + entry.key
                guard let p = predikatChoices.first(where: { $0.0 == entry.key })?.1 else {
                    capsReader.sink.add("unknown predikat (known: \(predikatChoices.map(\.0).joined(separator: ", ")))",
                                        keyPath: keyPath, mark: entry.mark)
                    continue
                }
                guard let v = Double(entry.value), v.isFinite, (0...1).contains(v) else {
                    capsReader.sink.add("invalid value \"\(entry.value)\": expected a share from 0 to 1 (0.2 = 20 %)",
                                        keyPath: keyPath, mark: entry.mark)
                    continue
                }
                row[p] = v
            }
            table[org] = row
        }
        results.caps = DistributionCaps(table)

        let i = root.section("imports")
        imports.problemCap = i.int("problem_cap", default: imports.problemCap, range: 1...10_000)
        imports.maxRecords = i.int("max_records", default: imports.maxRecords, range: 1...10_000_000)
        imports.maxStaged = i.int("max_staged", default: imports.maxStaged, range: 1...64)
        imports.stagingTimeout = i.duration("staging_timeout", default: imports.stagingTimeout)
        imports.maxDeactivateShare = i.double("max_deactivate_share", default: imports.maxDeactivateShare, range: 0...1)
    }
}
