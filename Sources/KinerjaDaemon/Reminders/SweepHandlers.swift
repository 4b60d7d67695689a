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
                do {
                    at = try SystemdTimestamp.parse(text, now: now, localTimeZone: TimeZone.current)
                } catch {
                    throw AdminError.invalidInput(["at: \"\(text)\" is not a time (ISO 8601 with an offset, or a systemd timestamp such as \"2027-02-01 09:00\"): \(error)"])
                }
            }
            let plan = try ReminderSweep(runtime: service.runtime).preview(at: at)
            try await reply.reply([
                "at": .string(Self.isoString(at)),
                "working_time": .bool(plan.isWorkingTime),
                "next_working": Self.iso(plan.nextWorkingInstant),
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
                "deferred": .int(Int64(plan.deferred.count)),
                "missing_addresses": .array(plan.missingAddresses.map { .string("\($0.nip) (\($0.role.rawValue))") }),
            ])
        },
        "SendReminders": { service, call, reply in
            service.runtime.logger.info("Reminders sent by hand", metadata: ["peer": "\(call.peerDescription)"])
            var runs: [String: JSONValue] = [:]
            for (key, job) in [("sweep", "reminder-sweep"), ("delivery", "outbox-delivery")] {
                do {
                    guard let run = try await service.scheduler.runNow(job) else {
                        throw AdminError.operationFailed("job \(job) ran but its record cannot be read")
                    }
                    runs[key] = Self.json(run)
                } catch let error as Scheduler.RunError {
                    switch error {
                    case .unknownJob(let name): throw AdminError.notFound("job", name)
                    case .alreadyRunning(let name): throw VarlinkError(name: "io.kinerjad.Admin.JobBusy", parameters: ["name": .string(name)])
                    case .notRecorded(let name, let reason): throw AdminError.operationFailed("job \(name) did not run: its run cannot be recorded: \(reason)")
                    }
                }
            }
            try await reply.reply(runs)
        },
    ]
}
