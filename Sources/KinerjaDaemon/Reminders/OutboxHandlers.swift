import Foundation
import KinerjaDomain
import KinerjaStore
import Varlink

/// `--- Reminders outbox ---` in io.kinerjad.Admin: list, show and retry outbox messages.
extension AdminService {
    static let outboxHandlers: [String: Handler] = [
        "ListReminders": { service, call, reply in
            var status: OutboxStatus?
            if let text = call.parameters["status"]?.stringValue {
                guard let parsed = OutboxStatus(rawValue: text.lowercased()) else {
                    throw AdminError.invalidInput(["status: \"\(text)\" is not one of \(OutboxStatus.allCases.map(\.rawValue).joined(separator: ", "))"])
                }
                status = parsed
            }
            let limit = Int(call.parameters["limit"]?.intValue ?? 100)
            guard (1...10_000).contains(limit) else { throw AdminError.invalidInput(["limit: \(limit) is not between 1 and 10000"]) }
            let wanted = status
            try await service.streamList(call, reply, key: "messages", limit: limit,
                                         page: { db, after, rows in try db.outboxPage(status: wanted, after: after, limit: rows) },
                                         encode: service.json)
        },
        "ShowReminder": { service, call, reply in
            let id = try Self.outboxID(call)
            let (found, stages) = try await service.runtime.withDatabase { db in
                (try db.outboxMessage(id: id), try db.outboxStageMarks(id: id))
            }
            guard let message = found else { throw AdminError.notFound("reminder", "\(id)") }
            var text: JSONValue = .null, renderError: JSONValue = .null
            // A removed text is not rendered: an empty body would pass for the message that was mailed.
            if message.textRemovedAt == nil {
                do throws(MailRenderError) {
                    text = .string(try MailMessage(message).rendered(timeZone: service.runtime.config.cycles.zone))
                } catch {
                    renderError = .string(error.description)
                }
            }
            try await reply.reply([
                "message": service.json(message),
                "body": .string(ReviewLinkSlot.display(message.body)),
                "stages": .array(stages.map { .object(["assignment_id": .int($0.assignmentID), "stage": .string($0.stage.id)]) }),
                "text": text,
                "render_error": renderError,
            ])
        },
        "RetryReminder": { service, call, reply in
            let id = try Self.outboxID(call)
            let (message, retried) = try await RetryReminder(runtime: service.runtime)(id, by: call.peerDescription)
            try await reply.reply(["message": service.json(message), "retried": .bool(retried)])
        },
    ]

    static func outboxID(_ call: VarlinkCall) throws -> Int64 {
        guard let id = call.parameters["id"]?.intValue, id > 0 else {
            throw AdminError.invalidInput(["id: expected a message id (a positive integer, see kinerjactl reminders list)"])
        }
        return id
    }

    func json(_ message: OutboxMessage) -> JSONValue {
        .object([
            "id": .int(message.id),
            "key": .string(message.idempotencyKey),
            "kind": .string(message.kind),
            "recipient": message.recipientNIP.map(JSONValue.string) ?? .null,
            "from": .string(message.from.description),
            "to": .array(message.to.map { .string($0.description) }),
            "cc": .array(message.cc.map { .string($0.description) }),
            "subject": .string(message.subject),
            "status": .string(message.status.rawValue),
            "attempts": .int(Int64(message.attempts)),
            "created_at": encoding.time(message.createdAt),
            "next_attempt_at": encoding.time(message.nextAttemptAt),
            "last_attempt_at": encoding.time(message.lastAttemptAt),
            "sent_at": encoding.time(message.sentAt),
            "channel": message.channel.map(JSONValue.string) ?? .null,
            "message_id": .string("<\(message.messageID)>"),
            "last_error": message.lastError.map(JSONValue.string) ?? .null,
            "stages": .int(Int64(message.stageCount)),
            "text_removed_at": encoding.time(message.textRemovedAt),
        ])
    }
}
