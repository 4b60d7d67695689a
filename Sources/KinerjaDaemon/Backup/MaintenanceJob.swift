import Foundation

/// `maintenance`: writes the slot's backup (`WriteBackup`), rotates old ones, removes the text of
/// messages sent longer ago than `mail.keep_sent_text`, deletes the finished messages written longer
/// ago than `mail.keep_messages` that nothing still open depends on, checkpoints the WAL and refreshes
/// SQLite's statistics.
struct MaintenanceJob: ScheduledJob {
    let runtime: DaemonRuntime
    var name: String { "maintenance" }

    func run(slot: Date) async throws -> String {
        let config = runtime.config
        let backup = try await WriteBackup(runtime: runtime)(at: slot, unique: false, by: "scheduler (\(name))")
        try Task.checkCancellation()
        let directory = config.backup.directory, keep = config.backup.keep
        let now = runtime.now(), keepText = config.mail.keepSentText, keepMessages = config.mail.keepMessages
        let (removed, texts, messages, wal) = try await runtime.withDatabase { database in
            let removed = try BackupFiles.rotate(directory: directory, keep: keep)
            let texts = try keepText.map { try database.removeSentText(sentBefore: now.addingTimeInterval(-$0.inSeconds), now: now) }
            let messages = try keepMessages.map { try database.removeFinishedMessages(createdBefore: now.addingTimeInterval(-$0.inSeconds)) }
            return (removed, texts, messages, try database.maintain())
        }
        let textNote = texts.map { "; text of \($0) message(s) sent over \(Self.days(keepText)) ago removed" } ?? ""
        let messageNote = messages.map {
            "; \($0.removed) message(s) written over \(Self.days(keepMessages)) ago deleted"
                + ($0.kept > 0 ? " (\($0.kept) kept: still to send, or of a cycle or follow-up still open)" : "")
        } ?? ""
        return "backup \(backup.written ? "written" : "already present"): \((backup.file as NSString).lastPathComponent); "
            + "\(removed.count) old backup(s) removed\(textNote)\(messageNote); WAL checkpointed (\(wal.checkpointed) of \(wal.walPages) pages)"
    }

    static func days(_ span: Duration?) -> String {
        guard let span else { return "" }
        let days = span.inSeconds / 86_400
        return days == days.rounded() ? "\(Int(days)) days" : String(format: "%.1f days", days)
    }
}
