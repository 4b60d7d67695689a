import ArgumentParser
import Foundation
import Varlink

extension RemindersCommand {
    /// `kinerjactl reminders preview [--at TIME]`: what the sweep would send, writing nothing.
    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what the reminder sweep would send at a time, without writing or sending anything.",
            discussion: """
                TIME is ISO 8601 with an offset (2027-02-01T09:00:00+07:00) or a systemd timestamp
                ("2027-02-01 09:00", "tomorrow", "+2d"); default: now. Messages are printed as they arrive
                (the daemon plans and sends a batch of reviewers at a time). --json gives one array of
                messages with to, cc, subject, body, written element by element.
                """)
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Option(name: .long, help: ArgumentHelp("The instant to plan for.", valueName: "time")) var at: String?

        func run() async throws {
            try await runCommand {
                var parameters: [String: JSONValue] = [:]
                if let at { parameters["at"] = .string(at) }
                let human = !global.json && !global.quiet
                let json = ListPrinter(options: global, headers: []) { _ in [] }
                var count = 0, deferred = "0", missing: [String] = [], missingCount = 0
                var head: [String: JSONValue]?
                try await ControlConnection(options: global).stream("io.kinerjad.Admin.PreviewReminders", parameters) { reply, _ in
                    let messages = reply["messages"]?.arrayValue ?? []
                    count += messages.count
                    deferred = reply["deferred"]?.cellText ?? "0"
                    missing += reply["missing_addresses"]?.arrayValue?.compactMap(\.stringValue) ?? []
                    if let all = reply["missing_count"]?.intValue { missingCount = Int(all) }
                    if global.json { json.add(messages) }
                    guard human else { return }
                    if head == nil {
                        head = reply
                        let when = displayTime(reply["at"])
                        if reply["working_time"]?.boolValue == true {
                            print("At \(when) the sweep would write:")
                        } else {
                            print("\(when) is outside working hours or a holiday: nothing would be sent. Next working time: \(displayTime(reply["next_working"])).")
                        }
                    }
                    for message in messages { Self.printMessage(message) }
                }
                if global.json { json.finish(empty: "") }
                guard human, head?["working_time"]?.boolValue == true else { return }
                print("\n\(count) message(s); \(deferred) reviewer(s) wait for tomorrow (one message a day); "
                    + "\(max(missingCount, missing.count)) people have no email address.")
                if !missing.isEmpty {
                    let more = missingCount > missing.count ? " and \(missingCount - missing.count) more (the employee file's rows without an email)" : ""
                    print("No email address (reported in the admin digest): \(missing.joined(separator: ", "))\(more)")
                }
            }
        }

        static func printMessage(_ message: JSONValue) {
            print("\n--- \(message["kind"]?.cellText ?? "") to \(message["to"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? "")")
            if let cc = message["cc"]?.arrayValue, !cc.isEmpty {
                print("Cc: \(cc.compactMap(\.stringValue).joined(separator: ", "))")
            }
            print("Subject: \(message["subject"]?.cellText ?? "")\n")
            print(message["body"]?.stringValue ?? "")
        }
    }

    /// `kinerjactl reminders send-now`: sweep and deliver now (admin only).
    struct SendNow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "send-now",
            abstract: "Run the reminder sweep and the outbox delivery now and wait for both (admin only).")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions

        func run() async throws {
            try await runCommand {
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.SendReminders")
                Output(options: global).emit(reply) {
                    for key in ["sweep", "delivery"] {
                        let run = reply[key] ?? .null
                        print("\(run["name"]?.cellText ?? key): \(run["outcome"]?.cellText ?? "?") — \(run["message"]?.cellText ?? "")")
                    }
                }
                let failed = ["sweep", "delivery"].contains { reply[$0]?["outcome"]?.stringValue != "ok" }
                if failed { throw CLIFailure(message: "kinerjactl: the sweep or the delivery did not succeed", status: CLIExit.varlinkError) }
            }
        }
    }
}
