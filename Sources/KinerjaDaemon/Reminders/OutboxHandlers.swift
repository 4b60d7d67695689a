import Foundation
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
            let (messages, total) = try service.outboxCall { try $0.outboxMessages(status: status, limit: limit) }
            try await reply.reply(["messages": .array(messages.map(Self.json)), "total": .int(Int64(total))])
        },
        "ShowReminder": { service, call, reply in
            let id = try Self.outboxID(call)
            guard let message = try service.outboxCall({ try $0.outboxMessage(id: id) }) else {
                throw AdminError.notFound("reminder", "\(id)")
            }
            let stages = try service.outboxCall { try $0.outboxStageMarks(id: id) }
            var text: JSONValue = .null, renderError: JSONValue = .null
            do throws(MailRenderError) {
                text = .string(try MailMessage(message).rendered(timeZone: service.runtime.config.cycles.zone))
            } catch {
                renderError = .string(error.description)
            }
            try await reply.reply([
                "message": Self.json(message),
                "body": .string(message.body),
                "stages": .array(stages.map { .object(["assignment_id": .int($0.assignmentID), "stage": .string($0.stage.id)]) }),
                "text": text,
                "render_error": renderError,
            ])
        },
        "RetryReminder": { service, call, reply in
            let id = try Self.outboxID(call)
            let result = try service.outboxCall { try $0.retryOutboxMessage(id: id, now: service.runtime.now()) }
            switch result {
            case .notFound:
                throw AdminError.notFound("reminder", "\(id)")
            case .alreadySent(let message):
                throw AdminError.invalidInput([
                    "reminder \(id) was sent at \(message.sentAt.map(Self.isoString) ?? "?"); it is not sent twice",
                ])
            case .alreadyPending(let message):
                try await reply.reply(["message": Self.json(message), "retried": .bool(false)])
            case .retried(let message):
                service.runtime.logger.notice("Reminder mail \(id) made due again by an admin", metadata: [
                    "message_id": "\(MessageIDs.mailRetried)", "outbox_id": "\(id)", "peer": "\(call.peerDescription)",
                    "to": "\(message.to.map(\.description).joined(separator: ", "))", "subject": "\(message.subject)",
                ])
                try await reply.reply(["message": Self.json(message), "retried": .bool(true)])
            }
        },
    ]

    static func outboxID(_ call: VarlinkCall) throws -> Int64 {
        guard let id = call.parameters["id"]?.intValue, id > 0 else {
            throw AdminError.invalidInput(["id: expected a message id (a positive integer, see kinerjactl reminders list)"])
        }
        return id
    }

    /// A store call whose failure becomes OperationFailed.
    func outboxCall<T>(_ body: (AppDatabase) throws -> T) throws -> T {
        do {
            return try body(runtime.database)
        } catch {
            throw AdminError.operationFailed("the outbox cannot be read or written: \(runtime.describe(error))")
        }
    }

    static func json(_ message: OutboxMessage) -> JSONValue {
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
            "created_at": .string(isoString(message.createdAt)),
            "next_attempt_at": iso(message.nextAttemptAt),
            "last_attempt_at": iso(message.lastAttemptAt),
            "sent_at": iso(message.sentAt),
            "channel": message.channel.map(JSONValue.string) ?? .null,
            "message_id": .string("<\(message.messageID)>"),
            "last_error": message.lastError.map(JSONValue.string) ?? .null,
            "stages": .int(Int64(message.stageCount)),
        ])
    }
}
