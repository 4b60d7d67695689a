import Foundation
import KinerjaDomain
import KinerjaSchedule
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
            let plan = try await ReminderSweep(runtime: service.runtime).preview(at: at)
            try await reply.reply([
                "at": service.encoding.time(at),
                "working_time": .bool(plan.isWorkingTime),
                "next_working": service.encoding.time(plan.nextWorkingInstant),
                "messages": .array(plan.messages.map { message in
                    .object([
                        "kind": .string(message.kind.rawValue),
                        "recipient": message.recipient.map { .string($0.description) } ?? .null,
                        "to": .array(message.to.map { .string($0.description) }),
                        "cc": .array(message.cc.map { .string($0.address.description) }),
                        "subject": .string(message.subject),
                        "body": .string(message.body),
                        "escalation": .string(message.escalation.rawValue),
                        "stages": .array(message.marks.map { .string("\($0.assignmentID):\($0.stage.id)") }),
                    ])
                }),
                "deferred": .int(Int64(plan.waitingForTomorrow)),
                "missing_addresses": .array(plan.peopleWithoutAddress.map { person in
                    .string("\(person.nip) (\(person.roles.map(\.rawValue).joined(separator: ", ")))")
                }),
            ])
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
}
