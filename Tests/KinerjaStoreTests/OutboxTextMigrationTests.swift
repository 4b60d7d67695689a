import Foundation
import GRDB
import Testing
@testable import KinerjaStore

/// `v22-outbox-text-retention` on a database of the schema before it: every body moves to
/// `outbox_text` unchanged, `outbox` loses the column, the file is copied first, and a failed
/// conversion leaves it as it was.
@Suite("Outbox text migration")
struct OutboxTextMigrationTests {
    static let bodies = ["Yth. Ibu Siti,\n\nMasih ada 3 penilaian…\n\u{1}ulasan:1\u{1}\n", "Yth. Bapak Asep,\n\nTembusan…\n", ""]

    /// A file on the schema just before v22 with three messages (sent, pending, dead; one body empty).
    static func v19Copy(_: String) throws -> String {
        let path = CompactMigrationTests.temporaryPath("v19.sqlite")
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(queue, upTo: "v19-person-keys")
        try queue.write { db in
            for (i, status) in ["sent", "pending", "dead"].enumerated() {
                try db.execute(sql: """
                    INSERT INTO outbox (idempotency_key, kind, recipient_nip, mail_from, mail_to, mail_cc, subject, body, message_id,
                                        created_at, status, attempts, in_flight, sent_at)
                    VALUES (?, 'reminder', '198503152010011001', '{"name":"BKPSDM","email":"kinerjad@bandung.go.id"}',
                            '[{"name":"Siti","email":"siti@bandung.go.id"}]', '[]', ?, ?, ?, '2026-03-02 02:00:00.000', ?, 1, 0, ?)
                    """, arguments: ["m\(i)", "Pengingat \(i)", bodies[i], "kinerjad.\(i)@bandung.go.id", status,
                                     status == "sent" ? "2026-03-02 02:05:00.000" : nil])
            }
        }
        try queue.close()
        return path
    }

    @Test("every body moves to outbox_text unchanged and outbox loses the column; the messages read as before")
    func bodiesMove() throws {
        let db = try AppDatabase.open(path: try Self.v19Copy(""))
        let columns = try db.writer.read { try $0.columns(in: "outbox").map(\.name) }
        #expect(!columns.contains("body") && columns.contains("text_removed_at"), "\(columns)")
        let messages = try db.outboxMessages(status: nil, limit: 10).messages.sorted { $0.idempotencyKey < $1.idempotencyKey }
        #expect(messages.map(\.body) == Self.bodies)
        #expect(messages.map(\.subject) == ["Pengingat 0", "Pengingat 1", "Pengingat 2"])
        #expect(messages.allSatisfy { $0.textRemovedAt == nil })
        #expect(try db.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM outbox_text") } == 3)
        let (problems, integrity) = try db.writer.read { db in
            (try Row.fetchAll(db, sql: "PRAGMA foreign_key_check"), try String.fetchOne(db, sql: "PRAGMA integrity_check"))
        }
        #expect(problems.isEmpty && integrity == "ok")
    }

    @Test("the file is copied before the conversion; a conversion that fails leaves it as it was")
    func backupFirstAndUntouchedOnFailure() throws {
        try CompactMigrationTests.backupFirstAndUntouchedOnFailure("v22-outbox-text-retention", fill: { _ in }, oldCopy: Self.v19Copy) { db in
            try db.execute(sql: "CREATE TABLE outbox_text(x)")
        }
    }
}
