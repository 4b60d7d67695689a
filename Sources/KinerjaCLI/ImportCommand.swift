import ArgumentParser
import Foundation
import Varlink

extension CLIExit {
    /// EX_NOINPUT: an input file cannot be read.
    static let noInput: Int32 = 66
}

/// `kinerjactl import units|employees|skm|training FILE [--dry-run]`.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import units, employees (SIMPEG), SKM survey responses or training records from CSV.",
        discussion: """
            Files may be UTF-8 with or without a BOM, with CRLF or LF line ends, separated by ',' or ';'
            (Excel in the Indonesian locale), with quoted fields. The whole file is validated before
            anything is written; every problem is listed with its line, column and reason, and then
            nothing is imported (exit 1). A valid file is applied in one transaction.

            Columns (header names, any order, case ignored):
              units      code, name, [head_nip]
              employees  nip, nama, jabatan, unit_kerja, nip_atasan, email, telepon, status, aktif
              skm        unit, period, u1 … u9 (1–4)
              training   nip, course, date (YYYY-MM-DD or DD/MM/YYYY), hours
            Reviews: kinerjactl reviews import FILE.

            An employee file is a full snapshot: employees missing from it are deactivated, unless
            --scope names the units it covers (see `import employees --help`).

            An import is staged in the daemon while its records are sent and dropped when the
            connection that began it closes; 'import list' shows the imports staged now and
            'import abort ID' drops one (both admin only).
            """,
        subcommands: [Units.self, Employees.self, SKM.self, Training.self, List.self, Abort.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the imports staged in the daemon now (admin only).")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions

        func run() async throws {
            try await runCommand {
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.ListImports")
                let imports = reply["imports"]?.arrayValue ?? []
                Output(options: global).emit(.array(imports)) {
                    guard !imports.isEmpty else { print("No imports are staged."); return }
                    var table = Table(headers: ["ID", "KIND", "RECORDS", "PROBLEMS", "DRY RUN", "STATE", "BEGUN BY", "BEGUN", "LAST USED"],
                                      numeric: [2, 3])
                    for i in imports {
                        table.rows.append([
                            i["import_id"]?.cellText ?? "", i["kind"]?.cellText ?? "", i["records"]?.cellText ?? "",
                            i["problems"]?.cellText ?? "", i["dry_run"]?.cellText ?? "",
                            i["committing"]?.boolValue == true ? "committing" : "staging", i["began_by"]?.cellText ?? "",
                            displayTime(i["began_at"]), displayTime(i["last_used"]),
                        ])
                    }
                    print(table.render())
                }
            }
        }
    }

    struct Abort: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drop a staged import without applying anything (admin only).")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("The import's id (see 'kinerjactl import list').", valueName: "id")) var id: String

        func run() async throws {
            try await runCommand {
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.AbortImport", ["import_id": .string(id)])
                guard reply["dropped"]?.boolValue == true else {
                    throw CLIFailure(message: "kinerjactl: no import \(id) is staged (see kinerjactl import list)", status: CLIExit.varlinkError)
                }
                Output(options: global).emit(reply) { print("Import \(id) dropped; nothing of it was applied.") }
            }
        }
    }

    struct FileOptions: ParsableArguments {
        @Argument(help: ArgumentHelp("The CSV file.", valueName: "file"))
        var file: String

        @Flag(name: .long, help: "Validate and report what would change; write nothing.")
        var dryRun = false
    }

    struct Units: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import units (code, name, head).")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @OptionGroup var options: FileOptions
        func run() async throws { try await ImportCommand.run(kind: "units", options, global) }
    }

    struct Employees: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import employees from a SIMPEG-style file (merge).",
            discussion: """
                Optional columns: jenis_jabatan (struktural, fungsional, pelaksana), kelas_jabatan (1–17),
                eselon (II.a … IV.b), sub_unit (bidang or seksi), nip_plt and jenis_plt (the acting
                appraiser, Plt or Plh, when the atasan post is vacant), alasan_nonaktif (pensiun,
                meninggal, berhenti, cuti; with aktif false).

                Without --scope the file is the whole city: employees missing from it are deactivated.
                With --scope DLHK,BKPSDM it is those units' export: only their employees change or are
                deactivated. An import that would deactivate more than imports.max_deactivate_share
                (default 5%) of the employees it covers is refused unless --allow-deactivate names
                the count. During an open cycle, transfers, departures and leave change its open
                assignments; the summary lists each change.
                """)
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @OptionGroup var options: FileOptions

        @Option(name: .long, help: ArgumentHelp("The file is the export of these units only.", valueName: "unit,…"))
        var scope: String?

        @Option(name: .long, help: ArgumentHelp("Apply even though it deactivates this many employees.", valueName: "n"))
        var allowDeactivate: Int?

        func validate() throws {
            if let scope, scope.split(separator: ",").allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                throw ValidationError("--scope needs at least one unit code")
            }
            if let allowDeactivate, allowDeactivate < 0 { throw ValidationError("--allow-deactivate must be 0 or more") }
        }

        func run() async throws {
            var commit: [String: JSONValue] = [:]
            if let scope {
                commit["scope"] = .array(scope.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) }
                    .filter { $0 != .string("") })
            }
            if let allowDeactivate { commit["allow_deactivate"] = .int(Int64(allowDeactivate)) }
            try await ImportCommand.run(kind: "employees", options, global, commit: commit)
        }
    }

    struct SKM: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "skm", abstract: "Import public satisfaction survey (SKM) responses.")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @OptionGroup var options: FileOptions
        func run() async throws { try await ImportCommand.run(kind: "skm", options, global) }
    }

    struct Training: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import training records.")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @OptionGroup var options: FileOptions
        func run() async throws { try await ImportCommand.run(kind: "training", options, global) }
    }

    static func run(kind: String, _ options: FileOptions, _ global: GlobalOptions, cycle: String? = nil,
                    commit: [String: JSONValue] = [:]) async throws {
        try await runCommand {
            let uploader = ImportUploader(options: global, progress: ProgressLine(options: global))
            let summary = try await uploader.run(kind: kind, file: options.file, cycle: cycle, dryRun: options.dryRun,
                                                 commit: commit)
            printSummary(summary, file: options.file, global: global)
        }
    }

    static func printSummary(_ summary: [String: JSONValue], file: String, global: GlobalOptions) {
        Output(options: global).emit(summary) {
            print(ImportUploader.describe(summary, file: (file as NSString).lastPathComponent))
            for line in summary["details"]?.arrayValue?.compactMap(\.stringValue) ?? [] { print("  " + line) }
            if let scope = summary["scope"]?.arrayValue?.compactMap(\.stringValue) {
                print("scope: " + scope.joined(separator: ", ") + " (employees of other units unchanged)")
            }
            let changes = summary["cycle_changes"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
            if !changes.isEmpty {
                print("open cycle assignments:")
                for c in changes { print("  " + c) }
                if let total = summary["cycle_changes_total"]?.intValue.map({ Int($0) }), total > changes.count {
                    print("  … and \(total - changes.count) more employees (the cycle report lists every one)")
                }
            }
            let warnings = summary["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if !warnings.isEmpty {
                print("warnings:")
                for w in warnings { print("  " + w) }
            }
        }
    }
}
