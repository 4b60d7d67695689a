import ArgumentParser
import Foundation
import Varlink

/// `kinerjactl reminders`: the reminder outbox: what was written, what was sent, what died.
struct RemindersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reminders",
        abstract: "The reminder outbox: list messages, show one in full, retry a failed or dead one.",
        discussion: """
            A message is pending (not yet tried), failed (an attempt failed; it is tried again later),
            sent (taken by the mail system, or logged by the journal channel) or dead (every attempt
            failed: fix the cause, then retry it).
            """,
        subcommands: [List.self, Show.self, Retry.self, Preview.self, SendNow.self],
        defaultSubcommand: List.self)

    static let statuses = ["pending", "failed", "sent", "dead"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List outbox messages, newest first (the default).")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Option(help: ArgumentHelp("Only messages in this state: \(RemindersCommand.statuses.joined(separator: ", ")).", valueName: "status"))
        var status: String?
        @Option(help: "How many messages at most.") var limit = 100

        func validate() throws {
            if let status, !RemindersCommand.statuses.contains(status.lowercased()) {
                throw ValidationError("unknown status '\(status)'; expected one of \(RemindersCommand.statuses.joined(separator: ", "))")
            }
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
        }

        func run() async throws {
            try await runCommand {
                var parameters: [String: JSONValue] = ["limit": .int(Int64(limit))]
                if let status { parameters["status"] = .string(status.lowercased()) }
                let printer = ListPrinter(
                    options: global, headers: ["ID", "STATUS", "CREATED", "TO", "SUBJECT", "TRIES", "SENT / NEXT TRY"],
                    numeric: [0, 5], jsonKey: "messages"
                ) { message in
                    let state = message["status"]?.stringValue ?? "?"
                    let when = state == "sent" ? displayTime(message["sent_at"]) : displayTime(message["next_attempt_at"])
                    return [
                        message["id"]?.cellText ?? "-", state, displayTime(message["created_at"]),
                        RemindersCommand.addresses(message["to"]), RemindersCommand.shortened(message["subject"]?.stringValue ?? "", 50),
                        message["attempts"]?.cellText ?? "-", state == "dead" ? "-" : when,
                    ]
                }
                var total = 0
                try await ControlConnection(options: global).stream("io.kinerjad.Admin.ListReminders", parameters) { reply, _ in
                    total = Int(reply["total"]?.intValue ?? 0)
                    printer.add(reply["messages"]?.arrayValue ?? [])
                }
                printer.finish(trailer: ["total": .int(Int64(total))],
                               empty: status.map { "No \($0.lowercased()) messages in the outbox." } ?? "The outbox is empty.")
                if !global.json && !global.quiet && total > printer.count {
                    print("(\(printer.count) of \(total) shown; use --limit for more)")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one message: its state and the full text as it is mailed.")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("The message id (see 'kinerjactl reminders list').", valueName: "id")) var id: Int64

        func run() async throws {
            try await runCommand {
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.ShowReminder", ["id": .int(id)])
                let message = reply["message"] ?? .null
                Output(options: global).emit(reply) {
                    var pairs: [(String, String)] = [
                        ("Message", "\(message["id"]?.cellText ?? "?") (\(message["kind"]?.cellText ?? "?"), key \(message["key"]?.cellText ?? "?"))"),
                        ("Status", message["status"]?.cellText ?? "?"),
                        ("Created", displayTime(message["created_at"])),
                        ("Attempts", message["attempts"]?.cellText ?? "0"),
                    ]
                    if message["last_attempt_at"]?.stringValue != nil {
                        pairs.append(("Last attempt", "\(displayTime(message["last_attempt_at"])) via \(message["channel"]?.cellText ?? "?")"))
                    }
                    if message["next_attempt_at"]?.stringValue != nil { pairs.append(("Next attempt", displayTime(message["next_attempt_at"]))) }
                    if message["sent_at"]?.stringValue != nil { pairs.append(("Sent", displayTime(message["sent_at"]))) }
                    if let error = message["last_error"]?.stringValue { pairs.append(("Last error", error)) }
                    let stages = (reply["stages"]?.arrayValue ?? []).map { "\($0["assignment_id"]?.cellText ?? "?")@\($0["stage"]?.cellText ?? "?")" }
                    if !stages.isEmpty { pairs.append(("Stages", stages.joined(separator: ", "))) }
                    print(keyValueLines(pairs))
                    print("")
                    if message["text_removed_at"]?.stringValue != nil {
                        // No rendered text to take the headers from: the record's own.
                        func list(_ key: String) -> String { message[key]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? "" }
                        var headers = [("From", message["from"]?.cellText ?? ""), ("To", list("to"))]
                        if !list("cc").isEmpty { headers.append(("Cc", list("cc"))) }
                        headers.append(("Subject", message["subject"]?.cellText ?? ""))
                        print(keyValueLines(headers))
                        print("")
                        print("The text of this message was removed on \(displayTime(message["text_removed_at"])) (mail.keep_sent_text "
                              + "after it was sent); its recipients, subject, times and stages are kept.")
                    } else if let text = reply["text"]?.stringValue {
                        // The headers as mailed, then the body as readable text (the mailed body is quoted-printable).
                        let headers = text.components(separatedBy: "\n\n").first ?? text
                        print(headers)
                        print("")
                        print(reply["body"]?.stringValue ?? "")
                    } else {
                        print("The message cannot be written: \(reply["render_error"]?.cellText ?? "?")")
                        print("")
                        print(reply["body"]?.stringValue ?? "")
                    }
                }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a failed or dead message due again, its attempts counted from zero (admin only).",
            discussion: "A sent message is refused: it would arrive twice.")
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
        @Argument(help: ArgumentHelp("The message id.", valueName: "id")) var id: Int64

        func run() async throws {
            try await runCommand {
                let reply = try await ControlConnection(options: global).call("io.kinerjad.Admin.RetryReminder", ["id": .int(id)])
                Output(options: global).emit(reply) {
                    if reply["retried"]?.boolValue == true {
                        print("Message \(id) is due again; the next outbox-delivery run sends it (or: kinerjactl jobs run outbox-delivery).")
                    } else {
                        print("Message \(id) is pending already; the next outbox-delivery run sends it.")
                    }
                }
            }
        }
    }

    static func addresses(_ value: JSONValue?) -> String {
        let list = value?.arrayValue?.compactMap(\.stringValue) ?? []
        guard let first = list.first else { return "-" }
        var email = first
        if let open = first.lastIndex(of: "<"), first.hasSuffix(">") {
            email = String(first[first.index(after: open)..<first.index(before: first.endIndex)])
        }
        return list.count > 1 ? "\(email) +\(list.count - 1)" : email
    }

    static func shortened(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
