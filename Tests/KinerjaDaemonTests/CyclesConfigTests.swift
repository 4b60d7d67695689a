import Foundation
import KinerjaDomain
import Testing
@testable import KinerjaDaemon

/// `cycles:`, `results:` and `imports:`: values read, defaults documented in the
/// reference file, bad values named by key path.
@Suite("Configuration: cycles, results, imports")
struct CyclesConfigTests {
    func problems(_ yaml: String) -> [ConfigProblem] {
        do {
            _ = try DaemonConfig.parse(yaml: yaml, file: "/etc/kinerjad/test.yaml")
            return []
        } catch {
            return error.problems
        }
    }

    @Test("every key is read")
    func values() throws {
        let c = try DaemonConfig.parse(yaml: """
            cycles:
              kinds: [monthly, annual]
              due_after: 2d 12h
              rekan_per_subject: 2
              rekan_cap_per_reviewer: 5
              rekan_seed: 99
              rekan_level_window: 3
              required_roles: [atasan, self]
              time_zone: Asia/Makassar
            results:
              weights: {self: 0, atasan: 1, rekan: 1, bawahan: 0}
              thresholds: {di_atas_from: 4.5, sesuai_from: 3.25}
              anonymity_minimum: 4
              distribution:
                organisation_predikat: istimewa
                unit_predikat: {DPMPTSP: kurang}
                minimum_unit_size: 5
                caps:
                  istimewa: {sangat_baik: 0.3, baik: 0.6}
            imports:
              problem_cap: 20
              max_records: 5000
              max_staged: 2
              staging_timeout: 30s
              max_deactivate_share: 0.1
            """, file: "/x.yaml")
        #expect(c.cycles.kinds == [.monthly, .annual])
        #expect(c.cycles.dueAfter == .seconds(60 * 3600))
        #expect(c.cycles.assignmentPolicy == AssignmentPolicy(rekanPerSubject: 2, rekanCapPerReviewer: 5, seed: 99,
                                                                  dueAfter: .seconds(60 * 3600), rekanLevelWindow: 3))
        #expect(c.cycles.requiredRoles == [.atasan, .selfAssessment])
        #expect(c.cycles.zone.identifier == "Asia/Makassar")
        #expect(c.results.policy == ResultPolicy(weights: RoleWeights(selfAssessment: 0, atasan: 1, rekan: 1, bawahan: 0),
                                                  thresholds: PerilakuThresholds(diAtasFrom: 4.5, sesuaiFrom: 3.25),
                                                  anonymityMinimum: 4))
        #expect(c.results.organisation(of: "DPMPTSP") == .kurang && c.results.organisation(of: "dpmptsp") == .kurang)
        #expect(c.results.organisation(of: "DLHK") == .istimewa)
        #expect(c.results.caps.caps(for: .istimewa) == [.sangatBaik: 0.3, .baik: 0.6])
        #expect(c.results.caps.caps(for: .baik) == DaemonConfig.Results.defaultCaps.caps(for: .baik))
        #expect(c.imports == DaemonConfig.Imports(problemCap: 20, maxRecords: 5000, maxStaged: 2, stagingTimeout: .seconds(30),
                                                  maxDeactivateShare: 0.1))
    }

    @Test("appraisers outside the employee file: by NIP or by number, whom they appraise, problems by key path")
    func appraisers() throws {
        let c = try DaemonConfig.parse(yaml: """
            appraisers:
              walikota:
                number: 1
                nama: Muhammad Farhan
                jabatan: Wali Kota Bandung
                email: walikota@bandung.go.id
                unit_heads_of: [SETDA]
              sekda:
                nip: "196805121994031001"
                nama: Ema Sumarna
                jabatan: Sekretaris Daerah
                appraises: ["196912311995031024"]
            """, file: "/x.yaml")
        #expect(c.appraisers.map(\.nip.description) == ["000000000000000001", "196805121994031001"])
        #expect(c.appraisers[0].unitHeadsOf == ["setda"] && c.appraisers[0].email == "walikota@bandung.go.id")
        #expect(c.appraisers[1].subjects == [NIP("196912311995031024")!] && c.appraisers[1].email == nil)
        let bad = problems("""
            appraisers:
              a: {nama: A, jabatan: B, appraises: ["196912311995031024"]}
              b: {nip: "196805121994031001", number: 2, nama: A, jabatan: B, unit_heads_of: [X]}
              c: {number: 1000, nama: A, jabatan: B, unit_heads_of: [X]}
              d: {number: 3, nama: A, jabatan: B}
              e: {nip: "000000000000000004", nama: A, jabatan: B, unit_heads_of: [X]}
            """)
        let paths = bad.map(\.keyPath)
        #expect(paths.contains("appraisers.a") && paths.contains("appraisers.b.number") && paths.contains("appraisers.c.number"))
        #expect(paths.contains("appraisers.d") && paths.contains("appraisers.e.nip"), "\(bad)")
    }

    @Test("the reference file documents every key of these sections with its default")
    func referenceDocumentsKeys() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("config/kinerjad.yaml"), encoding: .utf8)
        for key in ["cycles:", "kinds:", "due_after:", "rekan_per_subject:", "rekan_cap_per_reviewer:", "rekan_seed:",
                    "required_roles:", "time_zone:", "results:", "weights:", "thresholds:", "di_atas_from:", "sesuai_from:",
                    "anonymity_minimum:", "distribution:", "organisation_predikat:", "unit_predikat:", "minimum_unit_size:",
                    "caps:", "imports:", "problem_cap:", "max_records:", "max_staged:", "staging_timeout:",
                    "rekan_level_window:", "max_deactivate_share:", "appraisers:"] {
            #expect(text.contains(key), "\(key) is not in config/kinerjad.yaml")
        }
        // The admin guide explains these settings where it explains cycles, imports and results.
        let guide = try String(contentsOf: root.appendingPathComponent("docs/admin-guide.md"), encoding: .utf8)
        for key in ["cycles.kinds", "cycles.due_after", "results.anonymity_minimum", "imports.problem_cap", "results.distribution.caps",
                    "cycles.rekan_level_window", "imports.max_deactivate_share", "appraisers:"] {
            #expect(guide.contains(key), "\(key) is not in docs/admin-guide.md")
        }
    }

    @Test("bad values are named by key path", arguments: [
        ("cycles:\n  kinds: [weekly]\n", "cycles.kinds[0]"),
        ("cycles:\n  kinds: []\n", "cycles.kinds"),
        ("cycles:\n  due_after: soon\n", "cycles.due_after"),
        ("cycles:\n  rekan_per_subject: 5\n  rekan_cap_per_reviewer: 4\n", "cycles.rekan_cap_per_reviewer"),
        ("cycles:\n  required_roles: [masyarakat]\n", "cycles.required_roles[0]"),
        ("cycles:\n  time_zone: Mars/Olympus\n", "cycles.time_zone"),
        ("results:\n  weights: {self: 0, atasan: 0, rekan: 0, bawahan: 0}\n", "results.weights"),
        ("results:\n  weights: {boss: 1}\n", "results.weights.boss"),
        ("results:\n  thresholds: {di_atas_from: 3, sesuai_from: 4}\n", "results.thresholds"),
        ("results:\n  distribution:\n    organisation_predikat: great\n", "results.distribution.organisation_predikat"),
        ("results:\n  distribution:\n    unit_predikat: {DLHK: great}\n", "results.distribution.unit_predikat.DLHK"),
        ("results:\n  distribution:\n    caps:\n      baik: {luar_biasa: 0.1}\n", "results.distribution.caps.baik.luar_biasa"),
        ("results:\n  distribution:\n    caps:\n      baik: {sangat_baik: 1.5}\n", "results.distribution.caps.baik.sangat_baik"),
        ("results:\n  distribution:\n    caps:\n      excellent: {}\n", "results.distribution.caps.excellent"),
        ("imports:\n  problem_cap: 0\n", "imports.problem_cap"),
    ])
    func badValues(yaml: String, keyPath: String) {
        let p = problems(yaml)
        #expect(p.contains { $0.keyPath == keyPath }, "\(p)")
    }
}
