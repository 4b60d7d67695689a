import Foundation
import KinerjaDomain
import KinerjaStore
import KinerjaSystemd
import Logging
import Synchronization
import Testing
@testable import KinerjaDaemon

/// Log records kept in memory, for checking MESSAGE_IDs and fields without a journal.
final class RecordingLogHandler: LogHandler, Sendable {
    struct Record: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    let records = Mutex<[Record]>([])
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).mapValues { "\($0)" }
        records.withLock { $0.append(Record(level: event.level, message: "\(event.message)", metadata: fields)) }
    }

    func with(messageID: String) -> [Record] {
        records.withLock { $0.filter { $0.metadata["message_id"] == messageID } }
    }
}

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let value: Mutex<Date>
    init(_ start: Date) { value = Mutex(start) }
    var now: Date { value.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { value.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A transport that answers from a script per recipient and records what it was given.
final class ScriptedTransport: MailTransport, Sendable {
    let channel = "sendmail"
    let answers: Mutex<[String: [DeliveryOutcome]]>
    let delivered = Mutex<[(to: String, text: String)]>([])

    init(_ answers: [String: [DeliveryOutcome]]) {
        self.answers = Mutex(answers)
    }

    func deliver(_ message: MailMessage, text: String, attempt: DeliveryAttempt) async -> DeliveryOutcome {
        let to = message.to[0].email
        delivered.withLock { $0.append((to, text)) }
        return answers.withLock { answers in
            guard var queue = answers[to], !queue.isEmpty else { return .delivered }
            let next = queue.removeFirst()
            answers[to] = queue
            return next
        }
    }

    var attempts: [String] { delivered.withLock { $0.map(\.to) } }
}

@Suite("outbox-delivery job with a real (in-memory) store and an injected clock")
struct OutboxDeliveryJobTests {
    static let t0 = ISO8601DateFormatter().date(from: "2026-03-02T02:00:00Z")!
    static let fail75 = DeliveryOutcome.failed(DeliveryFailure(kind: .exitStatus, summary: "sendmail exited with status 75 (EX_TEMPFAIL)",
                                                               output: "451 try later"))

    struct Fixture {
        let database: AppDatabase
        let clock: ManualClock
        let log: RecordingLogHandler
        let runtime: DaemonRuntime
    }

    static func fixture(configure: (inout DaemonConfig) -> Void = { _ in }) throws -> Fixture {
        var config = DaemonConfig()
        config.mail.retryBase = .seconds(60)
        config.mail.retryCap = .seconds(100)
        config.mail.maxAttempts = 3
        configure(&config)
        let database = try AppDatabase.inMemory()
        let clock = ManualClock(t0)
        let log = RecordingLogHandler()
        let runtime = DaemonRuntime(config: config, configPath: "/nonexistent.yaml", environment: [:], database: database,
                                    logLevel: LogLevelControl(.trace), logger: Logger(label: "test", factory: { _ in log }),
                                    startedAt: t0, notifier: Notifier(), now: { clock.now })
        return Fixture(database: database, clock: clock, log: log, runtime: runtime)
    }

    static func enqueue(_ database: AppDatabase, _ recipients: [String], at date: Date = t0) throws {
        _ = try database.writer.write { db in
            try Outbox.enqueue(recipients.map { email in
                OutboxDraft(idempotencyKey: "reminder/\(email)", kind: "reminder", recipientNIP: "198503152010011001",
                            from: MailAddress(name: "BKPSDM Kota Bandung", email: "kinerjad@bandung.go.id"),
                            to: [MailAddress(name: "Pegawai", email: email)], subject: "Pengingat: penilaian — \(email)", body: "Yth. \(email)\n")
            }, at: date, in: db)
        }
    }

    static func job(_ fixture: Fixture, _ transport: ScriptedTransport) -> OutboxDeliveryJob {
        OutboxDeliveryJob(runtime: fixture.runtime, makeTransport: { _, _ in transport })
    }

    @Test("sent once and logged; a failing one backs off 60 s, 100 s (cap), then dies with a warning")
    func backoffAndDead() async throws {
        let f = try Self.fixture()
        try Self.enqueue(f.database, ["gagal@bandung.go.id", "siti@bandung.go.id"])
        let transport = ScriptedTransport(["gagal@bandung.go.id": [Self.fail75, Self.fail75, Self.fail75]])
        let job = Self.job(f, transport)

        #expect(try await job.run(slot: f.clock.now) == "1 sent, 1 failed (to be retried), 0 dead; 1 waiting")
        #expect(transport.attempts == ["gagal@bandung.go.id", "siti@bandung.go.id"])
        f.clock.advance(59)
        #expect(try await job.run(slot: f.clock.now) == "0 sent, 0 failed (to be retried), 0 dead; 1 waiting")
        f.clock.advance(1)
        _ = try await job.run(slot: f.clock.now)
        f.clock.advance(99)
        _ = try await job.run(slot: f.clock.now)
        #expect(transport.attempts.count == 3, "not due before the capped 100 s")
        f.clock.advance(1)
        #expect(try await job.run(slot: f.clock.now) == "0 sent, 0 failed (to be retried), 1 dead; 0 waiting")
        f.clock.advance(86_400)
        _ = try await job.run(slot: f.clock.now)
        #expect(transport.attempts == ["gagal@bandung.go.id", "siti@bandung.go.id", "gagal@bandung.go.id", "gagal@bandung.go.id"])

        let sent = f.log.with(messageID: MessageIDs.mailSent)
        #expect(sent.count == 1)
        #expect(sent.first?.level == .info)
        #expect(sent.first?.metadata["to"] == "Pegawai <siti@bandung.go.id>")
        #expect(sent.first?.metadata["subject"] == "Pengingat: penilaian — siti@bandung.go.id")
        #expect(sent.first?.metadata["outbox_id"] == "2")
        #expect(sent.first?.metadata["nip"] == "198503152010011001")
        #expect(sent.first?.metadata["mail_message_id"]?.hasPrefix("<kinerjad.") == true)
        let failed = f.log.with(messageID: MessageIDs.mailFailed)
        #expect(failed.map(\.metadata["next_attempt"]) == ["2026-03-02T09:01:00+07:00", "2026-03-02T09:02:40+07:00"])
        #expect(failed.first?.metadata["error"] == "sendmail exited with status 75 (EX_TEMPFAIL): 451 try later")
        let dead = f.log.with(messageID: MessageIDs.mailDead)
        #expect(dead.count == 1 && dead.first?.level == .warning)
        #expect(dead.first?.message.contains("kinerjactl reminders retry 1") == true)
        let stored = try #require(try f.database.outboxMessage(id: 1))
        #expect(stored.status == .dead && stored.attempts == 3 && stored.lastError?.contains("451 try later") == true)
    }

    @Test("a message that cannot be rendered dies at once, without a delivery attempt")
    func unrenderable() async throws {
        let f = try Self.fixture()
        try Self.enqueue(f.database, ["síti@bandung.go.id"])
        let transport = ScriptedTransport([:])
        #expect(try await Self.job(f, transport).run(slot: f.clock.now) == "0 sent, 0 failed (to be retried), 1 dead; 0 waiting")
        #expect(transport.attempts.isEmpty)
        #expect(try f.database.outboxMessage(id: 1)?.lastError?.contains("cannot write the To header") == true)
    }

    @Test("a message to send whose text row is missing dies at once with that reason, without a delivery attempt")
    func missingText() async throws {
        let f = try Self.fixture()
        try Self.enqueue(f.database, ["siti@bandung.go.id"])
        try await f.database.writer.write { try $0.execute(sql: "DELETE FROM outbox_text WHERE outbox_id = 1") }
        let transport = ScriptedTransport([:])
        #expect(try await Self.job(f, transport).run(slot: f.clock.now) == "0 sent, 0 failed (to be retried), 1 dead; 0 waiting")
        #expect(transport.attempts.isEmpty)
        #expect(try f.database.outboxMessage(id: 1)?.lastError?.contains("text is missing") == true)
    }

    @Test("five failures in a row end the run; the untried messages keep their attempts for the next slot")
    func breaker() async throws {
        let f = try Self.fixture()
        let recipients = (1...7).map { "p\($0)@bandung.go.id" }
        try Self.enqueue(f.database, recipients)
        let transport = ScriptedTransport(Dictionary(uniqueKeysWithValues: recipients.map { ($0, [Self.fail75]) }))
        let summary = try await Self.job(f, transport).run(slot: f.clock.now)
        #expect(summary == "0 sent, 5 failed (to be retried), 0 dead; 7 waiting; stopped after 5 failures in a row")
        #expect(try f.database.outboxMessages(status: .pending, limit: 10).messages.allSatisfy { $0.attempts == 0 })
        #expect(try f.database.outboxMessages(status: .pending, limit: 10).total == 2)
    }

    @Test("a message left in flight by a crash is sent again, with a warning of its own")
    func interrupted() async throws {
        let f = try Self.fixture()
        try Self.enqueue(f.database, ["siti@bandung.go.id"])
        _ = try f.database.claimNextOutboxMessage(now: f.clock.now, channel: "sendmail") // … and the daemon died here.
        let transport = ScriptedTransport([:])
        #expect(try await Self.job(f, transport).run(slot: f.clock.now) == "1 sent, 0 failed (to be retried), 0 dead; 0 waiting")
        let warning = try #require(f.log.with(messageID: MessageIDs.mailInterrupted).first)
        #expect(warning.level == .warning && warning.metadata["outbox_id"] == "1")
        #expect(try f.database.outboxMessage(id: 1)?.attempts == 2)
    }

    @Test("the journal channel logs the message with its body and marks it sent over 'journal'")
    func journalChannel() async throws {
        let f = try Self.fixture { $0.mail.channel = .journal }
        try Self.enqueue(f.database, ["siti@bandung.go.id"])
        let job = OutboxDeliveryJob(runtime: f.runtime)
        #expect(try await job.run(slot: f.clock.now) == "1 sent, 0 failed (to be retried), 0 dead; 0 waiting")
        let logged = try #require(f.log.with(messageID: MessageIDs.mailLogged).first)
        #expect(logged.metadata["body"] == "Yth. siti@bandung.go.id\n")
        #expect(logged.metadata["to"] == "Pegawai <siti@bandung.go.id>")
        let stored = try #require(try f.database.outboxMessage(id: 1))
        #expect(stored.status == .sent && stored.channel == "journal")
        #expect(f.log.with(messageID: MessageIDs.mailSent).first?.metadata["channel"] == "journal")
    }
}
