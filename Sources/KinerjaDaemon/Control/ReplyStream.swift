import KinerjaStore
import Varlink

/// How big one reply of a listing may get. A listing that can grow with the data is read from the
/// store a page at a time and, for a call with `more`, sent as a stream of replies: each at most
/// `rowsPerReply` rows, `continues` on all but the last. A call without `more` gets one reply of at
/// most `rowsWithoutMore` rows; when more rows match than that, it is answered with
/// `org.varlink.service.ExpectedMore`. So neither the daemon's memory per call nor any reply grows
/// with the data.
enum ReplyLimits {
    /// Rows in one reply of a streamed listing (about 300 KB of assignments or outbox messages).
    static let rowsPerReply = 500
    /// Rows a call without `more` may receive in its single reply.
    static let rowsWithoutMore = 1000
    /// Planned reminder messages in one reply (each carries its whole body, up to a few KB).
    static let messagesPerReply = 100
    /// Planned reminder messages a preview without `more` may receive.
    static let messagesWithoutMore = 500
}

/// Sends the replies of one call so that the last one, and only it, goes without `continues`: each
/// reply is held until the next one is ready (or the call ends), so at most one reply waits.
struct ReplyStream {
    let sink: VarlinkReplySink
    private var held: [String: JSONValue]?

    init(_ sink: VarlinkReplySink) {
        self.sink = sink
    }

    /// Queues a reply; the one queued before it goes out with `continues`.
    mutating func send(_ parameters: [String: JSONValue]) async throws {
        if let held { try await sink.reply(held, continues: true) }
        held = parameters
    }

    /// Sends the last reply (`parameters` when nothing was queued).
    mutating func finish(_ parameters: @autoclosure () -> [String: JSONValue]) async throws {
        let last = held ?? parameters()
        held = nil
        try await sink.reply(last)
    }
}

extension AdminService {
    /// Answers a listing read from the store page by page (`page(cursor, rows)`), under the rules of
    /// `ReplyLimits`: the rows go under `key`, `total` (all matching rows, from the first page) in
    /// every reply when `withTotal`, and the fields of `extra` in every reply. At most `limit` rows in all.
    func streamList<Row: Sendable>(
        _ call: VarlinkCall, _ reply: VarlinkReplySink, key: String, limit: Int = .max, withTotal: Bool = true,
        extra: [String: JSONValue] = [:],
        page: @escaping @Sendable (AppDatabase, PageCursor?, Int) throws -> Page<Row>,
        encode: (Row) throws -> JSONValue
    ) async throws {
        var stream = ReplyStream(reply)
        var cursor: PageCursor?
        var sent = 0
        var total: Int?
        func parameters(_ rows: [JSONValue]) -> [String: JSONValue] {
            var object = extra
            object[key] = .array(rows)
            if withTotal { object["total"] = .int(Int64(total ?? rows.count)) }
            return object
        }
        if !call.more {
            let wanted = min(limit, ReplyLimits.rowsWithoutMore)
            let first = try await runtime.withDatabase { db in try page(db, nil, wanted) }
            if first.next != nil && limit > wanted { throw VarlinkError.expectedMore }
            total = first.total
            try await reply.reply(parameters(try first.rows.map(encode)))
            return
        }
        repeat {
            let wanted = min(limit - sent, ReplyLimits.rowsPerReply)
            let after = cursor
            let next = try await runtime.withDatabase { db in try page(db, after, wanted) }
            total = total ?? next.total
            sent += next.rows.count
            cursor = sent < limit ? next.next : nil
            try await stream.send(parameters(try next.rows.map(encode)))
        } while cursor != nil
        try await stream.finish(parameters([]))
    }
}
