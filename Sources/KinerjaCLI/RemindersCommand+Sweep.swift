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
                ("2027-02-01 09:00", "tomorrow", "+2d"); default: now. --json gives an array of messages
                with to, cc, subject, body.
                """)
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Option(name: .long, help: ArgumentHelp("The instant to plan for.", valueName: "time")) var at: String?

        func run() async throws {
            try await runCommand {
                var parameters: [String: JSONValue] = [:]
                if let at { parameters["at"] = .string(at) }
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.PreviewReminders", parameters)
                let messages = reply["messages"]?.arrayValue ?? []
                Output(options: global).emit(.array(messages)) {
                    let when = displayTime(reply["at"])
                    guard reply["working_time"]?.boolValue == true else {
                        print("\(when) is outside working hours or a holiday: nothing would be sent. Next working time: \(displayTime(reply["next_working"])).")
                        return
                    }
                    let missing = reply["missing_addresses"]?.arrayValue ?? []
                    print("At \(when) the sweep would write \(messages.count) message(s); \(reply["deferred"]?.cellText ?? "0") reviewer(s) "
                        + "wait for tomorrow (one message a day); \(missing.count) people have no email address.")
                    for message in messages {
                        print("\n--- \(message["kind"]?.cellText ?? "") to \(message["to"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? "")")
                        if let cc = message["cc"]?.arrayValue, !cc.isEmpty {
                            print("Cc: \(cc.compactMap(\.stringValue).joined(separator: ", "))")
                        }
                        print("Subject: \(message["subject"]?.cellText ?? "")\n")
                        print(message["body"]?.stringValue ?? "")
                    }
                    if !missing.isEmpty {
                        print("\nNo email address (reported in the admin digest): \(missing.compactMap(\.stringValue).joined(separator: ", "))")
                    }
                }
            }
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
