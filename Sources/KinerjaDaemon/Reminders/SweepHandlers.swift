import Foundation
import KinerjaDomain
import KinerjaSchedule
import KinerjaStore
import Varlink

/// `--- Reminder sweep ---` in io.kinerjad.Admin: preview what the sweep would send, or run it now.
extension AdminService {
    static let sweepHandlers: [String: Handler] = [
        "PreviewReminders": { service, call, reply in
            let now = service.runtime.now()
            var at = now
            if let text = call.parameters["at"]?.stringValue {
                // ISO 8601 first (an offset-less one in cycles.time_zone, as every other time
                // parameter), then what systemd accepts ("tomorrow 09:00", "+2d").
                let zone = service.runtime.config.cycles.zone
                if let iso = Timestamp.parse(text, defaultTimeZone: zone) {
                    at = iso
                } else {
                    do {
                        at = try SystemdTimestamp.parse(text, now: now, localTimeZone: zone)
                    } catch {
                        throw AdminError.invalidInput(["at: \"\(text)\" is not a time (ISO 8601, or a systemd timestamp such as "
                            + "\"2027-02-01 09:00\"; without an offset read in \(service.runtime.config.cycles.timeZone)): \(error)"])
                    }
                }
            }
            try await service.streamPreview(at: at, call, reply)
        },
        "SendReminders": { service, call, reply in
            service.runtime.logger.info("Reminders sent by hand", metadata: ["peer": "\(call.peerDescription)"])
            var runs: [String: JSONValue] = [:]
            for (key, job) in [("sweep", "reminder-sweep"), ("delivery", "outbox-delivery")] {
                runs[key] = try await service.runJob(job)
            }
            try await reply.reply(runs)
        },
    ]

    /// PreviewReminders: the plan comes from `ReminderSweep.preview` a batch of reviewers at a time;
    /// each batch's messages are sent (see `ReplyLimits`) before the next batch is read. Without
    /// `more`, a preview of more than `messagesWithoutMore` messages is answered with ExpectedMore.
    func streamPreview(at: Date, _ call: VarlinkCall, _ reply: VarlinkReplySink) async throws {
        let head: [String: JSONValue] = [
            "at": encoding.time(at),
            "working_time": .bool(runtime.config.reminders.policy.isWorkingTime(at)),
            "next_working": encoding.time(runtime.config.reminders.policy.nextWorkingInstant(atOrAfter: at)),
        ]
        var stream = ReplyStream(reply)
        var collected: [JSONValue] = []
        let plan = try await ReminderSweep(runtime: runtime).preview(at: at) { messages, deferred in
            let encoded = messages.map(Self.json)
            guard call.more else {
                collected += encoded
                if collected.count > ReplyLimits.messagesWithoutMore { throw VarlinkError.expectedMore }
                return
            }
            for start in stride(from: 0, to: encoded.count, by: ReplyLimits.messagesPerReply) {
                let part = Array(encoded[start..<min(start + ReplyLimits.messagesPerReply, encoded.count)])
                try await stream.send(head.merging(["messages": .array(part), "deferred": .int(Int64(deferred)),
                                                    "missing_addresses": .array([])]) { a, _ in a })
            }
        }
        // Each person without an address listed once, with every reason (the first by NIP, see
        // `ReminderPlan.missingListed`), and how many there are; deferred counts only those who
        // wait for tomorrow (they had their one message today), not those without an address.
        let missing = plan.peopleWithoutAddress.map { person in
            JSONValue.string("\(person.nip) (\(person.roles.map(\.rawValue).joined(separator: ", ")))")
        }
        let tail: [String: JSONValue] = head.merging(["deferred": JSONValue.int(Int64(plan.waitingForTomorrow)),
                                 "missing_count": .int(Int64(plan.peopleWithoutAddressCount))]) { a, _ in a }
        guard call.more else {
            try await reply.reply(tail.merging(["messages": .array(collected), "missing_addresses": .array(missing)]) { a, _ in a })
            return
        }
        for start in stride(from: 0, to: missing.count, by: ReplyLimits.rowsPerReply) {
            let part = Array(missing[start..<min(start + ReplyLimits.rowsPerReply, missing.count)])
            try await stream.send(tail.merging(["messages": .array([]), "missing_addresses": .array(part)]) { a, _ in a })
        }
        try await stream.finish(tail.merging(["messages": .array([]), "missing_addresses": .array([])]) { a, _ in a })
    }

    static func json(_ message: PlannedMessage) -> JSONValue {
        .object([
            "kind": .string(message.kind.rawValue),
            "recipient": message.recipient.map { .string($0.description) } ?? .null,
            "to": .array(message.to.map { .string($0.description) }),
            "cc": .array(message.cc.map { .string($0.address.description) }),
            "subject": .string(message.subject),
            "body": .string(ReviewLinkSlot.display(message.body)),
            "escalation": .string(message.escalation.rawValue),
            "stages": .array(message.marks.map { .string("\($0.assignmentID):\($0.stage.id)") }),
        ])
    }
}
