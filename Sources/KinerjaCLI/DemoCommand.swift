import ArgumentParser
import Foundation
import KinerjaDemo
import KinerjaDomain
import KinerjaSchedule
import Varlink

/// `kinerjactl demo generate|load`: a synthetic Bandung-like data set and its replay through the
/// daemon's real paths.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Generate a synthetic data set, and load one into the daemon.",
        subcommands: [Generate.self, Load.self])

    /// What `demo generate` writes beside the CSV files, for `demo load`.
    struct Manifest: Codable {
        struct PeriodEntry: Codable {
            var period: String
            var openedAt: String
            var closeAt: String
            var assignments: Int
            var reviews: Int
        }
        var employees: Int
        var seed: UInt64
        var rekanPerSubject: Int
        var rekanCapPerReviewer: Int
        var rekanSeed: UInt64
        var dueAfterSeconds: Int64
        var timeZone: String
        var periods: [PeriodEntry]
        var planted: [String: Int]
    }

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a realistic synthetic data set as the CSV files the importers read.",
            discussion: """
                Writes units.csv, employees.csv, reviews-<period>.csv, skm-<period>.csv, training.csv,
                planted.csv (nip,rule: the motivation patterns planted on purpose), followups.csv (the
                follow-ups the second period's close creates, what their atasan records and who recovers
                afterwards; with three periods or more) and demo.json. The
                same options give the same files. The assignment options must match the daemon's
                cycles.* settings (the defaults do), because the review files name assignments by
                reviewer, subject and role. Periods default to the last quarters whose reviews are all in the
                past (the last one ended at least 40 days ago).
                Does not need the daemon.
                """)
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Option(name: .long, help: "Number of employees (20 to 1,000,000).") var employees: Int
        @Option(name: .long, help: "Number of periods.") var periods: Int = 4
        @Option(name: .long, help: "Seed of everything random.") var seed: UInt64 = 1
        @Option(name: .long, help: ArgumentHelp("Output directory (created).", valueName: "dir")) var out: String
        @Option(name: .customLong("first-period"), help: ArgumentHelp("First period, e.g. 2025-Q1; its kind is used for all.",
                                                                      valueName: "period"))
        var firstPeriod: String?
        @Option(name: .long, help: "Peers per subject (cycles.rekan_per_subject).") var rekan: Int = 3
        @Option(name: .customLong("rekan-cap"), help: "Most peer reviews per reviewer (cycles.rekan_cap_per_reviewer).")
        var rekanCap: Int = 4
        @Option(name: .customLong("rekan-seed"), help: "Peer choice seed (cycles.rekan_seed).") var rekanSeed: UInt64 = 0
        @Option(name: .customLong("due-after"), help: ArgumentHelp("Due after opening (cycles.due_after).", valueName: "span"))
        var dueAfter: String = "14d"
        @Option(name: .customLong("time-zone"), help: "Zone of the times written (cycles.time_zone).")
        var timeZone: String = "Asia/Jakarta"

        func spec() throws -> DemoSpec {
            guard let zone = TimeZone(identifier: timeZone) else { throw ValidationError("unknown time zone '\(timeZone)'") }
            guard let span = try? TimeSpan.parse(dueAfter), !span.isInfinite, span.microseconds > 0 else {
                throw ValidationError("--due-after '\(dueAfter)' is not a time span such as 14d or 36h")
            }
            let first: Period
            if let firstPeriod {
                do { first = try Period(parsing: firstPeriod) } catch { throw ValidationError("--first-period: \(error.message)") }
            } else {
                // The last quarter whose reviews (due 14 days after it ends, some up to 10 days late)
                // all lie in the past: the one before the quarter of 40 days ago.
                var p = Period.containing(CalendarDate(Date(), in: zone).adding(days: -40), kind: .quarterly)!.previous!
                for _ in 1..<max(1, periods) { p = p.previous! }
                first = p
            }
            let spec = DemoSpec(employees: employees, periods: periods, seed: seed, firstPeriod: first,
                                assignmentPolicy: AssignmentPolicy(rekanPerSubject: rekan, rekanCapPerReviewer: rekanCap, seed: rekanSeed,
                                                                   dueAfter: .microseconds(Int64(span.microseconds))),
                                timeZone: zone)
            if !spec.problems.isEmpty { throw ValidationError(spec.problems.joined(separator: "; ")) }
            return spec
        }

        func validate() throws { _ = try spec() }

        func run() async throws {
            try await runCommand {
                let spec = try spec()
                let progress = ProgressLine(options: global)
                let fm = FileManager.default
                do {
                    try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
                } catch {
                    throw CLIFailure(message: "kinerjactl: cannot create \(out): \(ImportUploader.reason(error))", status: CLIExit.varlinkError)
                }
                func write(_ name: String, _ text: String) throws {
                    do {
                        try text.write(toFile: (out as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
                    } catch {
                        throw CLIFailure(message: "kinerjactl: cannot write \(name) in \(out): \(ImportUploader.reason(error))",
                                         status: CLIExit.varlinkError)
                    }
                }
                progress.update("planning \(spec.periods) periods for \(spec.employees) employees", force: true)
                var generator: DemoGenerator
                do { generator = try DemoGenerator(spec) } catch { throw ValidationError("\(error)") }
                try write("units.csv", DemoCSV.units(generator.units))
                try write("employees.csv", DemoCSV.employees(generator.employees))
                var entries: [Manifest.PeriodEntry] = []
                for i in 0..<generator.periods.count {
                    progress.update("generating \(generator.periods[i].code)", force: true)
                    let p = generator.period(i)
                    try write("reviews-\(p.period.code).csv", DemoCSV.reviews(p.reviews, timeZone: spec.timeZone))
                    try write("skm-\(p.period.code).csv", DemoCSV.skm(p.skm))
                    entries.append(.init(period: p.period.code, openedAt: Timestamp.format(p.openedAt, in: spec.timeZone),
                                         closeAt: Timestamp.format(p.closeAt, in: spec.timeZone),
                                         assignments: p.assignmentCount, reviews: p.reviews.count))
                }
                try write("training.csv", DemoCSV.training(generator.training()))
                try write("planted.csv", DemoCSV.planted(generator.planted))
                try write("followups.csv", DemoCSV.followups(generator))
                var planted: [String: Int] = [:]
                for c in generator.planted { planted[c.pattern.rawValue, default: 0] += 1 }
                let comps = spec.assignmentPolicy.dueAfter.components
                let manifest = Manifest(employees: generator.employees.count, seed: spec.seed, rekanPerSubject: rekan,
                                        rekanCapPerReviewer: rekanCap, rekanSeed: rekanSeed, dueAfterSeconds: comps.seconds,
                                        timeZone: timeZone, periods: entries, planted: planted)
                let encoder = JSONEncoder()
                encoder.keyEncodingStrategy = .convertToSnakeCase
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try write("demo.json", String(decoding: try encoder.encode(manifest), as: UTF8.self) + "\n")
                progress.clear()
                let summary: JSONValue = try JSONValue(encoding: manifest, encoder: encoder)
                Output(options: global).emit(summary) {
                    print("Wrote \(out): \(generator.employees.count) employees in \(generator.units.count) units, "
                          + "\(entries.count) periods (\(entries.map(\.period).joined(separator: ", "))), "
                          + "\(entries.reduce(0) { $0 + $1.reviews }) reviews")
                    print("Planted: " + planted.keys.sorted().map { "\($0) \(planted[$0]!)" }.joined(separator: ", "))
                    let f = generator.followups
                    if !f.isEmpty {
                        let late = f.filter { ($0.heldAfterDays ?? 0) > 14 }.count, held = f.filter { $0.action != nil }.count
                        print("Follow-ups: \(f.count) (\(held - late) held on time, \(late) late, \(f.count - held) never held; "
                              + "\(f.filter { $0.recoversFrom != nil }.count) recover)")
                    }
                }
            }
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay a generated data set through the daemon: units, employees, then per period open, reviews, SKM, training, close.",
            discussion: """
                Every step goes through the same methods as the commands (import, cycles open, reviews
                import, cycles close, followups record). Each close is dated at the period's close in
                the data set, and so are the flags and follow-up tasks its analysis makes; after the close
                that creates the follow-ups of followups.csv, the load waits for their tasks and records
                the planned outcomes. A period whose cycle already exists is skipped. The daemon's
                cycles.* settings must match the data set's (demo.json), or the review files would not
                match the assignments; a mismatch stops the load with the difference.
                """)
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("A directory written by demo generate.", valueName: "dir")) var directory: String

        func run() async throws {
            try await runCommand {
                let path = { (name: String) in (directory as NSString).appendingPathComponent(name) }
                let manifest: Manifest
                do {
                    let decoder = JSONDecoder()
                    decoder.keyDecodingStrategy = .convertFromSnakeCase
                    manifest = try decoder.decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: path("demo.json"))))
                } catch {
                    throw CLIFailure(message: "kinerjactl: \(path("demo.json")) is missing or unreadable: \(error)", status: CLIExit.noInput)
                }
                let progress = ProgressLine(options: global)
                let uploader = ImportUploader(options: global, progress: progress)
                let connection = ControlConnection(options: global)
                var log: [JSONValue] = []
                func say(_ text: String) {
                    progress.clear()
                    Output(options: global).say(text)
                }
                for (kind, file) in [("units", "units.csv"), ("employees", "employees.csv")] {
                    let s = try await uploader.run(kind: kind, file: path(file), dryRun: false)
                    log.append(.object(s))
                    say(ImportUploader.describe(s, file: file))
                }
                let trainingDates = Self.trainingPeriods(manifest)
                let followupPlan = try Self.followupPlan(path("followups.csv"))
                let zone = TimeZone(identifier: manifest.timeZone) ?? TimeZone(identifier: "UTC")!
                let today = CalendarDate(Date(), in: zone).description
                for (index, entry) in manifest.periods.enumerated() {
                    progress.update("\(entry.period): opening the cycle", force: true)
                    let opened = try await connection.call("io.kinerjad.Admin.OpenCycle",
                                                           ["period": .string(entry.period), "opened_at": .string(entry.openedAt)])
                    let cycle = opened["cycle"] ?? .null
                    guard opened["created"]?.boolValue == true else {
                        say("\(entry.period): \(opened["message"]?.stringValue ?? "already exists"); skipped")
                        continue
                    }
                    try Self.checkPolicy(cycle, manifest)
                    say("\(entry.period): opened with \(cycle["assignments"]?.cellText ?? "?") assignments")
                    for (kind, file) in [("reviews", "reviews-\(entry.period).csv"), ("skm", "skm-\(entry.period).csv")] {
                        let s = try await uploader.run(kind: kind, file: path(file), cycle: kind == "reviews" ? entry.period : nil,
                                                       dryRun: false)
                        log.append(.object(s))
                        say("  " + ImportUploader.describe(s, file: file))
                    }
                    let window = trainingDates[index]
                    let s = try await uploader.run(kind: "training", file: path("training.csv"), dryRun: false) { record, header in
                        guard let column = header.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).lowercased() == "date" }),
                              column < record.fields.count else { return false }
                        let date = record.fields[column]
                        return date >= window.from && date <= window.to
                    }
                    log.append(.object(s))
                    say("  " + ImportUploader.describe(s, file: "training.csv (\(window.from) to \(window.to))"))
                    progress.update("\(entry.period): closing", force: true)
                    let closed = try await connection.call("io.kinerjad.Admin.CloseCycle",
                                                           ["cycle": .string(entry.period), "force": .bool(false),
                                                            "closed_at": .string(entry.closeAt)])
                    log.append(.object(closed))
                    say("  " + (closed["message"]?.stringValue ?? "closed"))
                    let planned = followupPlan.filter { $0.period == entry.period }
                    if !planned.isEmpty && closed["closed"]?.boolValue == true {
                        progress.update("\(entry.period): recording follow-up outcomes", force: true)
                        say("  " + (try await Self.recordFollowups(planned, connection: connection, today: today)).summary)
                    }
                }
                progress.clear()
                if global.json { print(JSONValue.array(log).serializedString(.init(sortedKeys: true, prettyPrinted: true))) }
            }
        }

        /// The training dates imported with each period: from the start (or the day after the previous
        /// period's end) to the period's end; the last period also takes anything later.
        static func trainingPeriods(_ manifest: Manifest) -> [(from: String, to: String)] {
            var result: [(String, String)] = []
            var from = "0000-00-00"
            for (i, entry) in manifest.periods.enumerated() {
                let period = try? Period(parsing: entry.period)
                let to = i == manifest.periods.count - 1 ? "9999-99-99" : (period?.end.description ?? "9999-99-99")
                result.append((from, to))
                from = period?.end.adding(days: 1).description ?? from
            }
            return result
        }

        static func checkPolicy(_ cycle: JSONValue, _ m: Manifest) throws {
            var differences: [String] = []
            func compare(_ key: String, _ expected: Int64) {
                let found = cycle[key]?.intValue ?? -1
                if found != expected { differences.append("\(key): daemon \(found), data set \(expected)") }
            }
            compare("rekan_per_subject", Int64(m.rekanPerSubject))
            compare("rekan_cap_per_reviewer", Int64(m.rekanCapPerReviewer))
            compare("rekan_seed", Int64(bitPattern: m.rekanSeed))
            let zone = TimeZone(identifier: m.timeZone) ?? TimeZone(identifier: "UTC")!
            // The daemon's due date is opening + due_after, moved to the next working day when that is a day off.
            if let opened = cycle["opened_at"]?.stringValue.flatMap({ Timestamp.parse($0, defaultTimeZone: zone) }),
               let due = cycle["due_at"]?.stringValue.flatMap({ Timestamp.parse($0, defaultTimeZone: zone) }),
               case let planned = opened.addingTimeInterval(TimeInterval(m.dueAfterSeconds)),
               due != planned, due != WorkingDays.standard(timeZone: zone).onWorkingDay(planned) {
                differences.append("due_after: daemon \(Int64(due.timeIntervalSince(opened).rounded()))s, data set \(m.dueAfterSeconds)s")
            }
            if !differences.isEmpty {
                throw CLIFailure(message: "kinerjactl: the daemon's cycles settings differ from the data set's; the review "
                                     + "files would not match the assignments:\n  " + differences.joined(separator: "\n  ")
                                     + "\nThe cycle \(cycle["period"]?.cellText ?? "") was opened; nothing else was loaded."
                                     + "\nhint: set cycles.* in the daemon's config to the data set's, or regenerate with matching options",
                                 status: CLIExit.varlinkError)
            }
        }
    }
}
